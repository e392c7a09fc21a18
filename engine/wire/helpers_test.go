package wire

import (
	"bytes"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKeys returns matching key sets for the two ends of a session.
func testKeys() (a, b Keys) {
	for i := range KeySize {
		a.Send[i] = byte(i)
		a.Recv[i] = byte(100 + i)
	}
	b.Send, b.Recv = a.Recv, a.Send
	return a, b
}

// bufConn is a net.Conn that reads from a fixed byte string (then io.EOF)
// and collects what is written to it.
type bufConn struct {
	r *bytes.Reader

	mu     sync.Mutex // guards w, closed
	w      bytes.Buffer
	closed bool
}

func newBufConn(in []byte) *bufConn { return &bufConn{r: bytes.NewReader(in)} }

func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }
func (c *bufConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.w.Write(p)
}
func (c *bufConn) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.w.Bytes())
}
func (c *bufConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}
func (c *bufConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c *bufConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (c *bufConn) SetDeadline(t time.Time) error      { return nil }
func (c *bufConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *bufConn) SetWriteDeadline(t time.Time) error { return nil }

// seal writes records with keys k and returns the bytes on the wire.
func seal(t testing.TB, k Keys, records ...[]byte) []byte {
	t.Helper()
	bc := newBufConn(nil)
	c, err := Open(bc, k, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if err := c.WriteRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	return bc.written()
}

// readAll opens the wire bytes with keys k and returns the records read and
// the error that ended the stream.
func readAll(t testing.TB, k Keys, wire []byte) ([][]byte, error) {
	t.Helper()
	return readAllInto(t, k, wire, -1)
}

// readAllInto is readAll reading every record into one buffer of bufCap
// bytes (ReadRecordInto), or into a new one each (bufCap < 0); the
// records returned are copies.
func readAllInto(t testing.TB, k Keys, wire []byte, bufCap int) ([][]byte, error) {
	t.Helper()
	c, err := Open(newBufConn(wire), k, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var buf []byte
	if bufCap >= 0 {
		buf = make([]byte, 0, bufCap)
	}
	var recs [][]byte
	for {
		r, err := c.ReadRecordInto(buf)
		if err != nil {
			return recs, err
		}
		recs = append(recs, bytes.Clone(r))
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}
