package tor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
)

// Tor is the Tor transport: it runs and supervises its own tor process and
// implements transport.Transport with onion services and SOCKS dials.
//
// Lifecycle: New has no side effects; Start finds tor, writes the torrc and
// starts the supervisor (which launches tor); Close stops the supervisor
// and tor, closes all listeners and waits for every goroutine. A Tor is
// started at most once.
type Tor struct {
	cfg Config // with defaults applied by New

	notifier notifier

	mu         sync.Mutex // guards the fields below
	restarting bool
	started    bool
	closed     bool
	exe        string
	paths      paths
	cancel     context.CancelFunc
	done       chan struct{}                       // closed when the supervisor returned
	inst       *instance                           // the running tor, nil between instances
	status     Status                              // the latest status
	changed    chan struct{}                       // closed and replaced at every status change
	services   map[identity.Address]*onionListener // published (or to publish) services
}

var (
	_ transport.Transport           = (*Tor)(nil)
	_ transport.DescriptorForgetter = (*Tor)(nil)
)

// New returns a Tor transport for cfg. It does nothing else.
func New(cfg Config) *Tor {
	c := cfg.withDefaults()
	return &Tor{
		cfg:      c,
		changed:  make(chan struct{}),
		services: make(map[identity.Address]*onionListener),
		status:   Status{State: StateStopped},
	}
}

// Start validates the configuration, finds the tor binary, prepares the
// data directory and starts the supervisor, which launches tor and keeps it
// running. It returns without waiting for bootstrap; follow the status
// (Config.OnStatus, Status, WaitReady). ctx bounds only Start itself.
//
// Errors: ErrConfig; ErrTorNotFound (in an *Error with a Hint);
// ErrPublicNetworkInTest when called from a test binary without a
// PrivateNetwork.
func (t *Tor) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.cfg.validate(); err != nil {
		return err
	}
	if t.cfg.PrivateNetwork == nil && PublicForbidden() {
		return ErrPublicNetworkInTest
	}
	exe, err := FindBinary(t.cfg.TorPath, t.cfg.BundleDirs)
	if err != nil {
		return err
	}
	p := newPaths(t.cfg.DataDir)
	if err := os.MkdirAll(p.data, 0o700); err != nil {
		return fmt.Errorf("tor data directory: %w", err)
	}
	if err := os.Chmod(p.root, 0o700); err != nil {
		return fmt.Errorf("tor data directory: %w", err)
	}
	if err := os.WriteFile(p.defaults, nil, 0o600); err != nil {
		return fmt.Errorf("write torrc: %w", err)
	}
	if err := writeTorrc(p.torrc, torrc(&t.cfg, p, exe)); err != nil {
		return fmt.Errorf("write torrc: %w", err)
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	if t.started {
		return errors.New("tor transport already started")
	}
	t.started = true
	t.exe, t.paths = exe, p
	runCtx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.done = make(chan struct{})
	t.notifier.start(t.cfg.OnStatus)
	go t.supervise(runCtx)
	return nil
}

func writeTorrc(path string, lines []string) error {
	var b []byte
	for _, l := range lines {
		b = append(b, l...)
		b = append(b, '\n')
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Close closes all listeners, stops tor and the supervisor and waits for
// them. It is safe to call more than once and without Start.
func (t *Tor) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	started := t.started
	cancel, done := t.cancel, t.done
	var lns []*onionListener
	for _, l := range t.services {
		lns = append(lns, l)
	}
	t.mu.Unlock()

	for _, l := range lns {
		l.closeLocal()
	}
	if !started {
		return nil
	}
	cancel()
	<-done
	t.setStatus(Status{State: StateStopped})
	t.notifier.stop()
	return nil
}

// Status returns the latest status.
func (t *Tor) Status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status
}

// PID returns the process ID of the running tor, or 0 if none runs.
func (t *Tor) PID() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inst == nil {
		return 0
	}
	return t.inst.pid
}

// WaitReady waits until tor has bootstrapped (StateReady). It fails with
// ErrFailed when the supervisor gave up, ErrClosed after Close, or ctx's
// error.
func (t *Tor) WaitReady(ctx context.Context) error {
	_, err := t.readyInstance(ctx)
	return err
}

// readyInstance waits for a bootstrapped tor and returns it.
func (t *Tor) readyInstance(ctx context.Context) (*instance, error) {
	for {
		t.mu.Lock()
		switch {
		case t.closed:
			t.mu.Unlock()
			return nil, ErrClosed
		case !t.started:
			t.mu.Unlock()
			return nil, ErrNotStarted
		case t.status.State == StateFailed:
			err := t.status.Err
			t.mu.Unlock()
			return nil, fmt.Errorf("%w: %w", ErrFailed, err)
		case t.status.State == StateReady && t.inst != nil:
			inst := t.inst
			t.mu.Unlock()
			return inst, nil
		}
		changed := t.changed
		t.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for tor (%s): %w", t.Status(), ctx.Err())
		case <-changed:
		}
	}
}

// setStatus records s (with the restart count kept and the time set) and
// reports it.
func (t *Tor) setStatus(s Status) {
	t.mu.Lock()
	if s.Restarts == 0 {
		s.Restarts = t.status.Restarts
	}
	s.Time = t.cfg.Now()
	t.status = s
	close(t.changed)
	t.changed = make(chan struct{})
	t.notifier.post(s)
	t.mu.Unlock()
}
