// Package transport provides the small interface through which Nook's
// protocol code reaches peers: publish a service at an identity's onion
// address, and dial another identity's address. Protocol code receives and
// makes plain net.Conns and knows nothing of Tor.
//
// Two implementations exist: engine/tor (real onion services through a tor
// process the engine runs) and engine/transport/loopback (a directory of
// onion address → 127.0.0.1:port, for fast tests and local demos). Both
// report failures with the same sentinel errors, so upper layers treat an
// unreachable peer alike whatever carried the attempt, and both pass the
// conformance suite in engine/transport/transporttest.
//
// Semantics every implementation keeps:
//
//   - Listen publishes a service reachable at id.Address() and returns a
//     listener whose Addr() is an *Addr carrying that onion address.
//     Closing the listener unpublishes the service and makes Accept return
//     an error wrapping net.ErrClosed. Whether connections already accepted
//     survive is up to the implementation (loopback keeps them; Tor closes
//     the service's circuits, ending them). A second Listen for an address
//     that is still published fails with ErrAddressInUse.
//   - Dial connects to the service published at addr. A peer that is not
//     published (unknown, offline, closed) gives an error wrapping
//     ErrUnreachable. The returned conn's RemoteAddr() is an *Addr.
//   - The Transport value itself has no Close in this interface: its owner
//     (the engine) manages its lifecycle through the implementation's own
//     Start/Close.
package transport

import (
	"context"
	"errors"
	"net"
	"strconv"

	"github.com/nookchat/nook/engine/identity"
)

// Transport publishes services and dials them by onion address.
type Transport interface {
	// Listen publishes a service reachable at id.Address() and returns its
	// listener. The listener's Addr() is an *Addr.
	Listen(ctx context.Context, id *identity.Identity) (net.Listener, error)
	// Dial connects to the service published at addr.
	Dial(ctx context.Context, addr identity.Address) (net.Conn, error)
}

// DescriptorForgetter is an optional capability of a Transport that caches
// where onion services are (Tor does). ForgetOnionDescriptors drops the
// cache: a contact whose tor restarted publishes new introduction points,
// and a stale cached descriptor would keep every dial failing for up to 15
// minutes. The peer manager calls it after a dial times out.
type DescriptorForgetter interface {
	ForgetOnionDescriptors() error
}

// ErrUnreachable is returned (wrapped) by Transport.Dial when no service is
// published at the address or it cannot be reached: for Tor, the SOCKS
// replies "onion service descriptor not found", "introduction failed",
// "rendezvous failed", "host unreachable" and the like; for loopback, an
// unknown address or a refused connection. Callers retry later or report
// the peer as offline.
var ErrUnreachable = errors.New("peer unreachable")

// ErrAddressInUse is returned (wrapped) by Transport.Listen when a service
// for the same onion address is already published through this transport.
var ErrAddressInUse = errors.New("onion address already published")

// Network is the value of Addr.Network.
const Network = "onion"

// Addr is the net.Addr of an onion service: the listener's Addr() and a
// dialed conn's RemoteAddr().
type Addr struct {
	// Address is the onion address of the service.
	Address identity.Address
	// Port is the virtual port, or 0 where the implementation has none.
	Port int
}

// Network returns "onion".
func (a *Addr) Network() string { return Network }

// String returns "<address>.onion" or "<address>.onion:<port>".
func (a *Addr) String() string {
	if a.Port == 0 {
		return a.Address.String()
	}
	return net.JoinHostPort(a.Address.String(), strconv.Itoa(a.Port))
}

// AddressOf returns the onion address carried by a, if a is an *Addr.
func AddressOf(a net.Addr) (identity.Address, bool) {
	oa, ok := a.(*Addr)
	if !ok || oa == nil {
		return "", false
	}
	return oa.Address, true
}

// Conn wraps a net.Conn so that RemoteAddr reports the peer's onion address
// (and LocalAddr, when set, the local service's). Implementations return
// it from Dial with Remote set, and from Accept with Local set: an accepted
// connection's remote end is anonymous (its RemoteAddr is the underlying
// loopback address and means nothing); the peer proves who it is in the
// protocol's handshake.
type Conn struct {
	net.Conn
	Remote *Addr
	Local  net.Addr
}

// RemoteAddr returns the dialed onion address, when known.
func (c *Conn) RemoteAddr() net.Addr {
	if c.Remote != nil {
		return c.Remote
	}
	return c.Conn.RemoteAddr()
}

// LocalAddr returns Local when set, else the underlying conn's.
func (c *Conn) LocalAddr() net.Addr {
	if c.Local != nil {
		return c.Local
	}
	return c.Conn.LocalAddr()
}
