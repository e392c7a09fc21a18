package tortest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/tor"
)

// Censor is a SOCKS5 proxy on 127.0.0.1 standing for a network that blocks
// Tor: a tor configured to use it (Network.Censored) makes every
// connection through it, its pluggable transports too (TOR_PT_PROXY), and
// the censor lets through only connections to the allowed loopback ports
// (a bridge's obfs4 port), refusing all others ("connection not allowed by
// ruleset"): the directory authority and the relays are out of reach.
type Censor struct {
	Addr string

	ln      net.Listener
	mu      sync.Mutex // guards allowed, refused, passed, conns
	allowed []int
	refused []string // "127.0.0.1:port" of each refused connection
	passed  []string
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

// StartCensor starts a censor that lets through connections to 127.0.0.1
// on the given ports only. Close stops it.
func StartCensor(allowedPorts ...int) (*Censor, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &Censor{Addr: ln.Addr().String(), ln: ln, allowed: allowedPorts, conns: map[net.Conn]struct{}{}}
	c.wg.Add(1)
	go c.serve()
	return c, nil
}

// Censored returns the private-network settings of a client behind the
// censor c.
func (n *Network) Censored(c *Censor) *tor.PrivateNetwork {
	pn := n.Client()
	pn.Proxy = c.Addr
	return pn
}

// Refused returns the destinations of the connections refused so far;
// Passed those let through.
func (c *Censor) Refused() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.refused)
}

// Passed returns the destinations of the connections let through so far.
func (c *Censor) Passed() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.passed)
}

// Close stops the censor and every connection through it, and waits.
func (c *Censor) Close() error {
	err := c.ln.Close()
	c.mu.Lock()
	for conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
	return err
}

func (c *Censor) track(conn net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conns == nil {
		return false
	}
	c.conns[conn] = struct{}{}
	return true
}

func (c *Censor) untrack(conn net.Conn) {
	c.mu.Lock()
	delete(c.conns, conn)
	c.mu.Unlock()
	conn.Close()
}

func (c *Censor) serve() {
	defer c.wg.Done()
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			c.mu.Lock()
			c.conns = nil
			c.mu.Unlock()
			return
		}
		if !c.track(conn) {
			conn.Close()
			return
		}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			defer c.untrack(conn)
			c.handle(conn)
		}()
	}
}

// handle speaks just enough SOCKS5 (RFC 1928: no authentication, or the
// username/password tor uses to isolate streams; CONNECT to an IPv4 or
// IPv6 address) to decide.
func (c *Censor) handle(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	dst, err := readConnect(conn)
	if err != nil {
		return
	}
	ok := dst.Addr().IsLoopback() && slices.Contains(c.allowed, int(dst.Port()))
	c.mu.Lock()
	if ok {
		c.passed = append(c.passed, dst.String())
	} else {
		c.refused = append(c.refused, dst.String())
	}
	c.mu.Unlock()
	if !ok {
		conn.Write([]byte{5, 2, 0, 1, 0, 0, 0, 0, 0, 0}) // not allowed by ruleset
		return
	}
	up, err := net.DialTimeout("tcp", dst.String(), 5*time.Second)
	if err != nil {
		conn.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0}) // refused
		return
	}
	if !c.track(up) {
		up.Close()
		return
	}
	defer c.untrack(up)
	if _, err := conn.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0}); err != nil {
		return
	}
	conn.SetDeadline(time.Time{})
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, conn); up.Close(); done <- struct{}{} }()
	go func() { io.Copy(conn, up); conn.Close(); done <- struct{}{} }()
	<-done
	<-done
}

var errSOCKS = errors.New("censor: bad SOCKS5 request")

func readConnect(r io.ReadWriter) (netip.AddrPort, error) {
	var none netip.AddrPort
	b := make([]byte, 2)
	if _, err := io.ReadFull(r, b); err != nil || b[0] != 5 || b[1] == 0 {
		return none, errSOCKS
	}
	methods := make([]byte, b[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return none, errSOCKS
	}
	switch {
	case slices.Contains(methods, 0):
		r.Write([]byte{5, 0})
	case slices.Contains(methods, 2):
		r.Write([]byte{5, 2})
		// username/password: version, ulen, user, plen, pass
		if _, err := io.ReadFull(r, b); err != nil || b[0] != 1 {
			return none, errSOCKS
		}
		skip := make([]byte, int(b[1])+1)
		if _, err := io.ReadFull(r, skip); err != nil {
			return none, errSOCKS
		}
		if _, err := io.ReadFull(r, make([]byte, int(skip[len(skip)-1]))); err != nil {
			return none, errSOCKS
		}
		r.Write([]byte{1, 0})
	default:
		r.Write([]byte{5, 0xff})
		return none, errSOCKS
	}
	h := make([]byte, 4)
	if _, err := io.ReadFull(r, h); err != nil || h[0] != 5 || h[1] != 1 {
		return none, errSOCKS
	}
	var ip []byte
	switch h[3] {
	case 1:
		ip = make([]byte, 4)
	case 4:
		ip = make([]byte, 16)
	default:
		r.Write([]byte{5, 8, 0, 1, 0, 0, 0, 0, 0, 0}) // address type not supported
		return none, fmt.Errorf("%w: address type %d", errSOCKS, h[3])
	}
	if _, err := io.ReadFull(r, ip); err != nil {
		return none, errSOCKS
	}
	port := make([]byte, 2)
	if _, err := io.ReadFull(r, port); err != nil {
		return none, errSOCKS
	}
	addr, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(addr.Unmap(), binary.BigEndian.Uint16(port)), nil
}
