package tokens

import (
	"bytes"
	"errors"
	mrand "math/rand/v2"
	"testing"

	"filippo.io/edwards25519"
	"github.com/cloudflare/circl/oprf"
)

// keyFrom returns the issuer key whose scalar is 64 bytes of b reduced
// (zero taken as one), for tests that want many keys.
func keyFrom(t testing.TB, b []byte) *IssuerKey {
	t.Helper()
	var wide [64]byte
	copy(wide[:], b)
	s, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
	if s.Equal(edwards25519.NewScalar()) == 1 {
		s, _ = edwards25519.NewScalar().SetCanonicalBytes(append([]byte{1}, make([]byte, 31)...))
	}
	k, err := ParseIssuerKey(s.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// circlEvaluate is circl's FullEvaluate under k (the evaluation that
// Verify used before internal/r255).
func circlEvaluate(t testing.TB, k *IssuerKey, input []byte) []byte {
	t.Helper()
	out, err := oprf.NewVerifiableServer(suite, k.sk).FullEvaluate(input)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFullEvaluateMatchesCircl compares the redemption check's evaluation
// with circl's on 3000 random keys, each with a random input of 0 to 100
// bytes (the 32 bytes of a token's input among them), and checks that
// Verify accepts the output and refuses it with one bit changed in the
// output or the input.
func TestFullEvaluateMatchesCircl(t *testing.T) {
	r := mrand.NewChaCha8([32]byte{9})
	for i := range 3000 {
		var kb [64]byte
		r.Read(kb[:])
		k := keyFrom(t, kb[:])
		n := int(r.Uint64() % 101)
		if i%3 == 0 {
			n = InputSize
		}
		input := make([]byte, n)
		r.Read(input)
		got, ok := k.eval.fullEvaluate(input)
		want := circlEvaluate(t, k, input)
		if !ok || !bytes.Equal(got[:], want) {
			t.Fatalf("key %x, input %x: %x, circl %x", kb, input, got, want)
		}
		if n != InputSize {
			continue
		}
		iss := NewIssuer(k, nil)
		tok := Token{Input: [InputSize]byte(input), Output: got}
		if err := iss.Verify(tok); err != nil {
			t.Fatalf("key %x: a token circl computes is refused: %v", kb, err)
		}
		bit := r.Uint64() % (8 * (InputSize + OutputSize))
		bad := tok
		if bit < 8*InputSize {
			bad.Input[bit/8] ^= 1 << (bit % 8)
		} else {
			bad.Output[bit/8-InputSize] ^= 1 << (bit % 8)
		}
		if err := iss.Verify(bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("key %x: a token with bit %d flipped gives %v", kb, bit, err)
		}
	}
}

// TestVerifyIssuedTokens issues tokens through circl's client and checks
// that Verify accepts them under the issuer's key and refuses them under
// another key.
func TestVerifyIssuedTokens(t *testing.T) {
	iss, other := newIssuer(t, 1), newIssuer(t, 2)
	for _, tok := range issue(t, iss, MaxBatch, testRand(3)) {
		if err := iss.Verify(tok); err != nil {
			t.Fatal(err)
		}
		if err := other.Verify(tok); !errors.Is(err, ErrInvalid) {
			t.Fatalf("another issuer's key gives %v", err)
		}
	}
}

// TestFullEvaluateLongInput: an input over 65535 bytes (which RFC 9497
// does not allow) has no output.
func TestFullEvaluateLongInput(t *testing.T) {
	k := keyFrom(t, []byte{1})
	if _, ok := k.eval.fullEvaluate(make([]byte, 0x10000)); ok {
		t.Fatal("an input of 65536 bytes was evaluated")
	}
	if _, ok := k.eval.fullEvaluate(make([]byte, 0xffff)); !ok {
		t.Fatal("an input of 65535 bytes was not evaluated")
	}
}

// FuzzFullEvaluate compares the evaluation with circl's for any key and
// input.
func FuzzFullEvaluate(f *testing.F) {
	f.Add([]byte{1}, []byte{0})
	f.Add(bytes.Repeat([]byte{0xff}, 64), make([]byte, InputSize))
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, key, input []byte) {
		if len(input) > 1024 {
			input = input[:1024]
		}
		k := keyFrom(t, key)
		got, ok := k.eval.fullEvaluate(input)
		if want := circlEvaluate(t, k, input); !ok || !bytes.Equal(got[:], want) {
			t.Fatalf("%x, circl %x", got, want)
		}
	})
}
