package ui

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// Where Debian and Ubuntu install the pluggable transports.
var (
	defaultObfs4Proxy = "/usr/bin/obfs4proxy"
	defaultSnowflake  = "/usr/bin/snowflake-client"
)

// networkTab is the settings tab for Tor: its status, a restart, bridges,
// pluggable transports and, for experts, further torrc lines.
type networkTab struct {
	u        *UI
	progress *widgets.Progress
	summary  *widget.Label
	restart  *widget.Button
	bridges  *field
	obfs4    *field
	snow     *field
	torrc    *field
	save     *widget.Button
	errLabel *widget.Label
	okLabel  *widget.Label
	root     fyne.CanvasObject
}

func newNetworkTab(u *UI) *networkTab {
	t := &networkTab{u: u}
	t.progress = widgets.NewProgress("Status")
	t.summary = para("")
	t.restart = widget.NewButtonWithIcon("Restart Tor", theme.ViewRefreshIcon(), t.restartTor)

	t.bridges = newMultiLineField()
	t.bridges.SetPlaceHolder("obfs4 192.0.2.1:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=… iat-mode=0")
	t.bridges.Wrapping = fyne.TextWrapOff
	t.bridges.SetMinRowsVisible(2)
	t.bridges.TextStyle.Monospace = true
	t.obfs4 = newField()
	t.obfs4.SetPlaceHolder(defaultObfs4Proxy)
	t.snow = newField()
	t.snow.SetPlaceHolder(defaultSnowflake)
	t.torrc = newMultiLineField()
	t.torrc.SetPlaceHolder("One option per line, e.g. ExitNodes {de}")
	t.torrc.SetMinRowsVisible(3)
	t.torrc.TextStyle.Monospace = true
	t.save = widget.NewButtonWithIcon("Save and restart Tor", theme.DocumentSaveIcon(), t.saveSettings)
	t.save.Importance = widget.HighImportance
	t.obfs4.OnSubmitted = func(string) { t.saveSettings() }
	t.snow.OnSubmitted = func(string) { t.saveSettings() }
	t.errLabel = errorLabel()
	t.okLabel = para("")
	t.okLabel.Importance = widget.SuccessImportance
	t.okLabel.Hide()

	s, err := u.eng.LoadTorSettings()
	if err != nil {
		setError(t.errLabel, "The saved Tor settings could not be read: "+err.Error()+".",
			"Saving writes them anew.")
	}
	t.bridges.SetText(strings.Join(s.Bridges, "\n"))
	t.torrc.SetText(strings.Join(s.ExtraTorrc, "\n"))
	t.obfs4.SetText(s.Obfs4Proxy)
	t.snow.SetText(s.Snowflake)
	if s.Obfs4Proxy == "" && fileExists(defaultObfs4Proxy) {
		t.obfs4.SetText(defaultObfs4Proxy)
	}
	if s.Snowflake == "" && fileExists(defaultSnowflake) {
		t.snow.SetText(defaultSnowflake)
	}

	experts := widget.NewAccordion(widget.NewAccordionItem("Custom torrc lines — for experts", container.NewVBox(
		muted("Added to Tor's configuration as they are. A wrong line can stop Tor from starting or make you "+
			"easier to recognise; leave this empty unless you know why you need it."),
		t.torrc,
	)))
	if strings.TrimSpace(t.torrc.Text) != "" {
		experts.Open(0)
	}

	form := widget.NewForm(
		widget.NewFormItem("obfs4proxy", t.obfs4),
		widget.NewFormItem("snowflake", t.snow),
	)
	t.root = container.NewVScroll(container.NewVBox(
		subheading("Tor"),
		t.progress,
		t.summary,
		container.NewHBox(t.restart),
		muted("Nook reaches your contacts and group servers only through Tor, which hides where you are and "+
			"who you talk to from your network and from them."),
		widget.NewSeparator(),
		subheading("Bridges"),
		muted("If Tor is blocked where you are, or using Tor draws attention, connect through bridges. "+
			"Get bridge lines at bridges.torproject.org, by e-mail to bridges@torproject.org (from a Gmail "+
			"or Riseup address), or from someone you trust. Paste one line per bridge."),
		t.bridges,
		muted("obfs4 bridges need obfs4proxy and snowflake bridges need snowflake-client "+
			"(Debian and Ubuntu: apt install obfs4proxy snowflake-client)."),
		form,
		experts,
		t.errLabel,
		t.okLabel,
		container.NewHBox(layoutSpacer(), t.save),
	))
	t.setStatus(u.tor)
	return t
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// setStatus follows Tor's status.
func (t *networkTab) setStatus(s model.TorStatus) {
	t.summary.SetText(torSummary(s))
	t.summary.Hidden = s.State == model.TorReady
	t.summary.Refresh()
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
	u.background(func() {
		err := u.eng.RestartTor(u.ctx())
		u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.showResult("", fmt.Errorf("tor was not restarted: %w", err))
				return
			}
			t.showResult("Tor restarted.", nil)
		})
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
	u.background(func() {
		err := u.eng.SetTorSettings(u.ctx(), s)
		u.do(func() {
			t.setBusy(false)
			if err != nil {
				t.showResult("", fmt.Errorf("tor refused these settings, nothing was changed: %w", err))
				return
			}
			t.showResult("Saved. Tor uses the new settings.", nil)
		})
	})
}

// showResult shows a success message or an error (with its hint).
func (t *networkTab) showResult(ok string, err error) {
	if err != nil {
		hint := ""
		var se *settingError
		if errors.As(err, &se) {
			hint = se.hint
		}
		setError(t.errLabel, capitalise(err.Error())+".", hint)
	} else {
		setError(t.errLabel, "", "")
	}
	t.okLabel.SetText(ok)
	t.okLabel.Hidden = ok == ""
	t.okLabel.Refresh()
}

// settingError is a line the network tab refuses, with what to do.
type settingError struct {
	msg, hint string
}

func (e *settingError) Error() string { return e.msg }

// settings returns the entered settings after checking every line.
func (t *networkTab) settings() (engine.TorSettings, error) {
	s := engine.TorSettings{
		Obfs4Proxy: strings.TrimSpace(t.obfs4.Text),
		Snowflake:  strings.TrimSpace(t.snow.Text),
	}
	for _, p := range []struct{ what, path string }{{"obfs4proxy", s.Obfs4Proxy}, {"snowflake", s.Snowflake}} {
		if p.path != "" && (!filepath.IsAbs(p.path) || !fileExists(p.path)) {
			return s, &settingError{fmt.Sprintf("there is no program at %q (%s)", p.path, p.what),
				"Give the full path of the installed program, or leave the field empty."}
		}
	}
	for i, line := range strings.Split(t.bridges.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		transport, err := checkBridge(line)
		if err != nil {
			return s, &settingError{fmt.Sprintf("bridge line %d is not valid: %v", i+1, err),
				"Copy bridge lines exactly as you got them, one per line."}
		}
		switch {
		case transport == "obfs4" && s.Obfs4Proxy == "":
			return s, &settingError{fmt.Sprintf("bridge line %d is an obfs4 bridge, which needs obfs4proxy", i+1),
				"Install obfs4proxy and give its path below."}
		case transport == "snowflake" && s.Snowflake == "":
			return s, &settingError{fmt.Sprintf("bridge line %d is a snowflake bridge, which needs snowflake-client", i+1),
				"Install snowflake-client and give its path below."}
		case transport != "" && transport != "obfs4" && transport != "snowflake":
			return s, &settingError{fmt.Sprintf("bridge line %d uses %q, which Nook cannot use", i+1, transport),
				"Ask for obfs4 or snowflake bridges."}
		}
		s.Bridges = append(s.Bridges, strings.TrimSpace(strings.TrimPrefix(line, "Bridge ")))
	}
	for i, line := range strings.Split(t.torrc.Text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := checkTorrcLine(line); err != nil {
			return s, &settingError{fmt.Sprintf("torrc line %d is not accepted: %v", i+1, err),
				"Write one option per line: its name, a space, its value."}
		}
		s.ExtraTorrc = append(s.ExtraTorrc, line)
	}
	return s, nil
}

var (
	transportName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	fingerprint   = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)
	torrcKey      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// checkBridge checks the shape of a bridge line ("[transport] IP:port
// [fingerprint] [key=value…]") and returns its transport ("" for a plain
// bridge).
func checkBridge(line string) (string, error) {
	f := strings.Fields(strings.TrimPrefix(line, "Bridge "))
	transport := ""
	if len(f) > 0 && !strings.Contains(f[0], ":") {
		if !transportName.MatchString(f[0]) {
			return "", fmt.Errorf("%q is not a transport name", f[0])
		}
		transport, f = f[0], f[1:]
	}
	if len(f) == 0 {
		return "", errors.New("the address is missing")
	}
	host, port, err := net.SplitHostPort(f[0])
	if err != nil || net.ParseIP(host) == nil {
		return "", fmt.Errorf("%q is not an IP address with a port", f[0])
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%q has no valid port", f[0])
	}
	rest := f[1:]
	if len(rest) > 0 && !strings.Contains(rest[0], "=") {
		if !fingerprint.MatchString(rest[0]) {
			return "", fmt.Errorf("%q is not a fingerprint (40 hexadecimal digits)", rest[0])
		}
		rest = rest[1:]
	}
	for _, kv := range rest {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return "", fmt.Errorf("%q is not a key=value setting", kv)
		}
	}
	return transport, nil
}

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
				return fmt.Errorf("%s is set from the fields above", m)
			}
			return fmt.Errorf("%s is set by Nook itself", m)
		}
	}
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("%s has no value", key)
	}
	return nil
}
