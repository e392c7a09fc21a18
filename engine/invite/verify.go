package invite

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/nookchat/nook/engine/identity"
)

// SecretSize is the length of a contact invite's one-time secret.
const SecretSize = 16

// ProofSize is the length of a proof made with a one-time secret.
const ProofSize = sha256.Size

// proofLabel separates invite proofs from every other use of HMAC-SHA256.
const proofLabel = "nook invite proof v1\x00"

// Secret is a contact invite's one-time secret. Its String and GoString
// methods hide the value, so that it cannot leak into a log by accident.
type Secret [SecretSize]byte

// NewSecret draws a secret from r (crypto/rand when nil).
func NewSecret(r io.Reader) (Secret, error) {
	if r == nil {
		r = rand.Reader
	}
	var s Secret
	for s.IsZero() { // the zero secret means "none"
		if _, err := io.ReadFull(r, s[:]); err != nil {
			return Secret{}, fmt.Errorf("draw invite secret: %w", err)
		}
	}
	return s, nil
}

// IsZero reports whether s is the zero secret, which means "no secret".
func (s Secret) IsZero() bool { return s == Secret{} }

// String returns a placeholder, never the secret.
func (s Secret) String() string { return "invite.Secret(redacted)" }

// GoString returns a placeholder, never the secret.
func (s Secret) GoString() string { return s.String() }

// Proof returns what a dialler who got a contact invite with secret sends on
// its first connection to the inviter, to show that it holds the invite:
//
//	HMAC-SHA256(secret, "nook invite proof v1\x00" ‖ u16(len(inviter)) ‖ inviter ‖
//	            u16(len(dialler)) ‖ dialler ‖ binding)
//
// where inviter and dialler are the two onion addresses (56 lower-case
// characters each) and binding is the handshake's channel binding
// (handshake.Session.ChannelBinding), which ties the proof to this one
// authenticated connection.
func Proof(secret Secret, inviter, dialler identity.Address, binding []byte) []byte {
	m := hmac.New(sha256.New, secret[:])
	m.Write([]byte(proofLabel))
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(inviter)))
	m.Write(n[:])
	m.Write([]byte(inviter))
	binary.BigEndian.PutUint16(n[:], uint16(len(dialler)))
	m.Write(n[:])
	m.Write([]byte(dialler))
	m.Write(binding)
	return m.Sum(nil)
}

// VerifyProof reports, in constant time, whether proof is Proof(secret,
// inviter, dialler, binding).
func VerifyProof(secret Secret, inviter, dialler identity.Address, binding, proof []byte) bool {
	return hmac.Equal(Proof(secret, inviter, dialler, binding), proof)
}

// Proof returns the proof the dialler (at address dialler) sends to the
// inviter on the connection with the given channel binding. It returns
// ErrNoSecret if the invite carries no secret.
func (c *ContactInvite) Proof(dialler identity.Address, binding []byte) ([]byte, error) {
	if c.secret.IsZero() {
		return nil, ErrNoSecret
	}
	return Proof(c.secret, c.addr, dialler, binding), nil
}
