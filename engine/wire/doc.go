// Package wire provides Nook's encrypted framing: after the handshake, every
// byte on a peer connection belongs to a frame of exactly FrameSize (8192)
// bytes, sealed with ChaCha20-Poly1305 under one key per direction and a
// 64-bit counter nonce, and carrying a fragment of a record, or a keepalive.
//
// A Conn turns those frames into a record stream: WriteRecord fragments a
// record of up to MaxRecord bytes across frames (padding the last one), and
// ReadRecord reassembles it, checking the size cap before it allocates. Any
// frame that is tampered, replayed, reordered, truncated or malformed ends the
// Conn with an error that every later call returns again.
//
// The package knows nothing of Noise, Tor or record types: it takes a net.Conn
// and two 32-byte keys (produced by package handshake). The format is
// specified in docs/protocol.md §4.
package wire
