// Package loopback provides a transport.Transport without Tor: a directory
// maps onion addresses to 127.0.0.1 ports, Listen opens a TCP listener on
// loopback and registers it, Dial looks the address up and connects.
//
// It exists for fast tests of the protocol layers and for a local demo of
// several Nook processes on one machine (with a FileDirectory shared
// between them). It offers none of Tor's anonymity and never leaves
// 127.0.0.1: a directory entry pointing elsewhere is refused.
//
// Failures look like Tor's: dialing an address nobody published, or one
// whose listener was closed, gives an error wrapping
// transport.ErrUnreachable.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
)

// Transport is a transport.Transport over 127.0.0.1. The zero value is not
// usable; create one with New. It is safe for concurrent use.
type Transport struct {
	dir Directory
}

var _ transport.Transport = (*Transport)(nil)

// New returns a transport publishing into and looking up in dir. Transports
// sharing a directory reach each other. It has no side effects.
func New(dir Directory) *Transport { return &Transport{dir: dir} }

// NewNetwork returns n transports sharing one fresh in-memory directory.
func NewNetwork(n int) []*Transport {
	dir := NewMemoryDirectory()
	ts := make([]*Transport, n)
	for i := range ts {
		ts[i] = New(dir)
	}
	return ts
}

// Listen opens a TCP listener on 127.0.0.1 and publishes it at
// id.Address(). It fails with transport.ErrAddressInUse when the address is
// already published.
func (t *Transport) Listen(ctx context.Context, id *identity.Identity) (net.Listener, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loopback listen: %w", err)
	}
	addr := id.Address()
	hostport := ln.Addr().String()
	if err := t.dir.Publish(addr, hostport); err != nil {
		ln.Close()
		return nil, fmt.Errorf("loopback listen: %w", err)
	}
	return &listener{Listener: ln, dir: t.dir, addr: &transport.Addr{Address: addr}, hostport: hostport}, nil
}

// Dial connects to the listener published at addr. An unknown address or a
// refused connection gives an error wrapping transport.ErrUnreachable.
func (t *Transport) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	hostport, ok, err := t.dir.Lookup(addr)
	if err != nil {
		return nil, fmt.Errorf("loopback dial: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("loopback dial: not published: %w", transport.ErrUnreachable)
	}
	if err := checkLoopback(hostport); err != nil {
		return nil, fmt.Errorf("loopback dial: %w", err)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("loopback dial: %w: %w", transport.ErrUnreachable, err)
		}
		return nil, fmt.Errorf("loopback dial: %w", err)
	}
	return &transport.Conn{Conn: c, Remote: &transport.Addr{Address: addr}}, nil
}

// checkLoopback refuses directory entries that do not point at 127.0.0.0/8.
func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("bad directory entry %q: %w", hostport, err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("directory entry %q is not on loopback", hostport)
	}
	return nil
}

// listener unpublishes its address on Close.
type listener struct {
	net.Listener
	dir      Directory
	addr     *transport.Addr
	hostport string

	once     sync.Once
	closeErr error
}

func (l *listener) Addr() net.Addr { return l.addr }

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &transport.Conn{Conn: c, Local: l.addr}, nil
}

func (l *listener) Close() error {
	l.once.Do(func() {
		err := l.dir.Unpublish(l.addr.Address, l.hostport)
		l.closeErr = errors.Join(l.Listener.Close(), err)
	})
	return l.closeErr
}
