package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// connectChoices are the ways to connect offered in Settings → Network, in
// the order shown.
var connectChoices = []struct {
	mode engine.ConnectMode
	key  string // its label's key in the catalogs
}{
	{engine.ModeAuto, "network.mode_auto"},
	{engine.ModeDirect, "network.mode_direct"},
	{engine.ModeSnowflake, "network.mode_snowflake"},
	{engine.ModeObfs4, "network.mode_obfs4"},
	{engine.ModeCustom, "network.mode_custom"},
}

func choiceLabel(m engine.ConnectMode) string {
	for _, c := range connectChoices {
		if c.mode == m {
			return i18n.T(c.key)
		}
	}
	return i18n.T(connectChoices[0].key)
}

func choiceMode(label string) engine.ConnectMode {
	for _, c := range connectChoices {
		if i18n.T(c.key) == label {
			return c.mode
		}
	}
	return engine.ModeAuto
}

// networkTab is the settings tab for Tor: its status, a restart, how to
// connect (Automatic, direct, built-in bridges, the person's own bridges)
// and, for experts, further torrc lines.
type networkTab struct {
	u          *UI
	progress   *widgets.Progress
	summary    *widget.Label
	note       *widget.Label
	restart    *widget.Button
	mode       *widget.RadioGroup
	bridges    *field
	bridgesBox *fyne.Container
	torrc      *field
	save       *widget.Button
	errLabel   *widget.Label
	okLabel    *widget.Label
	root       fyne.CanvasObject
	saved      engine.TorSettings
}

func newNetworkTab(u *UI, s engine.TorSettings, err error) *networkTab {
	t := &networkTab{u: u}
	t.progress = widgets.NewProgress(i18n.T("network.status"))
	t.summary = para("")
	t.note = para("")
	t.note.Hide()
	t.restart = widget.NewButtonWithIcon(i18n.T("network.restart_tor"), theme.ViewRefreshIcon(), t.restartTor)

	t.bridges = newMultiLineField()
	t.bridges.SetPlaceHolder(i18n.T("network.obfs4_192_0_2"))
	t.bridges.Wrapping = fyne.TextWrapOff
	t.bridges.SetMinRowsVisible(2)
	t.bridges.TextStyle.Monospace = true
	t.torrc = newMultiLineField()
	t.torrc.SetPlaceHolder(i18n.T("network.one_option_per_line"))
	t.torrc.SetMinRowsVisible(3)
	t.torrc.TextStyle.Monospace = true
	t.save = widget.NewButtonWithIcon(i18n.T("network.save_and_restart_tor"), theme.DocumentSaveIcon(), t.saveSettings)
	t.save.Importance = widget.HighImportance
	t.errLabel = errorLabel()
	t.okLabel = para("")
	t.okLabel.Importance = widget.SuccessImportance
	t.okLabel.Hide()

	if err != nil {
		msg, _ := failure(i18n.T("network.the_saved_tor_settings"), err)
		setError(t.errLabel, msg, i18n.T("network.saving_writes_them_anew"))
	}
	t.saved = s
	t.bridges.SetText(strings.Join(s.Bridges, "\n"))
	t.torrc.SetText(strings.Join(s.ExtraTorrc, "\n"))

	labels := make([]string, len(connectChoices))
	for i, c := range connectChoices {
		labels[i] = i18n.T(c.key)
	}
	t.mode = widget.NewRadioGroup(labels, nil)
	t.mode.Required = true
	t.mode.SetSelected(choiceLabel(s.Mode))
	t.bridgesBox = container.NewVBox(
		muted(i18n.T("network.get_bridge_lines_at")),
		t.bridges,
	)
	t.bridgesBox.Hidden = s.Mode != engine.ModeCustom
	// One click: a way other than My bridges is used at once.
	t.mode.OnChanged = func(label string) {
		m := choiceMode(label)
		t.bridgesBox.Hidden = m != engine.ModeCustom
		t.bridgesBox.Refresh()
		if m != engine.ModeCustom && m != t.saved.Mode {
			t.saveSettings()
		}
	}

	experts := widget.NewAccordion(widget.NewAccordionItem(i18n.T("network.custom_torrc_lines_for"), container.NewVBox(
		muted(i18n.T("network.added_to_tor_s")),
		t.torrc,
	)))
	if strings.TrimSpace(t.torrc.Text) != "" {
		experts.Open(0)
	}

	t.root = container.NewVScroll(container.NewVBox(
		subheading(i18n.T("network.tor")),
		t.progress,
		t.summary,
		t.note,
		container.NewHBox(t.restart),
		muted(i18n.T("network.nook_reaches_your_contacts")),
		widget.NewSeparator(),
		subheading(i18n.T("network.how_to_connect")),
		t.mode,
		muted(i18n.T("network.automatic_tries_a_direct")),
		muted(i18n.T("network.built_in_bridges_are")),
		t.bridgesBox,
		experts,
		t.errLabel,
		t.okLabel,
		container.NewHBox(layoutSpacer(), t.save),
	))
	t.setStatus(u.state.Tor())
	return t
}

// setStatus follows Tor's status.
func (t *networkTab) setStatus(s model.TorStatus) {
	t.summary.SetText(torSummary(s))
	t.summary.Hidden = s.State == model.TorReady
	t.summary.Refresh()
	t.note.SetText(connectNote(s))
	t.note.Hidden = t.note.Text == ""
	t.note.Refresh()
	if t.root != nil {
		t.root.Refresh() // lay out again: labels were shown or hidden
	}
	switch s.State {
	case model.TorReady:
		t.progress.SetTitle(i18n.T("network.status"))
		t.progress.SetProgress(100, i18n.T("network.connected_to_the_tor"))
		if s.PhaseTag == "local" {
			t.progress.SetProgress(100, i18n.T("network.local_test_network_tor"))
		}
	case model.TorFailed, model.TorStopped:
		t.progress.SetTitle(i18n.T("network.status"))
		msg, hint := torFailure(s)
		if msg == "" {
			msg = i18n.T("network.tor_is_not_running")
		}
		t.progress.SetError(msg, hint)
	case model.TorRestarting:
		t.progress.SetTitle(i18n.T("network.status"))
		t.progress.SetIndeterminate(i18n.T("network.restarting"))
	case 0, model.TorStarting:
		t.progress.SetTitle(i18n.T("network.status"))
		t.progress.SetIndeterminate(i18n.T("common.starting_tor_more"))
	default:
		t.progress.SetTitle(i18n.T("network.connecting_to_the_tor"))
		t.progress.SetProgress(float64(s.Percent), torPhase(s))
	}
}

func (t *networkTab) setBusy(b bool) {
	for _, w := range []fyne.Disableable{t.save, t.restart} {
		if b {
			w.Disable()
		} else {
			w.Enable()
		}
	}
}

// restartTor restarts Tor with its current settings.
func (t *networkTab) restartTor() {
	u := t.u
	t.setBusy(true)
	t.showResult("", nil)
	runErr(u, func(ctx context.Context, e Engine) error { return e.RestartTor(ctx) },
		func(err error) {
			t.setBusy(false)
			if err != nil {
				t.showResult("", fmt.Errorf("tor was not restarted: %w", err))
				return
			}
			t.showResult(i18n.T("network.tor_restarted"), nil)
		})
}

// saveSettings checks the settings, then saves them and restarts Tor in
// the background.
func (t *networkTab) saveSettings() {
	s, err := t.settings()
	if err != nil {
		t.showResult("", err)
		return
	}
	u := t.u
	t.setBusy(true)
	t.showResult("", nil)
	runErr(u, func(ctx context.Context, e Engine) error { return e.SetTorSettings(ctx, s) },
		func(err error) {
			t.setBusy(false)
			if err != nil {
				msg, hint := failure(i18n.T("network.these_settings_were_not"), err)
				t.showResult("", &settingError{msg, hint})
				return
			}
			t.saved = s
			t.showResult(i18n.T("network.saved_tor_uses_the"), nil)
		})
}

// showResult shows a success message or an error (with its hint).
func (t *networkTab) showResult(ok string, err error) {
	if err != nil {
		// The tab's own refusals are sentences already; anything else
		// is the engine's, which Explain puts in words.
		var se *settingError
		if errors.As(err, &se) {
			setError(t.errLabel, se.msg, se.hint)
		} else {
			msg, hint := explain(err)
			setError(t.errLabel, msg, hint)
		}
	} else {
		setError(t.errLabel, "", "")
	}
	t.okLabel.SetText(ok)
	t.okLabel.Hidden = ok == ""
	t.okLabel.Refresh()
}

// settingError is a line the network tab refuses, with what to do: msg
// is a sentence to show as it is.
type settingError struct {
	msg, hint string
}

func (e *settingError) Error() string { return e.msg }

// settings returns the entered settings after checking every line.
func (t *networkTab) settings() (engine.TorSettings, error) {
	s := engine.TorSettings{Mode: choiceMode(t.mode.Selected), Worked: t.saved.Worked}
	for i, line := range strings.Split(t.bridges.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := engine.CheckBridgeLine(line); err != nil {
			return s, &settingError{i18n.T("network.bridge_line_is_not", "Line", i+1, "Reason", bridgeReason(err)),
				i18n.T("network.copy_bridge_lines_exactly")}
		}
		s.Bridges = append(s.Bridges, strings.TrimSpace(strings.TrimPrefix(line, "Bridge ")))
	}
	if s.Mode == engine.ModeCustom && len(s.Bridges) == 0 {
		return s, &settingError{i18n.T("network.my_bridges_needs_at"),
			i18n.T("network.paste_the_bridge_lines")}
	}
	for i, line := range strings.Split(t.torrc.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if reason := checkTorrcLine(line); reason != "" {
			return s, &settingError{i18n.T("network.torrc_line_is_not", "Line", i+1, "Reason", reason),
				i18n.T("network.write_one_option_per")}
		}
		s.ExtraTorrc = append(s.ExtraTorrc, line)
	}
	return s, nil
}

var torrcKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// managedOptions are torrc options Nook sets itself.
var managedOptions = []string{
	"SocksPort", "ControlPort", "DataDirectory", "CookieAuthentication", "CookieAuthFile",
	"HiddenServiceDir", "HiddenServicePort", "Bridge", "UseBridges", "ClientTransportPlugin",
	"__OwningControllerProcess", "DisableNetwork", "ClientOnly",
}

// checkTorrcLine checks the shape of a torrc line and refuses the options
// Nook manages.
func checkTorrcLine(line string) string {
	key, value, _ := strings.Cut(line, " ")
	if !torrcKey.MatchString(key) {
		return i18n.T("network.torrc_not_an_option", "Option", strconv.Quote(key))
	}
	for _, m := range managedOptions {
		if strings.EqualFold(key, m) {
			if strings.EqualFold(key, "Bridge") || strings.EqualFold(key, "UseBridges") || strings.EqualFold(key, "ClientTransportPlugin") {
				return i18n.T("network.torrc_set_by_choosing", "Option", m)
			}
			return i18n.T("network.torrc_set_by_nook", "Option", m)
		}
	}
	if strings.TrimSpace(value) == "" {
		return i18n.T("network.torrc_no_value", "Option", key)
	}
	return ""
}

// bridgeReason says what is wrong with a bridge line (the engine's
// tor.BridgeLineError, by its reason) in the language in use; a reason
// the catalogs do not have gets a generic clause, never the engine's
// English.
func bridgeReason(err error) string {
	var be *engine.BridgeLineError
	if errors.As(err, &be) {
		args := []any{}
		for k, v := range be.Args() {
			args = append(args, k, v)
		}
		key := "network.bridge_reason_" + be.Reason
		if s := i18n.T(key, args...); s != key {
			return s
		}
	}
	return i18n.T("network.bridge_reason_unknown")
}

// connectNote is what the automatic connection tries and why
// (TorStatus.Notes) in the language in use; "" when it says nothing.
func connectNote(s model.TorStatus) string {
	return state.SayAll(s.Notes, "network.connect_note_unknown")
}

// torFailure is why Tor failed and what to do, in the language in use
// (TorStatus.ErrText, HintText): "" for what the status does not say. Tor's
// own words (Err) are never shown: an error without a sentence the app
// has gets a generic one.
func torFailure(s model.TorStatus) (msg, hint string) {
	if s.Err != "" || s.ErrText.Key != "" {
		msg = state.Say(s.ErrText, "connect.tor_could_not_start")
	}
	if s.HintText.Key != "" {
		hint = state.Say(s.HintText, "network.tor_failed_hint")
	}
	return msg, hint
}
