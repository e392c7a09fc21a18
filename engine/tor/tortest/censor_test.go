package tortest

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"
)

// socksUDP opens a UDP association through the censor at addr and returns
// the control connection and the relay's address.
func socksUDP(t *testing.T, addr string) (net.Conn, *net.UDPAddr) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte{5, 1, 0})
	b := make([]byte, 2)
	if _, err := io.ReadFull(c, b); err != nil || b[1] != 0 {
		t.Fatalf("method reply %v, %v", b, err)
	}
	c.Write([]byte{5, 3, 0, 1, 0, 0, 0, 0, 0, 0})
	r := make([]byte, 10)
	if _, err := io.ReadFull(c, r); err != nil {
		t.Fatal(err)
	}
	if r[1] != 0 {
		t.Fatalf("UDP ASSOCIATE refused: reply %d", r[1])
	}
	return c, &net.UDPAddr{IP: net.IP(r[4:8]), Port: int(binary.BigEndian.Uint16(r[8:]))}
}

func datagram(dst netip.AddrPort, data []byte) []byte {
	a := dst.Addr().As4()
	h := []byte{0, 0, 0, 1, a[0], a[1], a[2], a[3], 0, 0}
	binary.BigEndian.PutUint16(h[8:], dst.Port())
	return append(h, data...)
}

// TestCensorUDP: with AllowUDP the censor relays a client's datagrams to
// a loopback destination and the answers back, with the sender in the
// header; a datagram for an address off 127.0.0.0/8 is not sent, and
// Outside names it. Without AllowUDP an association is refused.
func TestCensorUDP(t *testing.T) {
	c, err := StartCensor()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctl, err := net.Dial("tcp", c.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ctl.Write([]byte{5, 1, 0, 5, 3, 0, 1, 0, 0, 0, 0, 0, 0})
	r := make([]byte, 12)
	if _, err := io.ReadFull(ctl, r); err != nil || r[3] != 7 {
		t.Fatalf("UDP ASSOCIATE without AllowUDP: reply %v, %v; want command not supported", r, err)
	}
	ctl.Close()

	c.AllowUDP(func() (*net.UDPConn, error) {
		return net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	})
	echo, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		b := make([]byte, 1500)
		for {
			n, from, err := echo.ReadFromUDP(b)
			if err != nil {
				return
			}
			echo.WriteToUDP(append([]byte("echo "), b[:n]...), from)
		}
	}()
	_, relay := socksUDP(t, c.Addr)
	u, err := net.DialUDP("udp4", nil, relay)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.SetDeadline(time.Now().Add(5 * time.Second))
	dst := echo.LocalAddr().(*net.UDPAddr).AddrPort()
	outside := netip.MustParseAddrPort("192.0.2.9:53")
	u.Write(datagram(outside, []byte("never")))
	u.Write(datagram(dst, []byte("hello")))
	b := make([]byte, 1500)
	n, err := u.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	from, data, err := parseDatagram(b[:n])
	if err != nil || from != dst || string(data) != "echo hello" {
		t.Fatalf("got %v %q %v; want %v %q", from, data, err, dst, "echo hello")
	}
	udp := c.UDP()
	if !udp[dst.String()] || udp[outside.String()] {
		t.Errorf("UDP destinations %v: want %v relayed and %v refused", udp, dst, outside)
	}
	if got := c.Outside(); !slices.Equal(got, []string{"udp " + outside.String()}) {
		t.Errorf("Outside = %v", got)
	}
	if got := c.FirstDatagram(outside.String()); string(got) != "never" {
		t.Errorf("FirstDatagram = %q", got)
	}
}

// TestCensorRefusesNames: a CONNECT by name is refused and listed by
// Outside (nothing it names is looked up).
func TestCensorRefusesNames(t *testing.T) {
	c, err := StartCensor(80)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn, err := net.Dial("tcp", c.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	name := "example.org"
	req := append([]byte{5, 1, 0, 5, 1, 0, 3, byte(len(name))}, name...)
	conn.Write(append(req, 0, 80))
	r := make([]byte, 12)
	if _, err := io.ReadFull(conn, r); err != nil || r[3] != 2 {
		t.Fatalf("reply %v, %v; want not allowed", r, err)
	}
	if got := c.Outside(); len(got) != 1 || got[0] != `name "example.org":80` {
		t.Errorf("Outside = %v", got)
	}
}

// TestSTUN: a Binding request gets the sender's address back.
func TestSTUN(t *testing.T) {
	sc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := ServeSTUN(sc)
	defer s.Close()
	u, err := net.Dial("udp4", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.SetDeadline(time.Now().Add(5 * time.Second))
	req := make([]byte, 20)
	binary.BigEndian.PutUint16(req, 1)
	binary.BigEndian.PutUint32(req[4:], stunMagic)
	copy(req[8:], "transaction!")
	u.Write(req)
	b := make([]byte, 100)
	n, err := u.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	me := u.LocalAddr().(*net.UDPAddr)
	if n != 32 || binary.BigEndian.Uint16(b) != 0x0101 || !bytes.Equal(b[8:20], req[8:20]) {
		t.Fatalf("response % x", b[:n])
	}
	port := binary.BigEndian.Uint16(b[26:]) ^ 0x2112
	ip := binary.BigEndian.Uint32(b[28:]) ^ stunMagic
	if int(port) != me.Port || ip != 0x7f000001 {
		t.Errorf("mapped %x:%d, want 127.0.0.1:%d", ip, port, me.Port)
	}
	if s.Requests() != 1 {
		t.Errorf("Requests = %d", s.Requests())
	}
}

// The parsers of bytes from the programs under test never panic, and
// what they accept is well formed.
func FuzzParseDatagram(f *testing.F) {
	f.Add(datagram(netip.MustParseAddrPort("127.0.0.1:9"), []byte("x")))
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 53})
	f.Add([]byte{0, 0, 1, 1, 127, 0, 0, 1, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		dst, data, err := parseDatagram(b)
		if err == nil && (!dst.IsValid() || len(data) > len(b)) {
			t.Fatalf("accepted %v %q", dst, data)
		}
	})
}

func FuzzReadRequest(f *testing.F) {
	f.Add([]byte{5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80})
	f.Add([]byte{5, 1, 2, 1, 1, 'u', 1, 'p', 5, 3, 0, 1, 0, 0, 0, 0, 0, 0})
	f.Add(append([]byte{5, 1, 0, 5, 1, 0, 3, 3}, "a.b\x00\x50"...))
	f.Add([]byte{5, 1, 0, 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80})
	f.Fuzz(func(t *testing.T, b []byte) {
		var out bytes.Buffer
		req, err := readRequest(struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(b), &out})
		if err == nil && req.name == "" && !req.dst.IsValid() {
			t.Fatalf("accepted a request without a destination: %+v", req)
		}
	})
}

func FuzzSTUNAnswer(f *testing.F) {
	req := make([]byte, 20)
	binary.BigEndian.PutUint16(req, 1)
	binary.BigEndian.PutUint32(req[4:], stunMagic)
	f.Add(req)
	f.Add(append(req[:2:2], 0, 4, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0))
	from := netip.MustParseAddrPort("127.0.0.1:3478")
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, err := stunAnswer(b, from)
		if err == nil && (len(resp) != 32 || !bytes.Equal(resp[4:20], b[4:20])) {
			t.Fatalf("answer % x to % x", resp, b)
		}
	})
}
