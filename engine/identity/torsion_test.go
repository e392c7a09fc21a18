package identity

import (
	"encoding/hex"
	"errors"
	"testing"

	"filippo.io/edwards25519"
)

// mustPoint decodes a hex point encoding.
func mustPoint(t *testing.T, h string) *edwards25519.Point {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	p, err := new(edwards25519.Point).SetBytes(b)
	if err != nil {
		t.Fatalf("%s: %v", h, err)
	}
	return p
}

// TestParseAddressRefusesWhatTorRefuses: tor accepts an onion address only
// if its key is the canonical encoding of a point P with [ℓ]P the identity
// and P not the identity itself (rend-spec-v3 §6, "hs_address_is_valid");
// any other key makes tor answer "bad pubkey", so the contact or server
// could never be reached. Each vector is built here and checked to be what
// it claims before ParseAddress must refuse it.
func TestParseAddressRefusesWhatTorRefuses(t *testing.T) {
	id := deterministic(t, 0x05)
	key, err := new(edwards25519.Point).SetBytes(id.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	identityPoint := edwards25519.NewIdentityPoint()
	// A point of order 8 (one of the eight torsion points).
	t8 := mustPoint(t, "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	four := new(edwards25519.Point).Add(t8, t8)
	four.Add(four, four)
	if four.Equal(identityPoint) == 1 || new(edwards25519.Point).MultByCofactor(t8).Equal(identityPoint) != 1 {
		t.Fatal("t8 is not of order 8")
	}
	// The valid key with the torsion point added: on the curve, not of
	// small order (so the check before this test passed it), but [ℓ]P is
	// not the identity.
	mixed := new(edwards25519.Point).Add(key, t8).Bytes()

	// y = 3 written as 3 + p (2^255 - 19 + 3): a point on the curve, of
	// neither small nor prime order, in a non-canonical encoding.
	nonCanonical, _ := hex.DecodeString("f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	if p, err := new(edwards25519.Point).SetBytes(nonCanonical); err != nil || hex.EncodeToString(p.Bytes()) == hex.EncodeToString(nonCanonical) {
		t.Fatalf("vector is not a non-canonical point encoding: %v", err)
	}
	// The identity with the sign bit of x set (x is 0: non-canonical).
	negZero, _ := hex.DecodeString("0100000000000000000000000000000000000000000000000000000000000080")
	// The point of order 2, (0, -1).
	order2, _ := hex.DecodeString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")

	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"valid key plus a torsion point", mixed},
		{"non-canonical encoding", nonCanonical},
		{"identity with the sign bit set", negZero},
		{"point of order 2", order2},
		{"point of order 8", t8.Bytes()},
		{"identity", identityPoint.Bytes()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := string(AddressFromPublicKey(tc.key))
			if _, err := ParseAddress(addr); !errors.Is(err, ErrAddressKey) {
				t.Fatalf("ParseAddress(%s) error = %v, want ErrAddressKey", addr, err)
			}
		})
	}
	// The key itself, and its negation (also of prime order), still pass.
	for _, p := range []*edwards25519.Point{key, new(edwards25519.Point).Negate(key)} {
		if _, err := ParseAddress(string(AddressFromPublicKey(p.Bytes()))); err != nil {
			t.Fatalf("a valid key is refused: %v", err)
		}
	}
}
