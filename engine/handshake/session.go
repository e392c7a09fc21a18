package handshake

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/wire"
)

// Session is an authenticated, encrypted connection to one peer. One
// goroutine may call Recv while another calls Send; Close may be called at
// any time.
type Session struct {
	conn      *wire.Conn
	peer      identity.Address
	version   uint16
	binding   []byte
	initiator bool
	rbuf      []byte // reused by Recv after a Blob, which decoding copies
}

// Peer returns the onion address the peer proved in the handshake.
func (s *Session) Peer() identity.Address { return s.peer }

// Version returns the negotiated protocol version.
func (s *Session) Version() uint16 { return s.version }

// Initiator reports whether this side dialled.
func (s *Session) Initiator() bool { return s.initiator }

// ChannelBinding returns the final handshake hash: a value unique to this
// session that both sides share, for proofs bound to the session (such as
// an invite's one-time secret).
func (s *Session) ChannelBinding() []byte { return bytes.Clone(s.binding) }

// LocalAddr returns the local address of the underlying connection.
func (s *Session) LocalAddr() net.Addr { return s.conn.LocalAddr() }

// Send encodes r and writes it. An invalid record is refused with an error
// wrapping protocol.ErrInvalid and the session stays usable; any other error
// ends the session.
func (s *Session) Send(r protocol.Record) error {
	b, err := protocol.Encode(r)
	if err != nil {
		return err
	}
	return s.conn.WriteRecord(b)
}

// SendAll encodes rs and writes them, in order, as that many Send calls
// would, but several frames to a write on the connection (a group
// server's catch-up stream). If one record is invalid, nothing is written
// and the error wraps protocol.ErrInvalid; any other error ends the
// session.
func (s *Session) SendAll(rs []protocol.Record) error {
	// The records are encoded one after another into a buffer kept for
	// the next call (WriteRecords is done with them when it returns): a
	// catch-up's stream allocates nothing per record.
	bp := encodeBufs.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxKeptEncodeBuf {
			encodeBufs.Put(bp)
		}
	}()
	buf := (*bp)[:0]
	ends := make([]int, len(rs))
	for i, r := range rs {
		var err error
		if buf, err = protocol.AppendEncode(buf, r); err != nil {
			return err
		}
		ends[i] = len(buf)
	}
	*bp = buf
	bs := make([][]byte, len(rs))
	start := 0
	for i, end := range ends {
		bs[i], start = buf[start:end:end], end
	}
	return s.conn.WriteRecords(bs)
}

// encodeBufs holds SendAll's encoding buffers, each kept only while at
// most maxKeptEncodeBuf bytes: a batch of packed Blobs records (the
// group server sends one at a time) fits, a rare larger one is left to
// the garbage collector.
var encodeBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxKeptEncodeBuf = 256 << 10

// Recv returns the next record. Records of unknown types or layout versions
// are skipped. A malformed record gives an error wrapping
// protocol.ErrMalformed and the session stays usable (call Recv again);
// any other error (wire.Err*, io.EOF when the peer closed) ends it.
func (s *Session) Recv() (protocol.Record, error) {
	r, b, err := s.RecvBuf(s.rbuf, nil)
	// A Blob's decoding copies it out of b, so b can hold the next
	// record; every other record may keep slices of b, which is then
	// theirs.
	s.rbuf = nil
	if _, ok := r.(*protocol.Blob); ok && cap(b) <= 2*wire.FrameSize {
		s.rbuf = b[:0]
	}
	return r, err
}

// RecvBuf is Recv reading the record into buf (grown if needed; nil
// allocates one) and returning the buffer it used, which the record may
// share (a Blobs record's blobs are slices of it): the caller owns it,
// and may hand it to a later RecvBuf once done with the record. A Blob
// record is decoded into blob when blob is not nil (protocol.DecodeInto).
// A catch-up that hands back its buffers and blobs allocates nothing per
// blob and copies none out of its record. A record skipped as unknown
// leaves no larger buffer behind: one grown to read it (up to
// wire.MaxRecord) is dropped and the next record read into buf. A
// caller that keeps the buffers it is given drops those grown past the
// size of the records it expects (a malformed record, or the one
// returned, may have grown one).
func (s *Session) RecvBuf(buf []byte, blob *protocol.Blob) (protocol.Record, []byte, error) {
	orig := buf
	for {
		b, err := s.conn.ReadRecordInto(buf)
		if err != nil {
			return nil, buf, err
		}
		r, err := protocol.DecodeInto(b, blob)
		if err != nil {
			return nil, b, fmt.Errorf("session: %w", err)
		}
		if _, ok := r.(*protocol.Unknown); ok {
			// Its body was copied: b is free again, unless it grew.
			buf = b
			if cap(b) > cap(orig) {
				buf = orig
			}
			continue
		}
		return r, b, nil
	}
}

// SetReadAhead sets how many bytes one read of the connection may take
// (wire.Conn.SetReadAhead): more while a bulk stream arrives, 0 for the
// default after it.
func (s *Session) SetReadAhead(n int) { s.conn.SetReadAhead(n) }

// Close closes the session and its connection. Closing twice is harmless.
func (s *Session) Close() error {
	err := s.conn.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
