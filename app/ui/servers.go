package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
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
	t.add.SetPlaceHolder(i18n.T("servers.paste_a_server_invite"))
	t.add.OnSubmitted = func(string) { t.addServer() }
	t.addBtn = widget.NewButton(i18n.T("servers.add_server"), t.addServer)
	t.errLabel = errorLabel()
	t.details = newDetailsNote()

	t.hostState = para("")
	t.hostBtn = widget.NewButton("", t.toggleHosting)
	t.qr = widgets.NewQRView(nil, i18n.T("servers.server_invite"), 170)
	t.inviteText = widget.NewLabel("")
	t.inviteText.Wrapping = fyne.TextWrapBreak
	t.inviteText.Selectable = true
	t.inviteText.TextStyle.Monospace = true
	t.inviteText.SizeName = theme.SizeNameCaptionText
	t.copyBtn = u.copyButton(i18n.T("common.copy_invite_text"), func() string { return t.hosted })
	t.stats = muted("")
	refresh := linkButton(i18n.T("servers.refresh"), t.refresh)
	t.hostBox = container.NewBorder(nil, nil, container.NewVBox(t.qr), nil, container.NewVBox(
		muted(i18n.T("servers.give_this_invite_to")),
		card(t.inviteText),
		container.NewHBox(t.copyBtn, layoutSpacer(), refresh),
		t.stats,
	))

	t.root = container.NewVScroll(container.NewVBox(
		subheading(i18n.T("servers.host_a_server_on")),
		t.hostState,
		container.NewHBox(t.hostBtn),
		t.hostBox,
		widget.NewSeparator(),
		subheading(i18n.T("servers.known_servers")),
		muted(i18n.T("servers.group_servers_pass_on")),
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
		msg, _ := failure(i18n.T("servers.the_servers_could_not"), err)
		t.list.Add(para(msg))
	}
	for _, s := range servers {
		t.list.Add(t.serverRow(s))
	}
	if err == nil && len(servers) == 0 {
		t.list.Add(para(i18n.T("servers.none_yet_create_a")))
	}
	t.list.Refresh()
}

// serverRow shows one known server: its address, and buttons to copy its
// invite and to forget it.
func (t *serversTab) serverRow(s engine.Server) fyne.CanvasObject {
	copyBtn := t.u.copyButton(i18n.T("servers.copy_invite"), func() string { return s.Invite })
	remove := widget.NewButtonWithIcon(i18n.T("common.remove_more"), theme.DeleteIcon(), func() { t.confirmRemove(s.Address) })
	remove.Importance = widget.LowImportance
	title := i18n.T("servers.group_server")
	if t.hosted != "" && s.Invite == t.hosted {
		title = i18n.T("servers.group_server_hosted_on")
	}
	return card(container.NewVBox(
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		t.u.onionAddress(string(s.Address)),
		container.NewHBox(copyBtn, layoutSpacer(), remove),
	))
}

func (t *serversTab) confirmRemove(addr string) {
	u := t.u
	u.confirm(i18n.T("servers.remove_this_server"), 420, i18n.T("common.remove"), true, func() {
		runErr(u, func(_ context.Context, e Engine) error { return e.RemoveServer(addr) }, func(err error) {
			if err != nil {
				t.setError(failure(i18n.T("servers.the_server_was_not"), err))
			}
			t.refresh()
		})
	}, para(i18n.T("servers.nook_forgets_the_server")))
}

// addServer remembers the server of a pasted invite.
func (t *serversTab) addServer() {
	text := strings.TrimSpace(t.add.Text)
	if text == "" {
		t.setError(i18n.T("servers.paste_a_server_invite_2"), i18n.T("servers.whoever_runs_the_server"))
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
				t.setError(plainError(i18n.T("servers.this_invite_could_not"), err,
					i18n.T("servers.use_the_invite_of")), "")
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
		t.hostState.SetText(i18n.T("servers.run_a_group_server"))
		t.hostBtn.SetText(i18n.T("servers.start_the_server"))
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
	t.hostState.SetText(i18n.T("servers.a_group_server_is"))
	t.hostBtn.SetText(i18n.T("servers.stop_the_server"))
	t.hostBtn.SetIcon(theme.MediaStopIcon())
	t.hostBtn.Importance = widget.MediumImportance
	t.hostBtn.Refresh()
	t.stats.SetText(statsText(stats))
	t.hostBox.Show()
}

// statsText puts a server's counters in words.
func statsText(s engine.ServerStats) string {
	return i18n.T("servers.stats", "Open", s.OpenConnections, "Listening", s.Subscriptions,
		"Stored", storedCount(s), "Connections", s.Connections, "Refused", s.ConnectionsRefused+s.PostsRefused)
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
		t.hostState.SetText(i18n.T("servers.starting_the_server"))
		runErr(u, func(ctx context.Context, e Engine) error {
			text, err := e.HostServer(ctx)
			if err == nil {
				_, err = e.AddServer(text)
			}
			return err
		}, func(err error) {
			t.hostBtn.Enable()
			if err != nil {
				t.setError(failure(i18n.T("servers.the_server_did_not"), err))
			}
			t.refresh()
		})
		return
	}
	u.confirm(i18n.T("servers.stop_the_server_2"), 420, i18n.T("servers.stop_the_server"), true, func() {
		t.hostBtn.Disable()
		runErr(u, func(_ context.Context, e Engine) error { return e.StopServer() },
			func(err error) {
				t.hostBtn.Enable()
				if err != nil {
					t.setError(failure(i18n.T("servers.the_server_did_not_2"), err))
				}
				t.refresh()
			})
	}, para(i18n.T("servers.members_of_groups_on")))
}

// setError shows msg and hint (nothing when msg is empty), without the
// details of an earlier error.
func (t *serversTab) setError(msg, hint string) {
	setError(t.errLabel, msg, hint)
	t.details.set(nil)
}
