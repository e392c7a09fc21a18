package tortest

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// STUN is a STUN server (RFC 8489, Binding requests only) on a loopback
// UDP socket: the snowflake proxy's STUN server in the tests, instead of
// the public ones it uses by default. It answers each Binding request
// with the sender's address (XOR-MAPPED-ADDRESS) and counts them.
type STUN struct {
	conn     *net.UDPConn
	requests atomic.Int64
	wg       sync.WaitGroup
}

// ServeSTUN answers Binding requests on conn until Close.
func ServeSTUN(conn *net.UDPConn) *STUN {
	s := &STUN{conn: conn}
	s.wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			resp, err := stunAnswer(buf[:n], from)
			if err != nil {
				continue
			}
			s.requests.Add(1)
			conn.WriteToUDPAddrPort(resp, from)
		}
	})
	return s
}

// Addr is the server's address ("127.0.0.1:port").
func (s *STUN) Addr() string { return s.conn.LocalAddr().String() }

// Requests is how many Binding requests were answered.
func (s *STUN) Requests() int64 { return s.requests.Load() }

// Close stops the server and waits.
func (s *STUN) Close() error {
	err := s.conn.Close()
	s.wg.Wait()
	return err
}

const stunMagic = 0x2112A442

var errNotBinding = errors.New("stun: not a Binding request")

// stunAnswer returns the Binding success response to a Binding request
// req from from: the 20-byte header (type, length, magic cookie,
// transaction ID) and one XOR-MAPPED-ADDRESS attribute.
func stunAnswer(req []byte, from netip.AddrPort) ([]byte, error) {
	if len(req) < 20 || binary.BigEndian.Uint16(req) != 0x0001 ||
		binary.BigEndian.Uint32(req[4:]) != stunMagic ||
		int(binary.BigEndian.Uint16(req[2:]))+20 != len(req) {
		return nil, errNotBinding
	}
	ip := from.Addr().Unmap()
	if !ip.Is4() {
		return nil, errNotBinding
	}
	resp := make([]byte, 20+12)
	binary.BigEndian.PutUint16(resp, 0x0101)
	binary.BigEndian.PutUint16(resp[2:], 12)
	copy(resp[4:20], req[4:20]) // cookie and transaction ID
	a := resp[20:]
	binary.BigEndian.PutUint16(a, 0x0020) // XOR-MAPPED-ADDRESS
	binary.BigEndian.PutUint16(a[2:], 8)
	a[5] = 1 // IPv4
	binary.BigEndian.PutUint16(a[6:], from.Port()^(stunMagic>>16))
	b := ip.As4()
	binary.BigEndian.PutUint32(a[8:], binary.BigEndian.Uint32(b[:])^stunMagic)
	return resp, nil
}
