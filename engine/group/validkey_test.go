package group

import (
	"crypto/ed25519"
	"encoding/hex"
	"testing"

	"filippo.io/edwards25519"
)

// smallOrder are encodings of points of order 1, 2, 4 and 8.
var smallOrder = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
}

// TestValidPublicKey checks that keys of small order and bytes that are no
// point are refused every time, before and after the set of keys found
// valid fills and empties, and that real keys are accepted every time.
func TestValidPublicKey(t *testing.T) {
	var bad [][]byte
	for _, h := range smallOrder {
		b, _ := hex.DecodeString(h)
		p, err := new(edwards25519.Point).SetBytes(b)
		if err != nil || new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) != 1 {
			t.Fatalf("%s is not a point of small order (%v)", h, err)
		}
		bad = append(bad, b)
	}
	notPoint, _ := hex.DecodeString("0200000000000000000000000000000000000000000000000000000000000000")
	if _, err := new(edwards25519.Point).SetBytes(notPoint); err == nil {
		t.Fatal("test key is a point")
	}
	bad = append(bad, notPoint, make([]byte, 31), make([]byte, 33))

	var good [][]byte
	for i := range maxValidKeys + 10 {
		seed := make([]byte, ed25519.SeedSize)
		seed[0], seed[1] = byte(i), byte(i>>8)
		good = append(good, ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
	}
	for round := range 2 {
		for i, k := range good {
			if !validPublicKey(k) {
				t.Fatalf("round %d: key %d refused", round, i)
			}
			if i%500 == 0 {
				for _, b := range bad {
					if validPublicKey(b) {
						t.Fatalf("round %d after %d keys: %x accepted", round, i, b)
					}
				}
			}
		}
	}
}
