package invite

import (
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

// TestRistretto checks the token-key validation against RFC 9496 Appendix A:
// the encodings of small multiples of the generator are accepted (except
// the identity, which is no key), and the listed bad encodings refused.
func TestRistretto(t *testing.T) {
	valid := []string{
		"e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76", // B
		"6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919", // 2B
		"94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259", // 3B
		"da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57", // 4B
	}
	invalid := []string{
		"0000000000000000000000000000000000000000000000000000000000000000", // identity
		// Non-canonical field encodings.
		"00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		// Negative field elements.
		"0100000000000000000000000000000000000000000000000000000000000000",
		"01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		// Non-square x².
		"26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
		"4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
		// Negative xy value.
		"3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
		// s = -1, which yields y = 0.
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	}
	for _, h := range valid {
		if !validRistretto(mustHex32(h)) {
			t.Errorf("valid element %s refused", h)
		}
	}
	for _, h := range invalid {
		if validRistretto(mustHex32(h)) {
			t.Errorf("invalid encoding %s accepted", h)
		}
	}
}

func TestBundleRoundTrip(t *testing.T) {
	b := testBundle(t)
	if err := b.Verify(); err != nil {
		t.Fatal(err)
	}
	if b.Version != BundleVersion || [32]byte(testID(t, 0x21).PublicKey()) != b.SigningKey {
		t.Fatal("Sign did not fill in version and signing key")
	}
	enc, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != BundleSize {
		t.Fatalf("encoded bundle has %d bytes, want %d", len(enc), BundleSize)
	}
	got, err := ParseBundle(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(b) {
		t.Fatal("bundle changed in a round trip")
	}
	// A change to any byte of the encoding is detected.
	for i := range enc {
		c := append([]byte(nil), enc...)
		c[i] ^= 1 << (i % 8)
		if _, err := ParseBundle(c); err == nil {
			t.Fatalf("bundle with bit %d of byte %d flipped accepted", i%8, i)
		}
	}
	// A creation time after the year 9999 would not survive time.Time.
	far := append([]byte(nil), enc...)
	far[97] = 0x7f
	if err := new(Bundle).UnmarshalBinary(far); !errors.Is(err, ErrMalformed) {
		t.Errorf("creation time far in the future: %v", err)
	}
	for _, n := range []int{0, 1, BundleSize - 1, BundleSize + 1} {
		data := make([]byte, n)
		if n > 0 {
			data[0] = BundleVersion
		}
		if err := new(Bundle).UnmarshalBinary(data); !errors.Is(err, ErrMalformed) {
			t.Errorf("UnmarshalBinary of %d bytes: %v", n, err)
		}
	}
}

func TestBundleSignature(t *testing.T) {
	b := testBundle(t)
	// Another key's signature over the same fields does not verify.
	other := *b
	other.SigningKey = [32]byte(testID(t, 0x22).PublicKey())
	if err := other.Verify(); !errors.Is(err, ErrSignature) {
		t.Fatalf("signature under another key: %v", err)
	}
	// Changing any field after signing breaks the signature.
	for name, f := range map[string]func(*Bundle){
		"address": func(b *Bundle) { b.Address = testID(t, 0x23).Address() },
		"token": func(b *Bundle) {
			b.TokenKey = mustHex32("6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919")
		},
		"created": func(b *Bundle) { b.Created = b.Created.Add(time.Second) },
	} {
		c := *b
		f(&c)
		if err := c.Verify(); !errors.Is(err, ErrSignature) {
			t.Errorf("%s changed: %v", name, err)
		}
	}
	// The signature covers a labelled message, not the bare encoding.
	enc, _ := b.MarshalBinary()
	bare := *b
	copy(bare.Signature[:], testID(t, 0x21).Sign(enc[:BundleSize-64]))
	if err := bare.Verify(); !errors.Is(err, ErrSignature) {
		t.Fatalf("signature without label: %v", err)
	}
	// Unsigned, unversioned and incomplete bundles.
	if err := (&Bundle{}).Verify(); !errors.Is(err, ErrVersion) {
		t.Errorf("zero bundle: %v", err)
	}
	noTime := &Bundle{Address: b.Address, TokenKey: b.TokenKey}
	if err := noTime.Sign(testID(t, 0x21)); !errors.Is(err, ErrMalformed) {
		t.Errorf("Sign without a time: %v", err)
	}
	if _, err := (&Bundle{Version: 1, Created: b.Created}).MarshalBinary(); !errors.Is(err, ErrAddress) {
		t.Errorf("MarshalBinary without an address: %v", err)
	}
	if got := hex.EncodeToString(b.TokenKey[:]); got != hex.EncodeToString(ristrettoGenerator[:]) {
		t.Fatal(got)
	}
}
