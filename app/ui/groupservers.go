package ui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// This file holds the servers part of a group's Members dialog
// (docs/groups.md, "A group on two servers"): the servers the group lives
// on, each with what this Nook knows of it (connected, unreachable since
// when, last caught up), and for the owner and admins "Add a second
// server…", from a server already known or a pasted server invite.

// maxGroupServers is the most servers a group lives on
// (invite.MaxGroupServers).
const maxGroupServers = 3

// groupServers is the servers part of the Members dialog.
type groupServers struct {
	md   *membersDialog
	rows *fyne.Container
	add  *widgets.TooltipButton
	// list is the servers as last read (nil until then).
	list []model.GroupServer
	// addDialog and addParts are the add dialog as last shown (tests).
	addDialog *dialog.CustomDialog
	addParts  addParts
}

func newGroupServers(md *membersDialog) *groupServers {
	gs := &groupServers{md: md, rows: container.NewVBox(para("Reading the group's servers…"))}
	gs.add = widgets.NewTooltipButton(theme.ContentAddIcon(), "", gs.showAdd)
	gs.add.SetText("Add a second server…")
	return gs
}

// object is what the dialog shows.
func (gs *groupServers) object() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Servers", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := muted("The group's messages are kept, sealed, on these servers. On two, the group goes on when one is " +
		"down or loses what it kept, and a server that holds messages back is found out by the other.")
	return container.NewVBox(widget.NewSeparator(), title, intro, gs.rows, container.NewHBox(gs.add))
}

// load reads the group's servers again.
func (gs *groupServers) load() {
	cp := gs.md.cp
	u, conv := cp.mv.u, cp.conv
	run(u, func(_ context.Context, e Engine) ([]model.GroupServer, error) { return e.GroupServers(conv) },
		func(list []model.GroupServer, err error) {
			if cp.govern != gs.md {
				return // the dialog was closed meanwhile
			}
			if err != nil {
				gs.rows.Objects = []fyne.CanvasObject{para("The group's servers could not be read.")}
				gs.rows.Refresh()
				return
			}
			gs.list = list
			gs.render()
		})
}

// render draws the servers and the add button from the list as last read.
func (gs *groupServers) render() {
	mine, active := gs.md.role()
	switch {
	case !active:
		setAllowed(gs.add, tipReadOnlyGroup, "")
	case mine == model.RoleMember:
		setAllowed(gs.add, tipNotAdmin, "")
	case len(gs.list) >= maxGroupServers:
		setAllowed(gs.add, "A group lives on at most three servers", "")
	default:
		setAllowed(gs.add, "", "Keep the group on one more server")
	}
	if len(gs.list) > 1 {
		gs.add.SetText("Add another server…")
	} else {
		gs.add.SetText("Add a second server…")
	}
	if gs.list == nil {
		return
	}
	now := time.Now()
	var rows []fyne.CanvasObject
	for i, s := range gs.list {
		name := shortAddress(s.Address)
		if i == 0 {
			name += " (where the group was created)"
		}
		title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		state := para(serverStateText(s, now))
		if !s.Connected && !s.UnreachableSince.IsZero() {
			state.Importance = widget.WarningImportance
		}
		rows = append(rows, container.NewVBox(title, state, muted("Fingerprint: "+s.Fingerprint)))
	}
	gs.rows.Objects = rows
	gs.rows.Refresh()
}

// serverStateText says in words what is known of a group's server.
func serverStateText(s model.GroupServer, now time.Time) string {
	var parts []string
	switch {
	case s.Connected:
		parts = append(parts, "Connected")
	case !s.UnreachableSince.IsZero():
		parts = append(parts, "Unreachable since "+when(s.UnreachableSince, now))
	default:
		parts = append(parts, "Not reached yet")
	}
	if !s.CaughtUp.IsZero() {
		parts = append(parts, "last caught up "+when(s.CaughtUp, now))
	}
	if !s.LostHistory.IsZero() {
		parts = append(parts, "it had lost what it kept when reached at "+when(s.LostHistory, now))
	}
	return strings.Join(parts, " · ")
}

// when says a time of today as 15:04, of another day as 2 Jan 15:04.
func when(t, now time.Time) string {
	t = t.Local()
	if y, m, d := t.Date(); y == now.Local().Year() && m == now.Local().Month() && d == now.Local().Day() {
		return t.Format("15:04")
	}
	return t.Format("2 Jan 15:04")
}

// shortAddress is an onion address cut for a title.
func shortAddress(addr string) string {
	addr = strings.TrimSuffix(addr, ".onion")
	if len(addr) > 16 {
		return addr[:16] + "…"
	}
	return addr
}

// showAdd asks which server to add: one the profile knows (of its other
// groups, or added in Servers), or a pasted server invite.
func (gs *groupServers) showAdd() {
	cp := gs.md.cp
	u, conv := cp.mv.u, cp.conv
	run(u, func(_ context.Context, e Engine) ([]engine.Server, error) { return e.Servers() },
		func(known []engine.Server, err error) {
			if err != nil {
				u.showError("The servers you know could not be read", err)
				return
			}
			known = slices.DeleteFunc(known, func(s engine.Server) bool {
				return slices.ContainsFunc(gs.list, func(g model.GroupServer) bool { return g.Address == s.Address })
			})
			gs.askServer(conv, known)
		})
}

// askServer is the dialog of showAdd.
func (gs *groupServers) askServer(conv model.ConversationID, known []engine.Server) {
	u := gs.md.cp.mv.u
	var names []string
	for _, s := range known {
		names = append(names, shortAddress(s.Address))
	}
	pick := widget.NewSelect(names, nil)
	pick.PlaceHolder = "A server you know"
	if len(known) == 0 {
		pick.PlaceHolder = "You know no other server"
		pick.Disable()
	}
	paste := widget.NewMultiLineEntry()
	paste.SetPlaceHolder("or paste a server invite (NOOK:S1:…)")
	paste.Wrapping = fyne.TextWrapBreak
	paste.SetMinRowsVisible(3)
	errLabel := para("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Hide()
	busy, status := idleSpinner(), muted("")
	status.Hide()
	explain := para("Every member's Nook learns the new server from a sealed message (the servers do not see it) " +
		"and sends each message to both from then on. Invites made from now on name both.")
	var d *dialog.CustomDialog
	add := widget.NewButtonWithIcon("Add server", theme.ConfirmIcon(), nil)
	add.Importance = widget.HighImportance
	add.OnTapped = func() {
		text := strings.TrimSpace(paste.Text)
		if text == "" && pick.SelectedIndex() >= 0 {
			text = known[pick.SelectedIndex()].Invite
		}
		if text == "" {
			errLabel.SetText("Choose a server you know, or paste a server's invite.")
			errLabel.Show()
			return
		}
		errLabel.Hide()
		showBusy(true, "Adding the server…", busy, status, add, pick, paste)
		run(u, func(_ context.Context, e Engine) (struct{}, error) { return struct{}{}, e.AddGroupServer(conv, text) },
			func(_ struct{}, err error) {
				showBusy(false, "", busy, status, add, pick, paste)
				if err != nil {
					errLabel.SetText(plainError("The server was not added.", err, "Check the invite and try again."))
					errLabel.Show()
					return
				}
				d.Hide()
				gs.load()
			})
	}
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	body := container.NewVBox(explain, pick, paste, errLabel, busy, status, container.NewHBox(cancel, add))
	d = dialog.NewCustomWithoutButtons("Add a server to “"+gs.md.cp.cv.Title+"”", body, u.win)
	d.Resize(fyne.NewSize(520, 360))
	gs.addDialog = d
	gs.addParts = addParts{pick: pick, paste: paste, add: add, err: errLabel}
	u.showDialog(d)
}

// addParts are the widgets of the add dialog, for the tests.
type addParts struct {
	pick  *widget.Select
	paste *widget.Entry
	add   *widget.Button
	err   *widget.Label
}
