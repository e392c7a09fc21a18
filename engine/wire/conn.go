package wire

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"time"
)

// Keys are the two direction keys of a session, as derived by the handshake.
type Keys struct {
	Send [KeySize]byte // seals frames this side writes
	Recv [KeySize]byte // opens frames this side reads
}

// Config tunes a Conn. The zero Config is valid: no keepalives, no idle
// timeout, no write timeout.
type Config struct {
	// KeepaliveInterval, if positive, makes the Conn write a keepalive frame
	// whenever it has written nothing for that long.
	KeepaliveInterval time.Duration
	// IdleTimeout, if positive, makes ReadRecord fail with ErrIdle when no
	// frame at all arrives for that long.
	IdleTimeout time.Duration
	// WriteTimeout, if positive, bounds each write to the connection: one
	// frame, or up to batchFrames frames of WriteRecords.
	WriteTimeout time.Duration
	// Now returns the current time for deadlines; time.Now when nil.
	Now func() time.Time
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Conn is an encrypted record stream over a net.Conn. One goroutine may call
// ReadRecord while another calls WriteRecord; Close may be called at any time
// from any goroutine.
type Conn struct {
	conn net.Conn
	cfg  Config

	closeOnce sync.Once
	closed    chan struct{} // closed by Close
	wg        sync.WaitGroup

	wmu   sync.Mutex // guards send, wout, werr, wrote
	send  *direction
	wout  []byte // sealed frames not yet written
	werr  error  // sticky write error
	wrote bool   // a frame was written since the last keepalive tick

	rmu  sync.Mutex // guards recv, rd, rbuf, rerr
	recv *direction
	rd   *frameReader // conn, read a buffer at a time
	rbuf [FrameSize]byte
	rerr error // sticky read error
}

// batchFrames is the most frames WriteRecords writes with one call.
const batchFrames = 8

// Open wraps c, which must have completed a handshake that produced keys,
// and returns the Conn. If cfg.KeepaliveInterval is set, Open starts the
// keepalive goroutine; Close stops it and waits for it. The Conn owns c.
func Open(c net.Conn, keys Keys, cfg Config) (*Conn, error) {
	send, err := newDirection(keys.Send[:])
	if err != nil {
		return nil, err
	}
	recv, err := newDirection(keys.Recv[:])
	if err != nil {
		return nil, err
	}
	wc := &Conn{conn: c, cfg: cfg, send: send, recv: recv, rd: newFrameReader(c), closed: make(chan struct{})}
	if cfg.KeepaliveInterval > 0 {
		wc.wg.Add(1)
		go wc.keepalive(cfg.KeepaliveInterval)
	}
	return wc, nil
}

// SetReadAhead sets how many bytes one read of the connection may take,
// from its next read on: a bulk stream (a group server's catch-up) reads
// more at a time, with fewer system calls and acknowledgements a byte,
// and goes back to the default (n of 0) once it is done, since a Conn
// keeps its buffer. n is taken as at least a frame, at most MaxReadAhead.
// It may be called while a read waits.
func (c *Conn) SetReadAhead(n int) {
	if n <= 0 {
		n = readBuffer
	}
	c.rd.setSize(n)
}

// LocalAddr and RemoteAddr return the addresses of the underlying conn.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote address of the underlying conn.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Close closes the underlying connection, which unblocks any ReadRecord or
// WriteRecord in progress, and waits for the keepalive goroutine. A second
// Close returns net.ErrClosed.
func (c *Conn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		close(c.closed)
		err = c.conn.Close()
		if errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
			err = nil // already closed after a failed read or write
		}
	})
	c.wg.Wait()
	return err
}

func (c *Conn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// WriteRecord writes p as one record: fragmented across as many frames as it
// needs, the last one padded. A record larger than MaxRecord is refused
// with ErrTooLarge before anything is written. After any other error the
// Conn is closed and every later WriteRecord returns the same error.
func (c *Conn) WriteRecord(p []byte) error {
	if len(p) > MaxRecord {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(p))
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	return c.writeRecord(p, 1)
}

// WriteRecords writes each of ps as one record, in order, exactly as as
// many WriteRecord calls would, but with one write to the connection for
// up to batchFrames frames: a stream of small records (a group server's
// catch-up) costs one system call per eight frames rather than per frame.
// A record larger than MaxRecord is refused with ErrTooLarge before
// anything is written.
func (c *Conn) WriteRecords(ps [][]byte) error {
	for _, p := range ps {
		if len(p) > MaxRecord {
			return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(p))
		}
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	for _, p := range ps {
		if err := c.writeRecord(p, batchFrames); err != nil {
			return err
		}
	}
	return c.flush()
}

// writeRecord seals p's frames, writing them whenever batch frames are
// waiting (WriteRecord: each frame with its own write, as before); c.wmu
// must be held.
func (c *Conn) writeRecord(p []byte, batch int) error {
	for first := true; first || len(p) > 0; first = false {
		n := min(len(p), MaxFragment)
		t := typeFinal
		if n < len(p) {
			t = typeMore
		}
		if err := c.sealFrame(t, p[:n]); err != nil {
			return err
		}
		if len(c.wout) >= batch*FrameSize {
			if err := c.flush(); err != nil {
				return err
			}
		}
		p = p[n:]
	}
	return nil
}

// writeFrame seals and writes one frame; c.wmu must be held.
func (c *Conn) writeFrame(t frameType, data []byte) error {
	if err := c.sealFrame(t, data); err != nil {
		return err
	}
	return c.flush()
}

// sealFrame seals one frame after those waiting in c.wout; c.wmu must be
// held.
func (c *Conn) sealFrame(t frameType, data []byte) error {
	n := len(c.wout)
	c.wout = slices.Grow(c.wout, FrameSize)[:n+FrameSize]
	frame := c.wout[n:]
	encodePlaintext(frame[:PlaintextSize], t, data)
	if err := c.send.seal(frame); err != nil {
		return c.failWrite(err)
	}
	return nil
}

// flush writes the frames waiting in c.wout; c.wmu must be held.
func (c *Conn) flush() error {
	if len(c.wout) == 0 {
		return nil
	}
	if c.cfg.WriteTimeout > 0 {
		if err := c.conn.SetWriteDeadline(c.cfg.now().Add(c.cfg.WriteTimeout)); err != nil {
			return c.failWrite(err)
		}
	}
	_, err := c.conn.Write(c.wout)
	c.wout = c.wout[:0]
	if err != nil {
		return c.failWrite(err)
	}
	c.wrote = true
	return nil
}

// failWrite records err as the sticky write error and closes the
// connection: a peer that got part of a record cannot resynchronise.
func (c *Conn) failWrite(err error) error {
	switch {
	case c.isClosed():
		err = ErrClosed
	case errors.Is(err, ErrExhausted):
	default:
		err = fmt.Errorf("wire: write: %w", err)
	}
	c.werr = err
	c.conn.Close()
	return err
}

// keepalive writes a keepalive frame every interval in which nothing else
// was written. It runs until Close or a write error.
func (c *Conn) keepalive(interval time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.closed:
			return
		case <-t.C:
		}
		c.wmu.Lock()
		var err error
		if c.werr != nil {
			err = c.werr
		} else if !c.wrote {
			err = c.writeFrame(typeKeepalive, nil)
		}
		c.wrote = false
		c.wmu.Unlock()
		if err != nil {
			return
		}
	}
}

// ReadRecord reads the next record. Keepalive frames are skipped. At the end
// of the stream on a record boundary it returns io.EOF. After any error the
// Conn is closed and every later ReadRecord returns the same error. The
// returned slice belongs to the caller.
func (c *Conn) ReadRecord() ([]byte, error) {
	return c.ReadRecordInto(nil)
}

// ReadRecordInto is ReadRecord reading the record into buf[:0], growing it
// if needed: a reader that is done with each record before the next (a
// catch-up decoding blobs) allocates nothing per record. The result may
// share buf's memory, and all of buf's capacity may be written (a frame is
// opened whole into it), not only the record's length.
func (c *Conn) ReadRecordInto(buf []byte) ([]byte, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.rerr != nil {
		return nil, c.rerr
	}
	rec, err := c.readRecord(buf)
	if err != nil {
		if c.isClosed() && !errors.Is(err, io.EOF) {
			err = ErrClosed
		}
		c.rerr = err
		c.conn.Close()
		return nil, err
	}
	return rec, nil
}

func (c *Conn) readRecord(buf []byte) ([]byte, error) {
	var rec []byte
	if buf != nil {
		rec = buf[:0]
	}
	started := false
	for {
		if c.cfg.IdleTimeout > 0 {
			if err := c.conn.SetReadDeadline(c.cfg.now().Add(c.cfg.IdleTimeout)); err != nil {
				return nil, fmt.Errorf("wire: read: %w", err)
			}
		}
		// The frame is opened where the read buffer holds it: one copy of
		// its bytes fewer than reading it out first.
		frame, err := c.rd.peek()
		if err != nil {
			if errors.Is(err, io.EOF) && len(frame) > 0 {
				err = io.ErrUnexpectedEOF
			}
			switch {
			case errors.Is(err, io.EOF) && !started:
				return nil, io.EOF
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				return nil, fmt.Errorf("%w: %w", ErrTruncated, io.ErrUnexpectedEOF)
			case errors.Is(err, os.ErrDeadlineExceeded) && c.cfg.IdleTimeout > 0:
				return nil, fmt.Errorf("%w: %w", ErrIdle, err)
			default:
				return nil, fmt.Errorf("wire: read: %w", err)
			}
		}
		// After the record's first fragment, and while rec has room for a
		// whole plaintext, the frame is opened into rec itself, its
		// header over rec's last HeaderSize bytes (kept aside and put
		// back): its data lands where it belongs, without a copy.
		inPlace := len(rec) >= HeaderSize && cap(rec)-len(rec) >= PlaintextSize-HeaderSize
		dst := c.rbuf[:0]
		var kept [HeaderSize]byte
		if inPlace {
			dst = rec[len(rec)-HeaderSize : len(rec)-HeaderSize]
			copy(kept[:], rec[len(rec)-HeaderSize:])
		}
		plain, err := c.recv.openInto(dst, frame)
		c.rd.discard()
		var t frameType
		var data []byte
		if err == nil {
			t, data, err = parsePlaintext(plain)
		}
		if inPlace {
			// Also after a failed open, which clears what it wrote.
			copy(rec[len(rec)-HeaderSize:], kept[:])
		}
		if err != nil {
			return nil, err
		}
		if t == typeKeepalive {
			continue
		}
		if len(rec)+len(data) > MaxRecord {
			return nil, fmt.Errorf("%w: peer sent more than %d bytes", ErrTooLarge, MaxRecord)
		}
		switch {
		case inPlace:
			rec = rec[:len(rec)+len(data)]
		case rec == nil:
			rec = append(make([]byte, 0, len(data)), data...)
		default:
			rec = append(rec, data...)
		}
		started = true
		if t == typeFinal {
			return rec, nil
		}
	}
}
