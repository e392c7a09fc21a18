package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
)

// ConnectMode is how Nook reaches the Tor network (Settings → Network).
type ConnectMode string

const (
	// ModeAuto tries a direct connection, then the built-in snowflake
	// bridges, then the built-in obfs4 bridges, and remembers what worked
	// (see Connect). The default.
	ModeAuto ConnectMode = "auto"
	// ModeDirect connects to the Tor network directly.
	ModeDirect ConnectMode = "direct"
	// ModeSnowflake connects through the built-in snowflake bridges.
	ModeSnowflake ConnectMode = "snowflake"
	// ModeObfs4 connects through the built-in obfs4 bridges.
	ModeObfs4 ConnectMode = "obfs4"
	// ModeCustom connects through the person's own bridge lines.
	ModeCustom ConnectMode = "custom"
)

// TorSettingsVersion is the version of tor-settings.json this code writes.
// Version 1 (no "version" field) had bridge lines and the paths of the
// transport programs; it reads as ModeCustom when it has bridges, ModeAuto
// otherwise, and the paths are ignored (the transports ship beside tor).
const TorSettingsVersion = 2

// TorSettings are the installation's Tor settings: they apply to every
// profile, since Tor runs before any profile is unlocked. They are kept in
// DataDir/tor-settings.json, which holds no secret (bridge lines say that
// bridges are used, which the installed app already says).
type TorSettings struct {
	Version int `json:"version,omitempty"`
	// Mode is how to connect; "" is ModeAuto.
	Mode ConnectMode `json:"mode,omitempty"`
	// Bridges are the person's own bridge lines ("obfs4 192.0.2.1:443
	// FINGERPRINT cert=…"), used in ModeCustom.
	Bridges []string `json:"bridges,omitempty"`
	// Worked is the way ModeAuto last connected through (ModeDirect,
	// ModeSnowflake or ModeObfs4); it is tried first next time.
	Worked ConnectMode `json:"worked,omitempty"`
	// ExtraTorrc are further torrc lines for experts.
	ExtraTorrc []string `json:"extra_torrc,omitempty"`
}

func (e *Engine) torSettingsPath() string { return filepath.Join(e.cfg.DataDir, "tor-settings.json") }

// LoadTorSettings reads the saved Tor settings (none saved: ModeAuto).
func (e *Engine) LoadTorSettings() (TorSettings, error) {
	s := TorSettings{Version: TorSettingsVersion, Mode: ModeAuto}
	b, err := os.ReadFile(e.torSettingsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read tor settings: %w", err)
	}
	s = TorSettings{}
	if err := json.Unmarshal(b, &s); err != nil {
		return TorSettings{Version: TorSettingsVersion, Mode: ModeAuto}, fmt.Errorf("%w: %w", ErrTorSettingsDamaged, err)
	}
	if s.Version > TorSettingsVersion {
		return TorSettings{Version: TorSettingsVersion, Mode: ModeAuto}, fmt.Errorf("%w (version %d)", ErrTorSettingsNewer, s.Version)
	}
	if s.Version < 2 && s.Mode == "" && len(clean(s.Bridges)) > 0 {
		s.Mode = ModeCustom
	}
	if s.Mode == "" {
		s.Mode = ModeAuto
	}
	s.Version = TorSettingsVersion
	if !s.Mode.valid() {
		return TorSettings{Version: TorSettingsVersion, Mode: ModeAuto}, fmt.Errorf("%w: unknown way to connect %q", ErrTorSettingsDamaged, s.Mode)
	}
	return s, nil
}

func (m ConnectMode) valid() bool {
	return slices.Contains([]ConnectMode{ModeAuto, ModeDirect, ModeSnowflake, ModeObfs4, ModeCustom}, m)
}

// Describe says in plain words what a way to connect is.
func (m ConnectMode) Describe() string {
	switch m {
	case ModeAuto:
		return "automatic"
	case ModeDirect:
		return "a direct connection"
	case ModeSnowflake:
		return "the built-in snowflake bridges"
	case ModeObfs4:
		return "the built-in obfs4 bridges"
	case ModeCustom:
		return "your own bridges"
	}
	return string(m)
}

// Text is Describe named for a frontend that translates it
// ("connect.way_direct"); automatic and an unknown way have none.
func (m ConnectMode) Text() model.Text {
	if _, ok := model.Texts["connect.way_"+string(m)]; ok {
		return model.Say("connect.way_" + string(m))
	}
	return model.Text{English: m.Describe()}
}

// clean drops blank lines and surrounding space.
func clean(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ErrBridgeLine is returned (wrapped, with the line's number and what is
// wrong) for a malformed bridge line.
var ErrBridgeLine = tor.ErrBridgeLine

// BridgeLineError is the error of a malformed bridge line: what is wrong
// by a reason a frontend translates (a key of BridgeReasons).
type BridgeLineError = tor.BridgeLineError

// BridgeReasons are the English of BridgeLineError's reasons.
var BridgeReasons = tor.BridgeReasons

// CheckBridgeLine checks one bridge line as pasted and returns its
// transport ("" for a plain bridge). Errors wrap ErrBridgeLine; a transport
// Nook does not ship is refused too.
func CheckBridgeLine(line string) (string, error) {
	b, err := tor.ParseBridge(line)
	if err != nil {
		return "", err
	}
	if b.Transport != "" && tor.ProgramFor(b.Transport) == "" {
		return "", tor.BridgeError("unknown_transport", b.Transport)
	}
	return b.Transport, nil
}

// ErrNoBridges is returned for ModeCustom without a bridge line.
var ErrNoBridges = errors.New("no bridge lines were given")

// ErrTorSettingsNewer is returned (wrapped, with the version) by
// LoadTorSettings for settings a newer Nook saved; it returns the default
// settings with it.
var ErrTorSettingsNewer = errors.New("tor settings were saved by a newer Nook")

// ErrTorSettingsDamaged is returned (wrapped, with what is wrong) by
// LoadTorSettings for a settings file it cannot read; it returns the
// default settings with it.
var ErrTorSettingsDamaged = errors.New("tor settings file is damaged")

// torSettingsFor returns the tor settings of one way to connect. It finds
// the transport program the bridges need (an *tor.Error with a hint when
// it is missing) and refuses the built-in bridges where the public network
// is forbidden.
func (e *Engine) torSettingsFor(m ConnectMode, s TorSettings) (tor.Settings, error) {
	out := tor.Settings{ExtraTorrc: clean(s.ExtraTorrc)}
	var bridges []string
	switch m {
	case ModeDirect:
		return out, nil
	case ModeSnowflake:
		bridges = e.builtin(ModeSnowflake)
	case ModeObfs4:
		bridges = e.builtin(ModeObfs4)
	case ModeCustom:
		bridges = clean(s.Bridges)
		if len(bridges) == 0 {
			return out, ErrNoBridges
		}
	default:
		return out, fmt.Errorf("unknown way to connect %q", m)
	}
	var transports []string
	for i, l := range bridges {
		tr, err := CheckBridgeLine(l)
		if err != nil {
			return out, fmt.Errorf("bridge line %d: %w", i+1, err)
		}
		if tr != "" && !slices.Contains(transports, tr) {
			transports = append(transports, tr)
		}
		out.Bridges = append(out.Bridges, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "Bridge ")))
	}
	for _, tr := range transports {
		path, err := e.transportProgram(tor.ProgramFor(tr))
		if err != nil {
			return out, err
		}
		out.TransportPlugins = append(out.TransportPlugins, tor.TransportPlugin{Transports: []string{tr}, Path: path,
			Args: e.cfg.Connect.ProgramArgs[tor.ProgramFor(tr)]})
	}
	return out, nil
}

// builtin returns the bridges of a built-in mode: Config.Connect's when
// set (tests: the private network's bridge), else those Tor Browser ships.
func (e *Engine) builtin(m ConnectMode) []string {
	c := e.cfg.Connect
	if m == ModeSnowflake {
		if c.SnowflakeBridges != nil {
			return c.SnowflakeBridges
		}
		return tor.Builtin().Snowflake
	}
	if c.Obfs4Bridges != nil {
		return c.Obfs4Bridges
	}
	return tor.Builtin().Obfs4
}

// transportProgram finds a transport program beside tor (Config.Connect
// may name it instead, for tests).
func (e *Engine) transportProgram(program string) (string, error) {
	if p, ok := e.cfg.Connect.Programs[program]; ok {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			return "", &tor.Error{Err: fmt.Errorf("%w: %s at %s", tor.ErrTransportNotFound, program, p),
				Hint:     strings.ReplaceAll(tor.HintKeys["transport_not_found_hint"], "{{.Program}}", program),
				HintKey:  "transport_not_found_hint",
				HintArgs: map[string]any{"Program": program}}
		}
		return p, nil
	}
	return tor.FindTransport(program, e.cfg.Tor.BundleDirs)
}

// saveTorSettings writes s atomically.
func (e *Engine) saveTorSettings(s TorSettings) error {
	s.Version = TorSettingsVersion
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(e.cfg.DataDir, 0o700); err != nil {
		return err
	}
	tmp := e.torSettingsPath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save tor settings: %w", err)
	}
	return os.Rename(tmp, e.torSettingsPath())
}

// SetTorSettings checks and saves new Tor settings and restarts Tor with
// them; connections resume on the new Tor. In ModeAuto the automatic
// connection starts over (the way that worked last first). Settings that
// cannot work (a malformed bridge line, a missing transport program, the
// built-in bridges where the public network is forbidden) are refused and
// nothing changes. With the loopback transport there is no Tor, and only
// the file is written.
func (e *Engine) SetTorSettings(ctx context.Context, s TorSettings) error {
	if s.Mode == "" {
		s.Mode = ModeAuto
	}
	if !s.Mode.valid() {
		return fmt.Errorf("unknown way to connect %q", s.Mode)
	}
	e.mu.Lock()
	t := e.tor
	e.mu.Unlock()
	if t != nil {
		first := s.Mode
		if s.Mode == ModeAuto {
			first = e.connectOrder(s.Worked)[0]
		}
		next, err := e.torSettingsFor(first, s)
		if err != nil && s.Mode != ModeAuto {
			return err
		}
		e.stopConnect()
		if s.Mode != ModeAuto {
			if err := t.Restart(ctx, next); err != nil {
				return err
			}
			e.setConnectNote(s.Mode, nil)
		}
	}
	if err := e.saveTorSettings(s); err != nil {
		return err
	}
	if t != nil && s.Mode == ModeAuto {
		e.startConnect(s, "", t.Restart)
	}
	return nil
}

// RestartTor stops Tor and starts it again with the current settings (in
// ModeAuto: the automatic connection starts over).
func (e *Engine) RestartTor(ctx context.Context) error {
	e.mu.Lock()
	t := e.tor
	e.mu.Unlock()
	if t == nil {
		return errors.New("this app runs without Tor (local test network)")
	}
	s, err := e.LoadTorSettings()
	if err == nil && s.Mode == ModeAuto {
		e.stopConnect()
		e.startConnect(s, "", t.Restart)
		return nil
	}
	return t.Restart(ctx, t.Settings())
}
