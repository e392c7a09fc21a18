package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nookchat/nook/engine/groupserver"
)

// ErrNotHosting is returned by HostedServer when no server is hosted.
var ErrNotHosting = errors.New("no group server is running in this app")

// ErrNotStarted is returned by HostServer before Start.
var ErrNotStarted = errors.New("the network is not started")

// autostartFile, in the server's data dir, says that the app hosted the
// server when it last ran: Start hosts it again.
const autostartFile = "autostart"

func (e *Engine) serverDir() string { return filepath.Join(e.cfg.DataDir, "server") }

// HostServer starts a group server inside the app, with its keys and
// messages under DataDir/server (kept across starts, so its address stays
// the same), published through the engine's network. It returns the
// server's invite text. The server lives until StopServer or Close and does
// not depend on an unlocked profile: it stores only sealed blobs it cannot
// read. Until StopServer, every Start of the engine hosts it again, so its
// groups keep working after the app restarts.
func (e *Engine) HostServer(ctx context.Context) (string, error) {
	e.mu.Lock()
	switch {
	case e.closed:
		e.mu.Unlock()
		return "", ErrClosed
	case e.hosted != nil:
		s := e.hosted
		e.mu.Unlock()
		return s.Invite()
	case !e.started:
		e.mu.Unlock()
		return "", ErrNotStarted
	}
	e.mu.Unlock()
	cfg := e.cfg.Server
	cfg.DataDir = e.serverDir()
	cfg.Transport = e.transport()
	if cfg.Logger == nil {
		cfg.Logger = e.cfg.Logger
	}
	s, err := groupserver.New(cfg)
	if err != nil {
		return "", fmt.Errorf("configure the group server: %w", err)
	}
	if err := s.Start(ctx); err != nil {
		return "", fmt.Errorf("start the group server: %w", err)
	}
	e.mu.Lock()
	if e.closed || e.hosted != nil {
		e.mu.Unlock()
		s.Close()
		return "", errors.New("another server was started meanwhile")
	}
	e.hosted = s
	e.mu.Unlock()
	if err := os.WriteFile(filepath.Join(cfg.DataDir, autostartFile), nil, 0o600); err != nil {
		e.cfg.Logger.Warn("cannot remember to host the server at the next start", "err", err)
	}
	return s.Invite()
}

// hostsAtStart reports whether the app hosted a server when it last ran.
func (e *Engine) hostsAtStart() bool {
	_, err := os.Stat(filepath.Join(e.serverDir(), autostartFile))
	return err == nil
}

// HostedServer returns the invite text and counters of the server hosted by
// this app, or ErrNotHosting.
func (e *Engine) HostedServer() (string, ServerStats, error) {
	e.mu.Lock()
	s := e.hosted
	e.mu.Unlock()
	if s == nil {
		return "", ServerStats{}, ErrNotHosting
	}
	text, err := s.Invite()
	return text, serverStats(s.Stats()), err
}

// StopServer stops the hosted group server; its data stays for the next
// HostServer, but the app no longer hosts it at start.
func (e *Engine) StopServer() error {
	e.mu.Lock()
	s := e.hosted
	e.hosted = nil
	e.mu.Unlock()
	if err := os.Remove(filepath.Join(e.serverDir(), autostartFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if s == nil {
		return nil
	}
	return s.Close()
}
