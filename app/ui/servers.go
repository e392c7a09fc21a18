package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/widgets"
)

// serversTab is the settings tab of group servers: the servers this
// profile knows, adding one from its invite, and the server this app can
// host.
type serversTab struct {
	u        *UI
	list     *fyne.Container
	add      *field
	addBtn   *widget.Button
	errLabel *widget.Label
	details  *detailsNote

	hosted     string // the hosted server's invite, "" when not hosting
	hostState  *widget.Label
	hostBtn    *widget.Button
	hostBox    *fyne.Container
	qr         *widgets.QRView
	inviteText *widget.Label
	copyBtn    *widgets.CopyButton
	stats      *widget.Label
	root       fyne.CanvasObject
}

func newServersTab(u *UI) *serversTab {
	t := &serversTab{u: u}
	t.list = container.NewVBox()
	t.add = newField()
	t.add.SetPlaceHolder("Paste a server invite (NOOK:S1:…)")
	t.add.OnSubmitted = func(string) { t.addServer() }
	t.addBtn = widget.NewButton("Add server", t.addServer)
	t.errLabel = errorLabel()
	t.details = newDetailsNote()

	t.hostState = para("")
	t.hostBtn = widget.NewButton("", t.toggleHosting)
	t.qr = widgets.NewQRView(nil, "Server invite", 170)
	t.inviteText = widget.NewLabel("")
	t.inviteText.Wrapping = fyne.TextWrapBreak
	t.inviteText.Selectable = true
	t.inviteText.TextStyle.Monospace = true
	t.inviteText.SizeName = theme.SizeNameCaptionText
	t.copyBtn = widgets.NewCopyButton("Copy invite text", func() string { return t.hosted })
	t.stats = muted("")
	refresh := linkButton("Refresh", t.refresh)
	t.hostBox = container.NewBorder(nil, nil, container.NewVBox(t.qr), nil, container.NewVBox(
		muted("Give this invite to whoever should create groups on this server. "+
			"It lets them use the server, not read any group."),
		card(t.inviteText),
		container.NewHBox(t.copyBtn, layoutSpacer(), refresh),
		t.stats,
	))

	t.root = container.NewVScroll(container.NewVBox(
		subheading("Host a server on this computer"),
		t.hostState,
		container.NewHBox(t.hostBtn),
		t.hostBox,
		widget.NewSeparator(),
		subheading("Known servers"),
		muted("Group servers pass on and keep group messages end-to-end encrypted: they cannot read them. "+
			"A server could drop or alter messages — Nook notices and warns you."),
		t.list,
		container.NewBorder(nil, nil, nil, t.addBtn, t.add),
		t.errLabel, t.details.root,
	))
	t.refresh()
	return t
}

// knownServers is what the tab shows: the known servers, and the hosted
// one with its invite's QR code and counters.
type knownServers struct {
	servers    []engine.Server
	serversErr error
	hosted     string // "" when not hosting
	png        []byte
	stats      engine.ServerStats
}

// readServers reads what the tab shows.
func readServers(e Engine) knownServers {
	var k knownServers
	k.servers, k.serversErr = e.Servers()
	text, stats, err := e.HostedServer()
	if err == nil {
		k.hosted, k.stats = text, stats
		k.png, _ = engine.InviteQR(text, 512)
	}
	return k
}

// refresh reads the known servers and the hosted one again, in the
// background.
func (t *serversTab) refresh() {
	run(t.u, func(_ context.Context, e Engine) (knownServers, error) { return readServers(e), nil },
		func(k knownServers, _ error) { t.show(k) })
}

// show shows the servers read.
func (t *serversTab) show(k knownServers) {
	t.showHosting(k)
	t.showList(k.servers, k.serversErr)
}

func (t *serversTab) showList(servers []engine.Server, err error) {
	t.list.Objects = nil
	if err != nil {
		msg, _ := failure("The servers could not be read.", err)
		t.list.Add(para(msg))
	}
	for _, s := range servers {
		t.list.Add(t.serverRow(s))
	}
	if err == nil && len(servers) == 0 {
		t.list.Add(para("None yet. Create a group, paste a server's invite below, or host a server on this computer."))
	}
	t.list.Refresh()
}

// serverRow shows one known server: its address, and buttons to copy its
// invite and to forget it.
func (t *serversTab) serverRow(s engine.Server) fyne.CanvasObject {
	copyBtn := widgets.NewCopyButton("Copy invite", func() string { return s.Invite })
	remove := widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), func() { t.confirmRemove(s.Address) })
	remove.Importance = widget.LowImportance
	title := "Group server"
	if t.hosted != "" && s.Invite == t.hosted {
		title = "Group server hosted on this computer"
	}
	return card(container.NewVBox(
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widgets.NewOnionAddress(string(s.Address)),
		container.NewHBox(copyBtn, layoutSpacer(), remove),
	))
}

func (t *serversTab) confirmRemove(addr string) {
	u := t.u
	u.confirm("Remove this server?", 420, "Remove", true, func() {
		runErr(u, func(_ context.Context, e Engine) error { return e.RemoveServer(addr) }, func(err error) {
			if err != nil {
				t.setError(failure("The server was not removed.", err))
			}
			t.refresh()
		})
	}, para("Nook forgets the server: it is no longer offered for new groups. Your groups on it keep working."))
}

// addServer remembers the server of a pasted invite.
func (t *serversTab) addServer() {
	text := strings.TrimSpace(t.add.Text)
	if text == "" {
		t.setError("Paste a server invite first.", "Whoever runs the server can give you its invite.")
		t.scrollToError()
		return
	}
	t.setError("", "")
	t.addBtn.Disable()
	u := t.u
	run(u, func(_ context.Context, e Engine) (engine.Server, error) { return e.AddServer(text) },
		func(_ engine.Server, err error) {
			t.addBtn.Enable()
			if err != nil {
				t.setError(plainError("This invite could not be used.", err,
					"Use the invite of a group server (NOOK:S1:…) or of a group (NOOK:G1:…)."), "")
				t.details.set(err)
				t.scrollToError()
				return
			}
			t.add.SetText("")
			t.refresh()
		})
}

// scrollToError scrolls the tab to its end, where the error of Add server
// is shown under the field (it appeared out of view).
func (t *serversTab) scrollToError() {
	if s, ok := t.root.(*container.Scroll); ok {
		s.Content.Refresh() // lays out the label just shown
		s.Refresh()         // and the scroll, for the taller content
		s.ScrollToBottom()
	}
}

// showHosting shows whether a server is hosted, with its invite and
// counters.
func (t *serversTab) showHosting(k knownServers) {
	text, stats := k.hosted, k.stats
	if text == "" {
		t.hosted = ""
		t.hostState.SetText("Run a group server inside Nook, as an onion service. Members of its groups can exchange " +
			"messages only while this computer is on and Nook is running. It keeps running while Nook is locked.")
		t.hostBtn.SetText("Start the server")
		t.hostBtn.SetIcon(theme.MediaPlayIcon())
		t.hostBtn.Importance = widget.HighImportance
		t.hostBtn.Refresh()
		t.hostBox.Hide()
		return
	}
	if t.hosted != text {
		t.hosted = text
		if k.png != nil {
			_ = t.qr.SetPNG(k.png)
		}
		t.inviteText.SetText(text)
	}
	t.hostState.SetText("A group server is running on this computer. Its data stays here when you stop it, " +
		"and it keeps the same address when you start it again.")
	t.hostBtn.SetText("Stop the server")
	t.hostBtn.SetIcon(theme.MediaStopIcon())
	t.hostBtn.Importance = widget.MediumImportance
	t.hostBtn.Refresh()
	t.stats.SetText(statsText(stats))
	t.hostBox.Show()
}

// statsText puts a server's counters in words.
func statsText(s engine.ServerStats) string {
	return fmt.Sprintf("Connected now: %d · Members listening: %d · Messages stored: %d · "+
		"Connections since start: %d · Refused: %d", s.OpenConnections, s.Subscriptions,
		storedCount(s), s.Connections, s.ConnectionsRefused+s.PostsRefused)
}

// storedCount is the number of blobs the server keeps.
func storedCount(s engine.ServerStats) uint64 {
	if s.Head == 0 || s.Head < s.Oldest {
		return 0
	}
	if s.Oldest == 0 {
		return s.Head
	}
	return s.Head - s.Oldest + 1
}

// toggleHosting starts or stops the hosted server.
func (t *serversTab) toggleHosting() {
	u := t.u
	if t.hosted == "" {
		t.hostBtn.Disable()
		t.hostState.SetText("Starting the server…")
		runErr(u, func(ctx context.Context, e Engine) error {
			text, err := e.HostServer(ctx)
			if err == nil {
				_, err = e.AddServer(text)
			}
			return err
		}, func(err error) {
			t.hostBtn.Enable()
			if err != nil {
				t.setError(failure("The server did not start.", err))
			}
			t.refresh()
		})
		return
	}
	u.confirm("Stop the server?", 420, "Stop the server", true, func() {
		t.hostBtn.Disable()
		runErr(u, func(ctx context.Context, e Engine) error { return e.StopServer() },
			func(err error) {
				t.hostBtn.Enable()
				if err != nil {
					t.setError(failure("The server did not stop cleanly.", err))
				}
				t.refresh()
			})
	}, para("Members of groups on this server cannot exchange messages until you start it again."))
}

// setError shows msg and hint (nothing when msg is empty), without the
// details of an earlier error.
func (t *serversTab) setError(msg, hint string) {
	setError(t.errLabel, msg, hint)
	t.details.set(nil)
}
