package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nookchat/nook/engine/groupserver"
)

// ErrNotHosting is returned by HostedServer when no server is hosted.
var ErrNotHosting = errors.New("no group server is running in this app")

// HostServer starts a group server inside the app, with its keys and
// messages under DataDir/server (kept across starts, so its address stays
// the same), published through the engine's network. It returns the
// server's invite text. The server lives until StopServer or Close and does
// not depend on an unlocked profile: it stores only sealed blobs it cannot
// read.
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
		return "", errors.New("the network is not started")
	}
	e.mu.Unlock()
	cfg := e.cfg.Server
	cfg.DataDir = filepath.Join(e.cfg.DataDir, "server")
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
	return s.Invite()
}

// HostedServer returns the invite text and counters of the server hosted by
// this app, or ErrNotHosting.
func (e *Engine) HostedServer() (string, groupserver.Stats, error) {
	e.mu.Lock()
	s := e.hosted
	e.mu.Unlock()
	if s == nil {
		return "", groupserver.Stats{}, ErrNotHosting
	}
	text, err := s.Invite()
	return text, s.Stats(), err
}

// StopServer stops the hosted group server; its data stays for the next
// HostServer.
func (e *Engine) StopServer() error {
	e.mu.Lock()
	s := e.hosted
	e.hosted = nil
	e.mu.Unlock()
	if s == nil {
		return nil
	}
	return s.Close()
}
