package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestTorSettings: Settings → Network offers Automatic (chosen by default),
// direct, the built-in bridges and My bridges, asks for no program path
// and tells nobody to install anything; a built-in way is used with one
// click; invalid bridge lines, a transport Nook cannot use, My bridges
// without lines and managed torrc options are refused with a visible
// error and nothing is saved; valid settings are saved (the loopback
// engine has no Tor to restart); what Automatic tries is shown.
func TestTorSettings(t *testing.T) {
	test.NewTempApp(t)
	eng := newEngine(t, t.TempDir(), loopback.New(newNet()))
	h := newHarness(t, eng)
	h.createProfile("Kim", "pw for kim")
	h.openSettings()
	nt := h.ui.settings.network
	h.ui.settings.tabs.SelectIndex(3)
	if nt.progress.Percent() != 100 {
		t.Fatalf("Tor status at %v %%", nt.progress.Percent())
	}
	if nt.mode.Selected != "Automatic (recommended)" || len(nt.mode.Options) != 5 {
		t.Fatalf("ways offered %v, chosen %q", nt.mode.Options, nt.mode.Selected)
	}
	for _, bad := range []string{"apt install", "obfs4proxy", "snowflake-client"} {
		if h.hasText(bad) {
			t.Errorf("the network tab says %q", bad)
		}
	}
	if nt.bridgesBox.Visible() {
		t.Error("the bridge lines show before My bridges is chosen")
	}

	saved := func() engine.TorSettings {
		s, err := eng.LoadTorSettings()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	nt.mode.SetSelected("My bridges")
	if !nt.bridgesBox.Visible() || saved().Mode != engine.ModeAuto {
		t.Fatal("choosing My bridges must show the lines and save nothing yet")
	}
	for text, want := range map[string]string{
		"":                                    "My bridges needs at least one bridge line",
		"obfs4 bridge.example.org:443 cert=x": "Bridge line 1 is not valid",
		"\nmeek_lite 192.0.2.20:80 url=https://x/": "Bridge line 2 is not valid: it uses \"meek_lite\", which Nook cannot use",
	} {
		nt.bridges.SetText(text)
		h.tap("Save and restart Tor")
		if !nt.errLabel.Visible() || !strings.Contains(nt.errLabel.Text, want) {
			t.Fatalf("bridges %q: error shown %q, want %q", text, nt.errLabel.Text, want)
		}
		if saved().Mode != engine.ModeAuto {
			t.Fatal("invalid settings were saved")
		}
	}
	nt.torrc.SetText("SocksPort 9050")
	nt.bridges.SetText("obfs4 192.0.2.1:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=abc iat-mode=0")
	h.tap("Save and restart Tor")
	if !strings.Contains(nt.errLabel.Text, "SocksPort is set by Nook itself") {
		t.Fatalf("error shown: %q", nt.errLabel.Text)
	}
	nt.torrc.SetText("ExitNodes {de}\n\n")
	h.tap("Save and restart Tor")
	h.waitFor("the settings saved", func() bool { return nt.okLabel.Visible() })
	if nt.errLabel.Visible() {
		t.Fatalf("error after saving: %q", nt.errLabel.Text)
	}
	s := saved()
	if s.Mode != engine.ModeCustom || len(s.Bridges) != 1 || len(s.ExtraTorrc) != 1 || s.ExtraTorrc[0] != "ExitNodes {de}" {
		t.Fatalf("saved %+v", s)
	}

	// One click: a built-in way is saved at once.
	nt.okLabel.Hide()
	nt.mode.SetSelected("Built-in bridges: obfs4")
	h.waitFor("obfs4 saved", func() bool { return nt.okLabel.Visible() })
	if s := saved(); s.Mode != engine.ModeObfs4 || nt.bridgesBox.Visible() {
		t.Fatalf("after one click on obfs4: %+v", s)
	}

	// What Automatic tries, and why, is shown under the status.
	notes := []model.Text{model.Say("connect.stalled_seconds", "Way", engine.ModeDirect.Text(), "Count", 40),
		model.Say("connect.trying", "Way", engine.ModeSnowflake.Text())}
	note := "No progress with a direct connection for 40 seconds, which is what a blocked connection looks like. Trying the built-in snowflake bridges…"
	nt.setStatus(model.TorStatus{State: model.TorBootstrapping, Percent: 5, Phase: "Connecting to a relay", PhaseTag: "conn", Note: model.JoinTexts(notes), Notes: notes})
	if !nt.note.Visible() || nt.note.Text != note {
		t.Fatalf("note shown %q", nt.note.Text)
	}
	// The home panel's progress says it too.
	h.ui.main.setTorStatus(model.TorStatus{State: model.TorBootstrapping, Percent: 5, Phase: "Connecting to a relay", PhaseTag: "conn", Note: model.JoinTexts(notes), Notes: notes})
	if got := h.ui.main.home.progress.Phase(); got != note+" (Connecting to a relay)" {
		t.Errorf("the home panel's progress says %q", got)
	}

	// The loopback engine has no Tor: Restart says so.
	h.tap("Restart Tor")
	h.waitFor("the restart refused", func() bool { return nt.errLabel.Visible() })
}
