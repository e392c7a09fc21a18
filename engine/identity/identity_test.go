package identity

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// deterministic returns an identity from a fixed seed byte, for stable tests.
func deterministic(t testing.TB, b byte) *Identity {
	t.Helper()
	id, err := FromSeed(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAddressRoundTrip(t *testing.T) {
	for i := 0; i < 50; i++ {
		id, err := Generate(nil)
		if err != nil {
			t.Fatal(err)
		}
		a := id.Address()
		if len(a) != AddressLen {
			t.Fatalf("address %q has length %d", a, len(a))
		}
		if strings.ToLower(string(a)) != string(a) {
			t.Fatalf("address %q is not lower case", a)
		}
		for _, in := range []string{string(a), a.String(), strings.ToUpper(a.String()), "  " + string(a) + "\n"} {
			got, err := ParseAddress(in)
			if err != nil {
				t.Fatalf("ParseAddress(%q): %v", in, err)
			}
			if got != a {
				t.Fatalf("ParseAddress(%q) = %q, want %q", in, got, a)
			}
		}
		if !bytes.Equal(a.PublicKey(), id.PublicKey()) {
			t.Fatal("PublicKey of parsed address differs from the identity's")
		}
	}
}

// TestKnownAddress pins the derivation to a vector computed independently
// (rend-spec-v3 §6 with Python's cryptography, hashlib.sha3_256 and base64.b32encode) for
// the ed25519 key whose seed is 32 bytes of 0x01. The engine/tor tests check
// the same derivation against the hostname file that tor itself writes.
func TestKnownAddress(t *testing.T) {
	id := deterministic(t, 0x01)
	const wantPub = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
	if got := hex.EncodeToString(id.PublicKey()); got != wantPub {
		t.Fatalf("public key %s, want %s", got, wantPub)
	}
	const want = "rkeohxlubhyzl7ks3mwtzos5olfgocn7dwkbeg7toseadnapn5optfad"
	if got := string(id.Address()); got != want {
		t.Fatalf("address %s, want %s", got, want)
	}
}

func TestParseAddressErrors(t *testing.T) {
	good := string(deterministic(t, 0x02).Address())
	flip := func(s string, i int) string {
		c := s[i]
		r := byte('a')
		if c == 'a' {
			r = 'b'
		}
		return s[:i] + string(r) + s[i+1:]
	}
	// A version-2 style address: same key and checksum computed for version 2.
	raw, _ := b32.DecodeString(strings.ToUpper(good))
	raw[34] = 0x02
	wrongVersion := strings.ToLower(b32.EncodeToString(raw))

	// A valid checksum over bytes that are not a curve point.
	var notPoint []byte
	for y := byte(0); ; y++ {
		cand := bytes.Repeat([]byte{y}, 32)
		cand[31] = 0x7f // large y, most such encodings are not on the curve
		if !validPublicKey(cand) {
			notPoint = cand
			break
		}
	}
	// The identity point (small order): valid encoding, must still be refused.
	smallOrder := make([]byte, 32)
	smallOrder[0] = 1

	cases := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrAddressLength},
		{"short", good[:55], ErrAddressLength},
		{"long", good + "a", ErrAddressLength},
		{"only suffix", ".onion", ErrAddressLength},
		{"bad alphabet", good[:10] + "1" + good[11:], ErrAddressEncoding},
		{"bad alphabet 8", good[:10] + "8" + good[11:], ErrAddressEncoding},
		{"typo", flip(good, 3), ErrAddressChecksum},
		{"wrong version", wrongVersion, ErrAddressVersion},
		{"not a point", string(AddressFromPublicKey(notPoint)), ErrAddressKey},
		{"small order", string(AddressFromPublicKey(smallOrder)), ErrAddressKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAddress(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ParseAddress(%q) error = %v, want %v", tc.in, err, tc.want)
			}
		})
	}
}

func TestSignVerify(t *testing.T) {
	a, b := deterministic(t, 3), deterministic(t, 4)
	msg := []byte("hello")
	sig := a.Sign(msg)
	if !Verify(a.Address(), msg, sig) {
		t.Fatal("valid signature rejected")
	}
	if Verify(b.Address(), msg, sig) {
		t.Fatal("signature accepted for the wrong address")
	}
	if Verify(a.Address(), []byte("hellO"), sig) {
		t.Fatal("signature accepted for another message")
	}
}

// TestX25519Agreement checks that the Montgomery keys derived from two
// ed25519 identities agree on a shared secret, which is what the handshake
// relies on.
func TestX25519Agreement(t *testing.T) {
	a, b := deterministic(t, 5), deterministic(t, 6)
	privA, err := ecdh.X25519().NewPrivateKey(a.X25519Private())
	if err != nil {
		t.Fatal(err)
	}
	privB, err := ecdh.X25519().NewPrivateKey(b.X25519Private())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(privA.PublicKey().Bytes(), X25519Public(a.Address())) {
		t.Fatal("X25519 public key from the address differs from the one of the private key")
	}
	pubB, err := ecdh.X25519().NewPublicKey(X25519Public(b.Address()))
	if err != nil {
		t.Fatal(err)
	}
	pubA, err := ecdh.X25519().NewPublicKey(X25519Public(a.Address()))
	if err != nil {
		t.Fatal(err)
	}
	s1, err := privA.ECDH(pubB)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := privB.ECDH(pubA)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s1, s2) {
		t.Fatal("shared secrets differ")
	}
}

func TestFromSeedLength(t *testing.T) {
	if _, err := FromSeed(make([]byte, 31)); err == nil {
		t.Fatal("31-byte seed accepted")
	}
	id := deterministic(t, 7)
	again, err := FromSeed(id.Seed())
	if err != nil || again.Address() != id.Address() {
		t.Fatal("seed does not round-trip")
	}
	if !bytes.Equal(id.PrivateKey(), ed25519.NewKeyFromSeed(id.Seed())) {
		t.Fatal("private key does not match seed")
	}
}

// FuzzParseAddress feeds arbitrary text to the parser: it must never panic,
// and anything it accepts must be canonical and round-trip.
func FuzzParseAddress(f *testing.F) {
	f.Add(string(deterministic(f, 1).Address()))
	f.Add(deterministic(f, 2).Address().String())
	f.Add("")
	f.Add("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			return
		}
		if len(a) != AddressLen {
			t.Fatalf("accepted address of length %d", len(a))
		}
		if AddressFromPublicKey(a.PublicKey()) != a {
			t.Fatalf("accepted %q which does not round-trip", s)
		}
		again, err := ParseAddress(a.String())
		if err != nil || again != a {
			t.Fatalf("canonical form %q does not re-parse: %v", a, err)
		}
	})
}
