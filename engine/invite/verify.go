package invite

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
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

// safetyLabel separates safety-code fingerprints from every other use of
// SHA-512. Version 1 of the code hashed the two keys together; see
// SafetyCode for why version 2 does not.
const safetyLabel = "nook safety fingerprint v2\x00"

// SafetyCodeGroups and SafetyCodeDigits shape one key's fingerprint:
// groups of digits separated by spaces. A safety code is two fingerprints,
// 2 × SafetyCodeGroups groups.
const (
	SafetyCodeGroups = 6
	SafetyCodeDigits = 5
)

// fingerprintIterations is how many times the fingerprint hash is
// iterated, as in Signal's safety numbers: it multiplies by about 2^12.3
// the cost of every try of an attacker searching for a key with a given
// fingerprint, and costs about a millisecond per key to show.
const fingerprintIterations = 5200

// SafetyCode returns the safety code of two onion addresses: the same for
// both people whichever way round they are given, and different for any
// other pair. Two people who see the same code on their two screens know
// that each Nook talks to the other's address, not to someone in between.
//
// The code is the fingerprints of the two keys, each computed from one key
// alone, the smaller (as text) first: 60 digits in 12 groups of five.
// A key's fingerprint is
//
//	h_0  = "nook safety fingerprint v2\x00"
//	h_i  = SHA-512(h_{i-1} ‖ k)   for i = 1 … 5200
//	fp   = 6 groups, group j = uint40 big-endian(h_5200[5j : 5j+5]) mod 100000,
//	       as 5 digits with leading zeros, separated by spaces
//
// where k is the 32-byte ed25519 public key of the onion address.
//
// Why two fingerprints (security review 2, M-A): a man in the middle,
// Mallory, puts his key M1 in front of Bob and M2 in front of Alice, so
// that Alice sees code(A, M2) and Bob code(B, M1). With one hash over both
// keys he needed only code(A, M2) = code(B, M1), choosing both keys: a
// collision search, about the square root of 10^30 (2^50) tries. With a
// fingerprint per key, the two codes are equal only if fp(M1) = fp(A) and
// fp(M2) = fp(B): two second preimages of 30 digits (about 99.7 bits), each
// about 2^99.7 key generations of 5200 hashes.
func SafetyCode(a, b identity.Address) (string, error) {
	fa, err := fingerprint(a)
	if err != nil {
		return "", err
	}
	fb, err := fingerprint(b)
	if err != nil {
		return "", err
	}
	return min(fa, fb) + " " + max(fa, fb), nil
}

// fingerprint returns the safety-code fingerprint of one address's key
// (SafetyCode).
func fingerprint(a identity.Address) (string, error) {
	p, err := identity.ParseAddress(string(a))
	if err != nil {
		return "", err
	}
	k := p.PublicKey()
	h := sha512.New()
	sum := []byte(safetyLabel)
	for range fingerprintIterations {
		h.Reset()
		h.Write(sum)
		h.Write(k)
		sum = h.Sum(sum[:0])
	}
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
