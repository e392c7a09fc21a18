package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// connectChoices are the ways to connect offered in Settings → Network, in
// the order shown.
var connectChoices = []struct {
	mode  engine.ConnectMode
	label string
}{
	{engine.ModeAuto, "Automatic (recommended)"},
	{engine.ModeDirect, "Direct connection"},
	{engine.ModeSnowflake, "Built-in bridges: snowflake"},
	{engine.ModeObfs4, "Built-in bridges: obfs4"},
	{engine.ModeCustom, "My bridges"},
}

func choiceLabel(m engine.ConnectMode) string {
	for _, c := range connectChoices {
		if c.mode == m {
			return c.label
		}
	}
	return connectChoices[0].label
}

func choiceMode(label string) engine.ConnectMode {
	for _, c := range connectChoices {
		if c.label == label {
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
	t.progress = widgets.NewProgress("Status")
	t.summary = para("")
	t.note = para("")
	t.note.Hide()
	t.restart = widget.NewButtonWithIcon("Restart Tor", theme.ViewRefreshIcon(), t.restartTor)

	t.bridges = newMultiLineField()
	t.bridges.SetPlaceHolder("obfs4 192.0.2.1:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=… iat-mode=0")
	t.bridges.Wrapping = fyne.TextWrapOff
	t.bridges.SetMinRowsVisible(2)
	t.bridges.TextStyle.Monospace = true
	t.torrc = newMultiLineField()
	t.torrc.SetPlaceHolder("One option per line, e.g. ExitNodes {de}")
	t.torrc.SetMinRowsVisible(3)
	t.torrc.TextStyle.Monospace = true
	t.save = widget.NewButtonWithIcon("Save and restart Tor", theme.DocumentSaveIcon(), t.saveSettings)
	t.save.Importance = widget.HighImportance
	t.errLabel = errorLabel()
	t.okLabel = para("")
	t.okLabel.Importance = widget.SuccessImportance
	t.okLabel.Hide()

	if err != nil {
		msg, _ := failure("The saved Tor settings could not be read.", err)
		setError(t.errLabel, msg, "Saving writes them anew.")
	}
	t.saved = s
	t.bridges.SetText(strings.Join(s.Bridges, "\n"))
	t.torrc.SetText(strings.Join(s.ExtraTorrc, "\n"))

	labels := make([]string, len(connectChoices))
	for i, c := range connectChoices {
		labels[i] = c.label
	}
	t.mode = widget.NewRadioGroup(labels, nil)
	t.mode.Required = true
	t.mode.SetSelected(choiceLabel(s.Mode))
	t.bridgesBox = container.NewVBox(
		muted("Get bridge lines at bridges.torproject.org, by e-mail to bridges@torproject.org (from a Gmail "+
			"or Riseup address), or from someone you trust. Paste one line per bridge; obfs4 and snowflake "+
			"bridges work, and Nook includes what they need."),
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

	experts := widget.NewAccordion(widget.NewAccordionItem("Custom torrc lines — for experts", container.NewVBox(
		muted("Added to Tor's configuration as they are. A wrong line can stop Tor from starting or make you "+
			"easier to recognise; leave this empty unless you know why you need it."),
		t.torrc,
	)))
	if strings.TrimSpace(t.torrc.Text) != "" {
		experts.Open(0)
	}

	t.root = container.NewVScroll(container.NewVBox(
		subheading("Tor"),
		t.progress,
		t.summary,
		t.note,
		container.NewHBox(t.restart),
		muted("Nook reaches your contacts and group servers only through Tor, which hides where you are and "+
			"who you talk to from your network and from them."),
		widget.NewSeparator(),
		subheading("How to connect"),
		t.mode,
		muted("Automatic tries a direct connection first. If Tor seems blocked where you are, it tries the "+
			"built-in bridges (snowflake, then obfs4) and remembers what worked. Nook never asks any service "+
			"which country you are in."),
		muted("Built-in bridges are public, so a censor may know them too. If they do not work, choose My "+
			"bridges and paste bridges you were given."),
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
	t.note.SetText(s.Note)
	t.note.Hidden = s.Note == ""
	t.note.Refresh()
	if t.root != nil {
		t.root.Refresh() // lay out again: labels were shown or hidden
	}
	switch s.State {
	case model.TorReady:
		t.progress.SetTitle("Status")
		t.progress.SetProgress(100, "Connected to the Tor network")
		if s.Phase == "Local network" {
			t.progress.SetProgress(100, "Local test network: Tor is not used, for trying Nook out on one computer")
		}
	case model.TorFailed, model.TorStopped:
		t.progress.SetTitle("Status")
		msg := s.Err
		if msg == "" {
			msg = "Tor is not running."
		}
		t.progress.SetError(msg, s.Hint)
	case model.TorRestarting:
		t.progress.SetTitle("Status")
		t.progress.SetIndeterminate("Restarting…")
	case 0, model.TorStarting:
		t.progress.SetTitle("Status")
		t.progress.SetIndeterminate("Starting Tor…")
	default:
		t.progress.SetTitle("Connecting to the Tor network")
		t.progress.SetProgress(float64(s.Percent), s.Phase)
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
			t.showResult("Tor restarted.", nil)
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
				msg, hint := failure("These settings were not used, nothing was changed.", err)
				t.showResult("", &settingError{msg, hint})
				return
			}
			t.saved = s
			t.showResult("Saved. Tor uses the new settings.", nil)
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
			msg, hint := engine.Explain(err)
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
			msg := strings.TrimPrefix(err.Error(), engine.ErrBridgeLine.Error()+": ")
			return s, &settingError{fmt.Sprintf("Bridge line %d is not valid: %s.", i+1, msg),
				"Copy bridge lines exactly as you got them, one per line."}
		}
		s.Bridges = append(s.Bridges, strings.TrimSpace(strings.TrimPrefix(line, "Bridge ")))
	}
	if s.Mode == engine.ModeCustom && len(s.Bridges) == 0 {
		return s, &settingError{"My bridges needs at least one bridge line.",
			"Paste the bridge lines you were given, or choose Automatic."}
	}
	for i, line := range strings.Split(t.torrc.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := checkTorrcLine(line); err != nil {
			return s, &settingError{fmt.Sprintf("Torrc line %d is not accepted: %v.", i+1, err),
				"Write one option per line: its name, a space, its value."}
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
func checkTorrcLine(line string) error {
	key, value, _ := strings.Cut(line, " ")
	if !torrcKey.MatchString(key) {
		return fmt.Errorf("%q is not an option name", key)
	}
	for _, m := range managedOptions {
		if strings.EqualFold(key, m) {
			if strings.EqualFold(key, "Bridge") || strings.EqualFold(key, "UseBridges") || strings.EqualFold(key, "ClientTransportPlugin") {
				return fmt.Errorf("%s is set by choosing how to connect above", m)
			}
			return fmt.Errorf("%s is set by Nook itself", m)
		}
	}
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("%s has no value", key)
	}
	return nil
}
