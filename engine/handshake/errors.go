package handshake

import "errors"

// Handshake errors. Client and Server wrap exactly one of these (or a
// context or I/O error) when a handshake fails; each names one way it can
// fail, so tests and logs can tell an attack from a bug.
var (
	// ErrMalformed is returned by Client and Server when a handshake message
	// does not follow the format: wrong magic, non-canonical version offer,
	// non-zero padding, an invalid identity key.
	ErrMalformed = errors.New("handshake: malformed message")
	// ErrVersion is returned by Server when the dialler speaks another
	// handshake format or offers no protocol version the server supports.
	ErrVersion = errors.New("handshake: no common protocol version")
	// ErrDowngrade is returned by Client when the server's authenticated echo
	// of the version offer differs from what the client sent: someone on the
	// path altered the offer.
	ErrDowngrade = errors.New("handshake: version offer was altered (downgrade attempt)")
	// ErrAuth is returned by Client and Server when a handshake message fails
	// authentication: it was tampered with, corrupted, or replayed from
	// another session.
	ErrAuth = errors.New("handshake: message failed authentication")
	// ErrReplay is returned by Server when the first message carries an
	// ephemeral key that its ReplayCache has seen before.
	ErrReplay = errors.New("handshake: replayed first message")
	// ErrWrongPeer is returned by Client when the dialled side proves an
	// identity other than the address dialled.
	ErrWrongPeer = errors.New("handshake: peer is not the identity dialled")
	// ErrKeyMismatch is returned by Server when the dialler's handshake key is
	// not the key of the onion address it claims.
	ErrKeyMismatch = errors.New("handshake: peer's key does not match the address it claims")
	// ErrBadSignature is returned by Client and Server when the peer's
	// signature of the handshake does not verify under the address it
	// claims.
	ErrBadSignature = errors.New("handshake: peer's identity signature is invalid")
	// ErrTimeout is returned by Client and Server when the peer does not
	// send or accept a message within Config.Timeout.
	ErrTimeout = errors.New("handshake: peer did not respond in time")
)
