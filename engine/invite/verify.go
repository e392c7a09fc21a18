package invite

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/nookchat/nook/engine/identity"
)

// SecretSize is the length of a contact invite's one-time secret.
const SecretSize = 16

// ProofSize is the length of a proof made with a one-time secret.
const ProofSize = sha256.Size

// proofLabel separates invite proofs from every other use of HMAC-SHA256,
// and confirmLabel the inviter's confirmations from the proofs.
const (
	proofLabel   = "nook invite proof v1\x00"
	confirmLabel = "nook invite confirm v1\x00"
)

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
	return inviteMAC(proofLabel, secret, inviter, dialler, binding)
}

// Confirm returns what the inviter sends back to the dialler after
// redeeming the dialler's proof: the same MAC as Proof under another label,
//
//	HMAC-SHA256(secret, "nook invite confirm v1\x00" ‖ u16(len(inviter)) ‖ inviter ‖
//	            u16(len(dialler)) ‖ dialler ‖ binding)
//
// It shows the dialler that the Nook it reached checked the secret of the
// invite the dialler used, on this connection. It does not show who made
// that invite: anyone who makes an invite knows its secret.
func Confirm(secret Secret, inviter, dialler identity.Address, binding []byte) []byte {
	return inviteMAC(confirmLabel, secret, inviter, dialler, binding)
}

// VerifyConfirm reports, in constant time, whether confirm is
// Confirm(secret, inviter, dialler, binding).
func VerifyConfirm(secret Secret, inviter, dialler identity.Address, binding, confirm []byte) bool {
	return hmac.Equal(Confirm(secret, inviter, dialler, binding), confirm)
}

func inviteMAC(label string, secret Secret, inviter, dialler identity.Address, binding []byte) []byte {
	m := hmac.New(sha256.New, secret[:])
	m.Write([]byte(label))
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

// safetyLabel separates safety codes from every other use of SHA-256.
const safetyLabel = "nook safety code v1\x00"

// SafetyCodeGroups and SafetyCodeDigits shape a safety code: groups of
// digits separated by spaces.
const (
	SafetyCodeGroups = 6
	SafetyCodeDigits = 5
)

// SafetyCode returns the safety code of two onion addresses: the same for
// both people whichever way round they are given, and different for any
// other pair. Two people who see the same code on their two screens know
// that each Nook talks to the other's address, not to someone in between.
//
//	h    = SHA-256("nook safety code v1\x00" ‖ min(ka, kb) ‖ max(ka, kb))
//	code = 6 groups, group i = uint40 big-endian(h[5i : 5i+5]) mod 100000,
//	       as 5 digits with leading zeros, separated by spaces
//
// where ka and kb are the two ed25519 public keys (32 bytes each, ordered
// as byte strings). The 30 digits carry about 99.7 bits: to show a given
// pair's code with a key of their own, an attacker would need some 2^99
// key generations.
func SafetyCode(a, b identity.Address) (string, error) {
	pa, err := identity.ParseAddress(string(a))
	if err != nil {
		return "", err
	}
	pb, err := identity.ParseAddress(string(b))
	if err != nil {
		return "", err
	}
	ka, kb := pa.PublicKey(), pb.PublicKey()
	if bytes.Compare(ka, kb) > 0 {
		ka, kb = kb, ka
	}
	h := sha256.New()
	h.Write([]byte(safetyLabel))
	h.Write(ka)
	h.Write(kb)
	sum := h.Sum(nil)
	var out strings.Builder
	for i := range SafetyCodeGroups {
		var n uint64
		for _, c := range sum[5*i : 5*i+5] {
			n = n<<8 | uint64(c)
		}
		if i > 0 {
			out.WriteByte(' ')
		}
		fmt.Fprintf(&out, "%05d", n%100000)
	}
	return out.String(), nil
}
