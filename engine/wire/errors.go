package wire

import "errors"

// Errors that end a Conn. Each is returned (wrapped) by ReadRecord or
// WriteRecord, and then by every later call on the same Conn.
var (
	// ErrAuth is returned by ReadRecord when a frame fails authentication: it
	// was tampered with, replayed, reordered, dropped or injected, or the two
	// sides do not share keys.
	ErrAuth = errors.New("wire: frame failed authentication (tampered, replayed or out of order)")
	// ErrTruncated is returned by ReadRecord when the stream ends inside a
	// frame or between the fragments of one record.
	ErrTruncated = errors.New("wire: connection ended inside a frame or record")
	// ErrMalformed is returned by ReadRecord for an authentic frame that breaks
	// the frame rules (unknown type, bad length, non-zero padding).
	ErrMalformed = errors.New("wire: malformed frame")
	// ErrTooLarge is returned by WriteRecord for a record larger than
	// MaxRecord (the Conn stays usable), and by ReadRecord when the peer sends
	// one (the Conn is ended).
	ErrTooLarge = errors.New("wire: record larger than the limit")
	// ErrIdle is returned by ReadRecord when no frame, not even a keepalive,
	// arrived within Config.IdleTimeout.
	ErrIdle = errors.New("wire: peer idle for too long")
	// ErrExhausted is returned when a direction's frame counter is used up
	// (after 2^64-1 frames); a new handshake is needed.
	ErrExhausted = errors.New("wire: frame counter exhausted")
	// ErrClosed is returned by ReadRecord and WriteRecord after Close.
	ErrClosed = errors.New("wire: connection closed")
)
