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

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// This file holds the servers part of a group's Members dialog
// (docs/groups.md, "A group on two servers"): the servers the group lives
// on, each with what this Nook knows of it (connected, unreachable since
// when, last caught up), and for the owner and admins "Add a second
// server…" (from a server already known, or a server invite pasted or
// read from a picture of its QR code) and "Remove…" on each server but
// the group's first.

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
	// addDialog and addParts are the add dialog as last shown (tests);
	// adding is set while it is open.
	addDialog *dialog.CustomDialog
	addParts  addParts
	adding    bool
	// removes are the rows' Remove buttons as last drawn, by server
	// address (tests).
	removes map[string]*widgets.TooltipButton
}

func newGroupServers(md *membersDialog) *groupServers {
	gs := &groupServers{md: md, rows: container.NewVBox(para(i18n.T("groupservers.reading")))}
	gs.add = widgets.NewTooltipButton(theme.ContentAddIcon(), "", gs.showAdd)
	gs.add.SetText(i18n.T("groupservers.add_second"))
	return gs
}

// object is what the dialog shows.
func (gs *groupServers) object() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(i18n.T("groupservers.servers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := muted(i18n.T("groupservers.intro"))
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
				gs.rows.Objects = []fyne.CanvasObject{para(i18n.T("groupservers.could_not_read"))}
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
		setAllowed(gs.add, tipReadOnlyGroup(), "")
	case mine == model.RoleMember:
		setAllowed(gs.add, tipNotAdmin(), "")
	case len(gs.list) >= maxGroupServers:
		setAllowed(gs.add, i18n.T("groupservers.at_most_three"), "")
	default:
		setAllowed(gs.add, "", i18n.T("groupservers.add_tip"))
	}
	if len(gs.list) > 1 {
		gs.add.SetText(i18n.T("groupservers.add_another"))
	} else {
		gs.add.SetText(i18n.T("groupservers.add_second"))
	}
	if gs.list == nil {
		return
	}
	now := time.Now()
	admin := active && mine != model.RoleMember
	gs.removes = map[string]*widgets.TooltipButton{}
	var rows []fyne.CanvasObject
	for i, s := range gs.list {
		name := shortAddress(s.Address)
		if i == 0 {
			name = i18n.T("groupservers.first_server", "Address", name)
		}
		title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		state := para(serverStateText(s, now))
		if !s.Connected && !s.UnreachableSince.IsZero() {
			state.Importance = widget.WarningImportance
		}
		lines := []fyne.CanvasObject{title, state, muted(i18n.T("groupservers.fingerprint", "Fingerprint", s.Fingerprint))}
		switch {
		case admin && i == 0 && len(gs.list) > 1:
			// Why this one has no Remove button (a tooltip does not
			// show above a dialog).
			lines = append(lines, muted(i18n.T("groupservers.first_stays")))
		case admin && i > 0:
			remove := widgets.NewTooltipButton(theme.ContentRemoveIcon(), "", func() { gs.confirmRemove(s) })
			remove.SetText(i18n.T("common.remove_more"))
			remove.Importance = widget.MediumImportance
			remove.Tooltip = i18n.T("groupservers.remove_tip")
			gs.removes[s.Address] = remove
			lines = append(lines, container.NewHBox(layoutSpacer(), remove))
		}
		rows = append(rows, container.NewVBox(lines...))
	}
	gs.rows.Objects = rows
	gs.rows.Refresh()
}

// serverStateText says in words what is known of a group's server, times
// as the conversation shows them (now is the current time).
func serverStateText(s model.GroupServer, now time.Time) string {
	times := widgets.TimeFormat{Now: func() time.Time { return now }}
	var parts []string
	switch {
	case s.Connected:
		parts = append(parts, i18n.T("groupservers.connected"))
	case !s.UnreachableSince.IsZero():
		parts = append(parts, i18n.T("groupservers.unreachable_since", "When", times.Stamp(s.UnreachableSince)))
	default:
		parts = append(parts, i18n.T("groupservers.not_reached_yet"))
	}
	if !s.CaughtUp.IsZero() {
		parts = append(parts, i18n.T("groupservers.last_caught_up", "When", times.Stamp(s.CaughtUp)))
	}
	if !s.LostHistory.IsZero() {
		parts = append(parts, i18n.T("groupservers.lost_history", "When", times.Stamp(s.LostHistory)))
	}
	return strings.Join(parts, " · ")
}

// confirmRemove asks before the group stops living on server s, saying
// what happens.
func (gs *groupServers) confirmRemove(s model.GroupServer) {
	addr := s.Address
	gs.md.confirm(i18n.T("groupservers.remove_title", "Address", shortAddress(addr), "Title", gs.md.cp.cv.Title),
		i18n.T("groupservers.remove_text"),
		i18n.T("common.remove"), i18n.T("groupservers.removing"), i18n.T("groupservers.not_removed"),
		func(e Engine, conv model.ConversationID) error { return e.RemoveGroupServer(conv, addr) })
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
// groups, or added in Servers), or a server invite pasted or read from a
// picture of its QR code.
func (gs *groupServers) showAdd() {
	cp := gs.md.cp
	u, conv := cp.mv.u, cp.conv
	run(u, func(_ context.Context, e Engine) ([]engine.Server, error) { return e.Servers() },
		func(known []engine.Server, err error) {
			if err != nil {
				u.showError(i18n.T("groupservers.known_could_not_read"), err)
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
	pick.PlaceHolder = i18n.T("groupservers.a_server_you_know")
	if len(known) == 0 {
		pick.PlaceHolder = i18n.T("groupservers.no_other_server")
		pick.Disable()
	}
	paste := widget.NewMultiLineEntry()
	paste.SetPlaceHolder(i18n.T("groupservers.paste_invite"))
	paste.Wrapping = fyne.TextWrapBreak
	paste.SetMinRowsVisible(3)
	errLabel := para("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Hide()
	busy, status := idleSpinner(), muted("")
	status.Hide()
	explain := para(i18n.T("groupservers.add_explain"))
	var d *dialog.CustomDialog
	add := widget.NewButtonWithIcon(i18n.T("groupservers.add_server"), theme.ConfirmIcon(), nil)
	add.Importance = widget.HighImportance
	pasteImg := widget.NewButton(i18n.T("groupservers.paste_image"), nil)
	chooseImg := widget.NewButton(i18n.T("groupservers.choose_image"), nil)
	controls := []fyne.Disableable{add, pick, paste, pasteImg, chooseImg}
	qr := qrInput{u: u,
		busy: func(on bool, text string) { showBusy(on, text, busy, status, controls...) },
		fail: func(msg, hint string) { setError(errLabel, msg, hint) },
		found: func(text string) {
			pick.ClearSelected()
			paste.SetText(text)
		}}
	pasteImg.OnTapped, chooseImg.OnTapped = qr.pasteImage, qr.chooseImage
	add.OnTapped = func() {
		text := strings.TrimSpace(paste.Text)
		if text == "" && pick.SelectedIndex() >= 0 {
			text = known[pick.SelectedIndex()].Invite
		}
		if text == "" {
			errLabel.SetText(i18n.T("groupservers.choose_or_paste"))
			errLabel.Show()
			return
		}
		errLabel.Hide()
		showBusy(true, i18n.T("groupservers.adding"), busy, status, controls...)
		run(u, func(_ context.Context, e Engine) (struct{}, error) { return struct{}{}, e.AddGroupServer(conv, text) },
			func(_ struct{}, err error) {
				showBusy(false, "", busy, status, controls...)
				if err != nil {
					errLabel.SetText(plainError(i18n.T("groupservers.not_added"), err, i18n.T("groupservers.check_invite")))
					errLabel.Show()
					return
				}
				d.Hide()
				gs.load()
			})
	}
	cancel := widget.NewButton(i18n.T("common.cancel"), func() { d.Hide() })
	body := container.NewVBox(explain, pick, paste,
		container.NewHBox(layoutSpacer(), pasteImg, chooseImg),
		muted(i18n.T("groupservers.drop_hint")),
		errLabel, busy, status, container.NewHBox(layoutSpacer(), cancel, add))
	d = dialog.NewCustomWithoutButtons(i18n.T("groupservers.add_to", "Title", gs.md.cp.cv.Title), body, u.win)
	d.Resize(fyne.NewSize(520, 0))
	gs.addDialog, gs.adding = d, true
	gs.addParts = addParts{pick: pick, paste: paste, add: add, err: errLabel, qr: qr}
	u.showDialogOnClosed(d, func() {
		if gs.addDialog == d {
			gs.adding = false
		}
	})
}

// dropped reads a server invite from a picture dropped on the window
// while the add dialog is open, reporting whether it took the drop.
func (gs *groupServers) dropped(path string) bool {
	if !gs.adding {
		return false
	}
	gs.addParts.qr.readFile(path)
	return true
}

// addParts are the widgets of the add dialog, for the tests.
type addParts struct {
	pick  *widget.Select
	paste *widget.Entry
	add   *widget.Button
	err   *widget.Label
	qr    qrInput
}
