package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nookchat/nook/engine/tor"
)

// TorSettings are the installation's Tor settings: they apply to every
// profile, since Tor runs before any profile is unlocked. They are kept in
// DataDir/tor-settings.json, which holds no secret (bridge lines say that
// bridges are used, which the installed app already says).
type TorSettings struct {
	// Bridges are bridge lines ("obfs4 192.0.2.1:443 FINGERPRINT cert=…",
	// "snowflake 192.0.2.3:80 …"), for places where Tor is blocked.
	Bridges []string `json:"bridges,omitempty"`
	// Obfs4Proxy and Snowflake are the paths of the pluggable transport
	// programs the bridges need (Debian: /usr/bin/obfs4proxy,
	// /usr/bin/snowflake-client); empty: not used.
	Obfs4Proxy string `json:"obfs4proxy,omitempty"`
	Snowflake  string `json:"snowflake,omitempty"`
	// ExtraTorrc are further torrc lines for experts.
	ExtraTorrc []string `json:"extra_torrc,omitempty"`
}

func (e *Engine) torSettingsPath() string { return filepath.Join(e.cfg.DataDir, "tor-settings.json") }

// LoadTorSettings reads the saved Tor settings (none saved: zero value).
func (e *Engine) LoadTorSettings() (TorSettings, error) {
	var s TorSettings
	b, err := os.ReadFile(e.torSettingsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read tor settings: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("tor settings file is damaged: %w", err)
	}
	return s, nil
}

// apply returns cfg with s in it.
func (s TorSettings) apply(cfg tor.Config) tor.Config {
	cfg.Bridges, cfg.ExtraTorrc = clean(s.Bridges), clean(s.ExtraTorrc)
	cfg.TransportPlugins = s.plugins()
	return cfg
}

func (s TorSettings) plugins() []tor.TransportPlugin {
	var out []tor.TransportPlugin
	if s.Obfs4Proxy != "" {
		out = append(out, tor.TransportPlugin{Transports: []string{"obfs4"}, Path: s.Obfs4Proxy})
	}
	if s.Snowflake != "" {
		out = append(out, tor.TransportPlugin{Transports: []string{"snowflake"}, Path: s.Snowflake})
	}
	return out
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

// SetTorSettings checks and saves new Tor settings and restarts Tor with
// them; connections resume on the new Tor. With the loopback transport
// there is no Tor, and only the file is written.
func (e *Engine) SetTorSettings(ctx context.Context, s TorSettings) error {
	e.mu.Lock()
	t := e.tor
	e.mu.Unlock()
	if t != nil {
		next := s.apply(e.cfg.Tor)
		if err := t.Restart(ctx, tor.Settings{Bridges: next.Bridges, TransportPlugins: next.TransportPlugins, ExtraTorrc: next.ExtraTorrc}); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := e.torSettingsPath() + ".tmp"
	if err := os.MkdirAll(e.cfg.DataDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save tor settings: %w", err)
	}
	return os.Rename(tmp, e.torSettingsPath())
}

// RestartTor stops Tor and starts it again with the current settings.
func (e *Engine) RestartTor(ctx context.Context) error {
	e.mu.Lock()
	t := e.tor
	e.mu.Unlock()
	if t == nil {
		return errors.New("this app runs without Tor (local test network)")
	}
	return t.Restart(ctx, t.Settings())
}
