package tor

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Settings are the parts of Config a user changes while the app runs.
type Settings struct {
	Bridges          []string
	TransportPlugins []TransportPlugin
	ExtraTorrc       []string
}

// Settings returns the settings in use.
func (t *Tor) Settings() Settings {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Settings{
		Bridges:          slices.Clone(t.cfg.Bridges),
		TransportPlugins: slices.Clone(t.cfg.TransportPlugins),
		ExtraTorrc:       slices.Clone(t.cfg.ExtraTorrc),
	}
}

// Restart stops the running tor and starts a new one with s (after the
// user changed bridges or torrc lines, or asked for a restart). Published
// services stay registered and are published again on the new tor; their
// listeners keep working. It also revives a transport that gave up
// (StateFailed). Invalid settings are refused with ErrConfig and nothing
// changes.
func (t *Tor) Restart(ctx context.Context, s Settings) error {
	t.mu.Lock()
	switch {
	case t.closed:
		t.mu.Unlock()
		return ErrClosed
	case !t.started:
		t.mu.Unlock()
		return ErrNotStarted
	}
	next := t.cfg
	next.Bridges, next.TransportPlugins, next.ExtraTorrc = s.Bridges, s.TransportPlugins, s.ExtraTorrc
	if err := next.validate(); err != nil {
		t.mu.Unlock()
		return err
	}
	if t.restarting {
		t.mu.Unlock()
		return errors.New("tor is already restarting")
	}
	t.restarting = true
	cancel, done := t.cancel, t.done
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.restarting = false
		t.mu.Unlock()
	}()

	// Stop the supervisor and its tor.
	cancel()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := writeTorrc(t.paths.torrc, torrc(&next, t.paths, t.exe)); err != nil {
		return fmt.Errorf("write torrc: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	// Only these fields change; other goroutines read the others.
	t.cfg.Bridges, t.cfg.TransportPlugins, t.cfg.ExtraTorrc = next.Bridges, next.TransportPlugins, next.ExtraTorrc
	runCtx, cancel2 := context.WithCancel(context.Background())
	t.cancel = cancel2
	t.done = make(chan struct{})
	go t.supervise(runCtx)
	return nil
}
