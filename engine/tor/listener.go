package tor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"sync"

	"github.com/cretz/bine/control"
	bineed25519 "github.com/cretz/bine/torutil/ed25519"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
)

// Listen publishes an ephemeral v3 onion service (ADD_ONION ED25519-V3
// with the identity's key) that forwards Config.VirtualPort to a local
// listener on 127.0.0.1, and waits until tor has uploaded its descriptor.
//
// The returned listener outlives tor restarts: its local socket stays open,
// Accept keeps blocking, and the supervisor publishes the service again on
// every new tor. Its Addr() is a *transport.Addr. Close removes the
// service (DEL_ONION), which also ends its circuits, and closes the local
// socket.
//
// Errors: transport.ErrAddressInUse when the identity is already published
// through this transport; ErrClosed, ErrNotStarted, ErrFailed; ctx's error
// if the descriptor was not uploaded in time (the listener is closed then).
func (t *Tor) Listen(ctx context.Context, id *identity.Identity) (net.Listener, error) {
	addr := id.Address()
	t.mu.Lock()
	switch {
	case t.closed:
		t.mu.Unlock()
		return nil, ErrClosed
	case !t.started:
		t.mu.Unlock()
		return nil, ErrNotStarted
	}
	if _, ok := t.services[addr]; ok {
		t.mu.Unlock()
		return nil, fmt.Errorf("onion listen: %w", transport.ErrAddressInUse)
	}
	local, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.mu.Unlock()
		return nil, fmt.Errorf("onion listen: %w", err)
	}
	l := &onionListener{
		t:        t,
		local:    local,
		key:      bineed25519.FromCryptoPrivateKey(id.PrivateKey()),
		addr:     &transport.Addr{Address: addr, Port: t.cfg.VirtualPort},
		uploaded: make(chan struct{}),
	}
	t.services[addr] = l
	inst := t.inst
	t.mu.Unlock()

	if inst != nil {
		if err := l.publish(inst); err != nil {
			if dead, _ := inst.deadReason(); !dead {
				l.Close()
				return nil, fmt.Errorf("onion listen: %w", err)
			}
			// tor died meanwhile; the supervisor publishes on the next one.
		}
	}
	if err := l.waitUploaded(ctx); err != nil {
		l.Close()
		return nil, fmt.Errorf("onion listen: %w", err)
	}
	return l, nil
}

// onionListener is a published onion service. Its local socket belongs to
// it for its whole life; the onion service is re-added on each tor.
type onionListener struct {
	t     *Tor
	local net.Listener
	key   bineed25519.KeyPair // never logged
	addr  *transport.Addr

	uploadOnce sync.Once
	uploaded   chan struct{} // closed at the first descriptor upload

	mu        sync.Mutex // guards publishedOn
	published *instance  // the tor the service was last added to

	closeOnce sync.Once
}

// publish adds the service to inst. A collision on the same instance means
// it was already added there (by Listen and the supervisor both).
func (l *onionListener) publish(inst *instance) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.published == inst {
		return nil
	}
	_, err := inst.ctrl.AddOnion(&control.AddOnionRequest{
		Key:   &control.ED25519Key{KeyPair: l.key},
		Ports: []*control.KeyVal{{Key: strconv.Itoa(l.addr.Port), Val: l.local.Addr().String()}},
	})
	if err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code == 550 {
			// "Onion address collision": another controller of this tor
			// holds the key. (Our own listeners are caught by the map.)
			return fmt.Errorf("add onion service: %w", transport.ErrAddressInUse)
		}
		return fmt.Errorf("add onion service: %w", err)
	}
	l.published = inst
	return nil
}

func (l *onionListener) markUploaded() {
	l.uploadOnce.Do(func() { close(l.uploaded) })
}

// waitUploaded waits for the first descriptor upload, failing early when
// the transport fails or closes.
func (l *onionListener) waitUploaded(ctx context.Context) error {
	for {
		t := l.t
		t.mu.Lock()
		closed, status, changed := t.closed, t.status, t.changed
		t.mu.Unlock()
		switch {
		case closed:
			return ErrClosed
		case status.State == StateFailed:
			return fmt.Errorf("%w: %w", ErrFailed, status.Err)
		}
		select {
		case <-l.uploaded:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("waiting for the descriptor upload (%s): %w", status, ctx.Err())
		case <-changed:
		}
	}
}

// Accept waits for the next connection to the onion service. It keeps
// waiting across tor restarts, and returns an error wrapping net.ErrClosed
// after Close.
func (l *onionListener) Accept() (net.Conn, error) {
	c, err := l.local.Accept()
	if err != nil {
		return nil, err
	}
	// Tor connects from 127.0.0.1; the remote peer is anonymous.
	return &transport.Conn{Conn: c, Local: l.addr}, nil
}

// Addr returns the service's *transport.Addr.
func (l *onionListener) Addr() net.Addr { return l.addr }

// Close removes the onion service from tor and closes the local socket.
func (l *onionListener) Close() error {
	var err error
	l.closeOnce.Do(func() {
		t := l.t
		t.mu.Lock()
		if t.services[l.addr.Address] == l {
			delete(t.services, l.addr.Address)
		}
		inst := t.inst
		t.mu.Unlock()
		l.mu.Lock()
		if inst != nil && l.published == inst {
			if dead, _ := inst.deadReason(); !dead {
				err = inst.ctrl.DelOnion(string(l.addr.Address))
			}
		}
		l.published = nil
		l.mu.Unlock()
		err = errors.Join(err, l.closeLocal())
	})
	return err
}

// closeLocal closes the local socket, ending Accept.
func (l *onionListener) closeLocal() error {
	err := l.local.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
