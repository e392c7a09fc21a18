package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/transport/loopback"
)

const testBridge = "obfs4 127.0.0.1:5555 0123456789ABCDEF0123456789ABCDEF01234567 cert=x iat-mode=0"

// fakeTor stands for tor in the tests of Automatic's state machine: each
// restart plays the script of the way its settings belong to.
type fakeTor struct {
	e *Engine

	mu       sync.Mutex
	restarts []string // the way of each restart
	scripts  map[string][]tor.Status
}

func wayOf(s tor.Settings) string {
	if len(s.Bridges) == 0 {
		return "direct"
	}
	return strings.Fields(s.Bridges[0])[0]
}

func (f *fakeTor) restart(_ context.Context, s tor.Settings) error {
	f.mu.Lock()
	way := wayOf(s)
	f.restarts = append(f.restarts, way)
	script := f.scripts[way]
	f.mu.Unlock()
	f.e.onTorStatus(tor.Status{State: tor.StateStarting})
	for _, st := range script {
		f.e.onTorStatus(st)
	}
	return nil
}

func (f *fakeTor) ways() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.restarts...)
}

func boot(p int) tor.Status { return tor.Status{State: tor.StateBootstrapping, Progress: p} }

// connectEngine is an engine, not started, whose Automatic uses fast
// timeouts, a loopback obfs4 bridge, a real (empty) obfs4proxy file and no
// snowflake program.
func connectEngine(t *testing.T, dir string) (*Engine, <-chan model.Event) {
	prog := filepath.Join(t.TempDir(), "obfs4proxy")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e := New(Config{DataDir: dir, Connect: ConnectConfig{
		Stall: 150 * time.Millisecond, Limit: 600 * time.Millisecond,
		Obfs4Bridges: []string{testBridge}, SnowflakeBridges: []string{"snowflake 127.0.0.1:6666 0123456789ABCDEF0123456789ABCDEF01234567 url=x"},
		Programs: map[string]string{tor.Obfs4Program: prog, tor.SnowflakeProgram: filepath.Join(dir, "missing", "snowflake-client")},
	}})
	ch, cancel := e.Subscribe()
	t.Cleanup(func() { cancel(); e.Close() })
	return e, ch
}

// notesUntil collects the Notes of TorStatus events until one contains
// want. Each note must be its sentences (Notes) one after another, each
// named by a key a frontend translates (checkNamed).
func notesUntil(t *testing.T, ch <-chan model.Event, want string) []string {
	t.Helper()
	var notes []string
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-ch:
			if s, ok := ev.(model.TorStatus); ok && s.Note != "" {
				if j := model.JoinTexts(s.Notes); j != s.Note {
					t.Errorf("note %q, its sentences say %q", s.Note, j)
				}
				checkNamed(t, s.Notes...)
				if len(notes) == 0 || notes[len(notes)-1] != s.Note {
					notes = append(notes, s.Note)
				}
				if strings.Contains(s.Note, want) {
					return notes
				}
			}
		case <-deadline:
			t.Fatalf("no note saying %q; notes so far:\n%s", want, strings.Join(notes, "\n"))
		}
	}
}

// TestConnectAutomatic: direct makes no progress (moved on after Stall,
// saying so), snowflake's program is missing (skipped, saying so), obfs4
// connects and is remembered; the next Automatic tries obfs4 first.
func TestConnectAutomatic(t *testing.T) {
	dir := t.TempDir()
	e, ch := connectEngine(t, dir)
	if err := e.saveTorSettings(TorSettings{Mode: ModeAuto}); err != nil {
		t.Fatal(err)
	}
	f := &fakeTor{e: e, scripts: map[string][]tor.Status{
		"direct": {boot(0), boot(5)},
		"obfs4":  {boot(10), boot(50), {State: tor.StateReady, Progress: 100}},
	}}
	run := e.startConnect(TorSettings{Mode: ModeAuto}, "", f.restart)
	notes := notesUntil(t, ch, "Connected through the built-in obfs4 bridges.")
	<-run.done
	checkNotes(t, notes,
		"Trying a direct connection…",
		"No progress with a direct connection for 1 second, which is what a blocked connection looks like.",
		"Skipped the built-in snowflake bridges. A program Nook needs to get around censorship is missing. Part of Nook is missing from this computer (snowflake-client, which connects through bridges). Install Nook again to restore it.",
		"Trying the built-in obfs4 bridges…",
	)
	if got := strings.Join(f.ways(), ","); got != "direct,obfs4" {
		t.Errorf("restarts %s, want direct,obfs4", got)
	}
	s, err := e.LoadTorSettings()
	if err != nil || s.Worked != ModeObfs4 || s.Mode != ModeAuto {
		t.Fatalf("remembered %+v, %v; want Worked obfs4", s, err)
	}
	if st := e.TorStatus(); st.Way != "the built-in obfs4 bridges" {
		t.Errorf("status way %q", st.Way)
	}
	e.mu.Lock()
	left := e.conn
	e.mu.Unlock()
	if left != nil {
		t.Error("a finished Automatic still receives tor's statuses")
	}

	// Next time obfs4 goes first and nothing else is tried.
	f2 := &fakeTor{e: e, scripts: f.scripts}
	run = e.startConnect(s, "", f2.restart)
	notesUntil(t, ch, "Connected through the built-in obfs4 bridges.")
	<-run.done
	if got := strings.Join(f2.ways(), ","); got != "obfs4" {
		t.Errorf("second run restarts %s, want obfs4 only", got)
	}
}

// TestConnectFailuresMoveOn: tor failing, a way that progresses but never
// finishes within Limit, and every way failing: Automatic says why, moves
// on, and starts over with longer timeouts; stopping it ends it at once.
func TestConnectFailuresMoveOn(t *testing.T) {
	e, ch := connectEngine(t, t.TempDir())
	slow := []tor.Status{}
	for p := 5; p <= 95; p += 5 {
		slow = append(slow, boot(p))
	}
	f := &fakeTor{e: e, scripts: map[string][]tor.Status{
		"direct": {boot(5), {State: tor.StateFailed, Err: errors.New("gave up after 6 attempts")}},
		"obfs4":  {boot(10)},
	}}
	e.cfg.Connect.Order = []ConnectMode{ModeDirect, ModeObfs4}
	e.startConnect(TorSettings{Mode: ModeAuto}, "", f.restart)
	checkNotes(t, notesUntil(t, ch, "None of the ways worked"),
		"Tor stopped while trying a direct connection.",
		"No progress with the built-in obfs4 bridges for 1 second",
	)
	// The second round tries direct again.
	notesUntil(t, ch, "Settings → Network. Trying a direct connection…")
	start := time.Now()
	e.stopConnect()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopping Automatic took %v", d)
	}

	// Limit: progress all the time, never ready.
	f.scripts["direct"] = slow
	e.cfg.Connect.Stall = time.Hour
	e.startConnect(TorSettings{Mode: ModeAuto}, "", f.restart)
	notesUntil(t, ch, "Not connected with a direct connection after 1 second.")
	e.stopConnect()
}

// TestTorSettingsModes: modes persist; a malformed bridge, a transport
// Nook does not ship, My bridges without lines and a missing program are
// refused with a plain message and the file is unchanged; the built-in
// bridges are refused in a test binary (public addresses).
func TestTorSettingsModes(t *testing.T) {
	dir := t.TempDir()
	e := newTestEngine(t, dir, loopback.New(loopback.NewMemoryDirectory()))
	if s, err := e.LoadTorSettings(); err != nil || s.Mode != ModeAuto || s.Version != TorSettingsVersion {
		t.Fatalf("no file: %+v, %v; want ModeAuto", s, err)
	}
	want := TorSettings{Mode: ModeCustom, Bridges: []string{testBridge}, ExtraTorrc: []string{"NumEntryGuards 2"}}
	if err := e.SetTorSettings(context.Background(), want); err != nil {
		t.Fatal(err)
	}
	got, err := e.LoadTorSettings()
	if err != nil || got.Mode != ModeCustom || len(got.Bridges) != 1 || got.Version != TorSettingsVersion {
		t.Fatalf("after saving: %+v, %v", got, err)
	}
	for _, bad := range []string{"obfs4 example.org:443", "meek_lite 192.0.2.20:80 url=https://x/", "obfs4 192.0.2.1:443 ABC"} {
		if _, err := CheckBridgeLine(bad); !errors.Is(err, ErrBridgeLine) {
			t.Errorf("CheckBridgeLine(%q) = %v, want ErrBridgeLine", bad, err)
		}
	}
	if _, err := e.torSettingsFor(ModeCustom, TorSettings{}); !errors.Is(err, ErrNoBridges) {
		t.Errorf("My bridges without lines: %v", err)
	}
	_, err = e.torSettingsFor(ModeObfs4, TorSettings{})
	if err == nil {
		t.Fatal("the built-in obfs4 bridges were accepted in a test binary")
	}
	if !errors.Is(err, tor.ErrPublicNetworkInTest) && !errors.Is(err, tor.ErrTransportNotFound) {
		t.Fatalf("built-in obfs4 bridges: %v", err)
	}
	ts, err := (&Engine{cfg: Config{Connect: ConnectConfig{Programs: map[string]string{tor.Obfs4Program: "/bin/sh"}}}}).torSettingsFor(ModeObfs4, TorSettings{})
	if err != nil {
		t.Fatal(err)
	}
	// tor itself refuses them here (ErrPublicNetworkInTest), whatever the
	// engine passes.
	tr := tor.New(tor.Config{DataDir: t.TempDir(), Bridges: ts.Bridges, TransportPlugins: ts.TransportPlugins})
	defer tr.Close()
	if err := tr.Start(context.Background()); !errors.Is(err, tor.ErrPublicNetworkInTest) {
		t.Fatalf("tor with the built-in bridges in a test: %v, want ErrPublicNetworkInTest", err)
	}
}

// TestTorSettingsVersion1: files written by the code before modes existed
// (testdata/tor-settings-v1-*.json) open: bridges mean My bridges, none
// means Automatic; the old program paths are dropped when saved again.
func TestTorSettingsVersion1(t *testing.T) {
	for file, mode := range map[string]ConnectMode{"tor-settings-v1-bridges.json": ModeCustom, "tor-settings-v1-plain.json": ModeAuto} {
		dir := t.TempDir()
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "tor-settings.json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
		e := New(Config{DataDir: dir})
		s, err := e.LoadTorSettings()
		if err != nil || s.Mode != mode || len(s.ExtraTorrc) != 1 {
			t.Fatalf("%s: %+v, %v; want mode %s", file, s, err, mode)
		}
		if err := e.saveTorSettings(s); err != nil {
			t.Fatal(err)
		}
		out, _ := os.ReadFile(filepath.Join(dir, "tor-settings.json"))
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil || m["obfs4proxy"] != nil || m["version"] != float64(2) {
			t.Errorf("%s saved again: %s", file, out)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tor-settings.json"), []byte(`{"version": 9}`), 0o600)
	if s, err := New(Config{DataDir: dir}).LoadTorSettings(); !errors.Is(err, ErrTorSettingsNewer) || s.Mode != ModeAuto {
		t.Errorf("a newer version: %+v, %v; want ErrTorSettingsNewer and ModeAuto", s, err)
	}
	for _, damaged := range []string{"{broken", `{"version": 2, "mode": "carrier-pigeon"}`} {
		os.WriteFile(filepath.Join(dir, "tor-settings.json"), []byte(damaged), 0o600)
		if s, err := New(Config{DataDir: dir}).LoadTorSettings(); !errors.Is(err, ErrTorSettingsDamaged) || s.Mode != ModeAuto {
			t.Errorf("the settings file %s: %+v, %v; want ErrTorSettingsDamaged and ModeAuto", damaged, s, err)
		}
	}
}

// TestStartSettings: Start uses the chosen way; in ModeAuto the first way
// that can be tried (the remembered one first); a chosen way whose program
// is missing starts tor with its network disabled and says why, instead of
// connecting another way.
func TestStartSettings(t *testing.T) {
	e, _ := connectEngine(t, t.TempDir())
	ts, way, err := e.startSettings(TorSettings{Mode: ModeAuto, Worked: ModeSnowflake})
	if err != nil || way != ModeDirect || len(ts.Bridges) != 0 {
		t.Errorf("Automatic, snowflake remembered but missing: %s %+v %v; want direct", way, ts, err)
	}
	ts, way, err = e.startSettings(TorSettings{Mode: ModeAuto, Worked: ModeObfs4})
	if err != nil || way != ModeObfs4 || len(ts.Bridges) != 1 || len(ts.TransportPlugins) != 1 {
		t.Errorf("Automatic, obfs4 remembered: %s %+v %v", way, ts, err)
	}
	ts, way, err = e.startSettings(TorSettings{Mode: ModeSnowflake})
	if err == nil || way != ModeSnowflake || len(ts.Bridges) != 0 || ts.ExtraTorrc[len(ts.ExtraTorrc)-1] != "DisableNetwork 1" {
		t.Fatalf("snowflake chosen but missing: %s %+v %v; want the network disabled and an error", way, ts, err)
	}
	if !strings.Contains(err.Error(), "the built-in snowflake bridges cannot be used: Part of Nook is missing") {
		t.Errorf("message %q", err)
	}
}

// checkNotes reports each of want that the notes, joined by newlines, do
// not contain.
func checkNotes(t *testing.T, notes []string, want ...string) {
	t.Helper()
	all := strings.Join(notes, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("notes lack %q:\n%s", w, all)
		}
	}
}

// checkNamed fails for a sentence without a key a frontend can translate
// it by: one of model.Texts (whose English it must be) or one of
// Explained's; a phrase set into it is checked in turn.
func checkNamed(t *testing.T, texts ...model.Text) {
	t.Helper()
	for _, x := range texts {
		if strings.HasPrefix(x.Key, "explain.") {
			continue
		}
		if _, ok := model.Texts[x.Key]; !ok {
			t.Errorf("sentence %q has no key a frontend translates (%q)", x.English, x.Key)
			continue
		}
		args := []any{}
		for k, v := range x.Args {
			args = append(args, k, v)
			if p, ok := v.(model.Text); ok {
				checkNamed(t, p)
			}
		}
		if again := model.Say(x.Key, args...); again.English != x.English {
			t.Errorf("%s says %q, its English is %q", x.Key, x.English, again.English)
		}
	}
}

// TestConnectModeText: each way's name is its Describe, named for
// translation.
func TestConnectModeText(t *testing.T) {
	for _, m := range []ConnectMode{ModeDirect, ModeSnowflake, ModeObfs4, ModeCustom} {
		x := m.Text()
		checkNamed(t, x)
		if x.Key == "" || x.English != m.Describe() {
			t.Errorf("%s: %+v, Describe says %q", m, x, m.Describe())
		}
	}
	if x := ModeAuto.Text(); x.Key != "" || x.English != "automatic" {
		t.Errorf("automatic: %+v", x)
	}
}
