// Package handshake provides the Nook peer handshake and the Session it
// yields: mutual authentication of two onion identities over any net.Conn,
// forward-secret session keys bound to the whole transcript, and a
// record-level Send/Recv on top of package wire's fixed-size frames.
//
// The handshake is Noise_XX_25519_ChaChaPoly_BLAKE2s with static keys that
// are the X25519 form of the peers' ed25519 identities, plus an ed25519
// signature by each side over the handshake hash (docs/protocol.md §3). The
// dialler calls Client with the address it dials and gets a Session only if
// the other side proves that identity; the listener calls Server and learns
// the dialler's proven address from Session.Peer.
//
// Import direction: handshake imports wire (frames) and protocol (records);
// neither of those imports anything of this package.
package handshake
