package tortest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
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
// (a bridge's obfs4 port, a snowflake broker), refusing all others
// ("connection not allowed by ruleset"): the directory authority and the
// relays are out of reach.
//
// With AllowUDP it also relays UDP (SOCKS5 UDP ASSOCIATE, which
// snowflake-client uses for WebRTC behind a proxy), to 127.0.0.0/8 only:
// a censor that cannot block every UDP flow, as WebRTC's are. It records
// every destination it was asked for; Outside lists those off
// 127.0.0.0/8 (refused, so nothing reaches them), which a test turns into
// a failure.
type Censor struct {
	Addr string

	ln net.Listener
	wg sync.WaitGroup // the connections' goroutines

	mu        sync.Mutex                   // guards the fields below
	listenUDP func() (*net.UDPConn, error) // nil: UDP refused
	allowed   []int
	refused   []string // "127.0.0.1:port" of each refused connection
	passed    []string
	udp       map[string]bool   // UDP destinations: true relayed, false refused
	first     map[string][]byte // the first datagram to each UDP destination
	outside   []string          // destinations asked for off 127.0.0.0/8
	conns     map[io.Closer]struct{}
}

// StartCensor starts a censor that lets through connections to 127.0.0.1
// on the given ports only. Close stops it.
func StartCensor(allowedPorts ...int) (*Censor, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &Censor{Addr: ln.Addr().String(), ln: ln, allowed: allowedPorts,
		udp: map[string]bool{}, first: map[string][]byte{}, conns: map[io.Closer]struct{}{}}
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

// AllowUDP makes the censor relay UDP (SOCKS5 UDP ASSOCIATE) to
// 127.0.0.0/8, from sockets made by listen: for each association one,
// which may live in another network namespace (NetNS.ListenUDP) so that
// the datagrams reach a program there. Call it before the censor is used.
func (c *Censor) AllowUDP(listen func() (*net.UDPConn, error)) {
	c.mu.Lock()
	c.listenUDP = listen
	c.mu.Unlock()
}

// UDP returns the UDP destinations asked for so far, each once, and
// whether they were relayed.
func (c *Censor) UDP() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.udp)
}

// FirstDatagram returns the start (up to 512 bytes) of the first datagram
// a client sent to the UDP destination dst ("ip:port"), relayed or not.
func (c *Censor) FirstDatagram(dst string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.first[dst])
}

// Outside returns every destination the censor was asked for (TCP or UDP,
// by address or by name) that is not in 127.0.0.0/8. It refused them all;
// a test of loopback-only settings fails on any.
func (c *Censor) Outside() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.outside)
}

// Refused returns the destinations of the TCP connections refused so far;
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
	c.mu.Lock()
	conns := c.conns
	c.conns = nil // nothing is tracked from now on: track closes it
	c.mu.Unlock()
	err := c.ln.Close()
	for conn := range conns {
		conn.Close()
	}
	c.wg.Wait()
	return err
}

func (c *Censor) track(conn io.Closer) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conns == nil {
		return false
	}
	c.conns[conn] = struct{}{}
	return true
}

func (c *Censor) untrack(conn io.Closer) {
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
// IPv6 address; UDP ASSOCIATE) to decide.
func (c *Censor) handle(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := readRequest(conn)
	if err != nil {
		return
	}
	if req.name != "" {
		// Tor and the transports are given addresses; a name would be
		// looked up somewhere else.
		c.mu.Lock()
		c.outside = append(c.outside, "name "+req.name)
		c.mu.Unlock()
		conn.Write([]byte{5, 2, 0, 1, 0, 0, 0, 0, 0, 0}) // not allowed by ruleset
		return
	}
	if req.cmd == cmdUDP {
		c.associate(conn)
		return
	}
	dst := req.dst
	ok := dst.Addr().IsLoopback() && slices.Contains(c.allowed, int(dst.Port()))
	c.mu.Lock()
	if ok {
		c.passed = append(c.passed, dst.String())
	} else {
		c.refused = append(c.refused, dst.String())
	}
	if !dst.Addr().IsLoopback() {
		c.outside = append(c.outside, "tcp "+dst.String())
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

// inLoopback reports whether a is in 127.0.0.0/8 (::1 is loopback too,
// but not what the tests' settings name).
func inLoopback(a netip.Addr) bool {
	a = a.Unmap()
	return a.Is4() && a.IsLoopback()
}

// associate serves a UDP ASSOCIATE: datagrams the client sends to a
// socket here (front) with a SOCKS5 UDP header go out of another socket
// (back, made by the AllowUDP function) when their destination is in
// 127.0.0.0/8; what comes back to back returns to the client with the
// sender in the header. The association ends with the control connection.
func (c *Censor) associate(conn net.Conn) {
	c.mu.Lock()
	listen := c.listenUDP
	c.mu.Unlock()
	if listen == nil {
		conn.Write([]byte{5, 7, 0, 1, 0, 0, 0, 0, 0, 0}) // command not supported
		return
	}
	front, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		conn.Write([]byte{5, 1, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	if !c.track(front) {
		front.Close()
		return
	}
	defer c.untrack(front)
	back, err := listen()
	if err != nil {
		conn.Write([]byte{5, 1, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	if !c.track(back) {
		back.Close()
		return
	}
	defer c.untrack(back)
	fa := front.LocalAddr().(*net.UDPAddr)
	reply := []byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0}
	binary.BigEndian.PutUint16(reply[8:], uint16(fa.Port))
	if _, err := conn.Write(reply); err != nil {
		return
	}
	conn.SetDeadline(time.Time{})

	var mu sync.Mutex
	var client *net.UDPAddr // where the client sends from
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for {
			n, from, err := front.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if !from.IP.IsLoopback() {
				continue
			}
			mu.Lock()
			client = from
			mu.Unlock()
			dst, data, err := parseDatagram(buf[:n])
			if err != nil {
				continue
			}
			ok := inLoopback(dst.Addr())
			key := dst.String()
			c.mu.Lock()
			if _, seen := c.udp[key]; !seen {
				c.udp[key] = ok
				c.first[key] = slices.Clone(data[:min(len(data), 512)])
				if !dst.Addr().IsLoopback() {
					c.outside = append(c.outside, "udp "+key)
				}
			}
			c.mu.Unlock()
			if ok {
				back.WriteToUDPAddrPort(data, dst)
			}
		}
	})
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for {
			n, from, err := back.ReadFromUDPAddrPort(buf[10:])
			if err != nil {
				return
			}
			mu.Lock()
			to := client
			mu.Unlock()
			if to == nil || !from.Addr().Unmap().Is4() {
				continue
			}
			hdr := buf[:10]
			copy(hdr, []byte{0, 0, 0, 1})
			ip := from.Addr().Unmap().As4()
			copy(hdr[4:8], ip[:])
			binary.BigEndian.PutUint16(hdr[8:10], from.Port())
			front.WriteToUDP(buf[:10+n], to)
		}
	})
	io.Copy(io.Discard, conn) // until the client or Close ends it
	front.Close()
	back.Close()
	wg.Wait()
}

// parseDatagram reads a SOCKS5 UDP request header (RFC 1928 §7): no
// fragments, an IPv4 or IPv6 destination.
func parseDatagram(b []byte) (netip.AddrPort, []byte, error) {
	var none netip.AddrPort
	if len(b) < 4 || b[0] != 0 || b[1] != 0 || b[2] != 0 {
		return none, nil, errSOCKS
	}
	n := 0
	switch b[3] {
	case 1:
		n = 4
	case 4:
		n = 16
	default:
		return none, nil, errSOCKS
	}
	if len(b) < 4+n+2 {
		return none, nil, errSOCKS
	}
	addr, _ := netip.AddrFromSlice(b[4 : 4+n])
	port := binary.BigEndian.Uint16(b[4+n:])
	return netip.AddrPortFrom(addr.Unmap(), port), b[4+n+2:], nil
}

var errSOCKS = errors.New("censor: bad SOCKS5 request")

const (
	cmdConnect = 1
	cmdUDP     = 3
)

// request is a SOCKS5 request: CONNECT or UDP ASSOCIATE, to an address,
// or (refused) to a name.
type request struct {
	cmd  byte
	dst  netip.AddrPort
	name string // "host:port" when the request named a host
}

func readRequest(r io.ReadWriter) (request, error) {
	var none request
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
	if _, err := io.ReadFull(r, h); err != nil || h[0] != 5 || (h[1] != cmdConnect && h[1] != cmdUDP) {
		if err == nil {
			r.Write([]byte{5, 7, 0, 1, 0, 0, 0, 0, 0, 0}) // command not supported
		}
		return none, errSOCKS
	}
	req := request{cmd: h[1]}
	var ip []byte
	switch h[3] {
	case 1:
		ip = make([]byte, 4)
	case 4:
		ip = make([]byte, 16)
	case 3:
		if _, err := io.ReadFull(r, b[:1]); err != nil {
			return none, errSOCKS
		}
		name := make([]byte, int(b[0])+2)
		if _, err := io.ReadFull(r, name); err != nil {
			return none, errSOCKS
		}
		port := binary.BigEndian.Uint16(name[len(name)-2:])
		req.name = fmt.Sprintf("%q:%d", name[:len(name)-2], port)
		return req, nil
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
	req.dst = netip.AddrPortFrom(addr.Unmap(), binary.BigEndian.Uint16(port))
	return req, nil
}
