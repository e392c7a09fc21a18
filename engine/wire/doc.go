// Package wire provides Nook's encrypted framing: after the handshake, every
// byte on a peer connection belongs to a frame of exactly FrameSize (8192)
// bytes, sealed with ChaCha20-Poly1305 under one key per direction and a
// 64-bit counter nonce, and carrying a fragment of a record, or a keepalive.
//
// A Conn turns those frames into a record stream: WriteRecord fragments a
// record of up to MaxRecord bytes across frames (padding the last one), and
// ReadRecord reassembles it, checking the size cap before it allocates.
// Reads go through a buffer of 64 KiB (up to eight frames a read system
// call), which SetReadAhead enlarges while a bulk stream arrives (a group
// catch-up: 256 KiB); each frame is opened where that buffer holds it, and
// a record's later fragments straight into the record (ReadRecordInto).
// WriteRecords writes the frames of several records up to eight to a
// write. All of this changes only how bytes meet the system, never the
// frames: each is opened and checked on its own. Any frame that is
// tampered, replayed, reordered, truncated or malformed ends the Conn with
// an error that every later call returns again.
//
// The package knows nothing of Noise, Tor or record types: it takes a net.Conn
// and two 32-byte keys (produced by package handshake). The format is
// specified in docs/protocol.md §4.
package wire
