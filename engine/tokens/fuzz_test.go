package tokens

import (
	"bytes"
	"errors"
	"testing"
)

// The token messages a server or a client receives from the other side:
// blinded elements (client → issuer), evaluated elements with a proof
// (issuer → client), an issuer public key (from a bundle) and a spent
// token (client → issuer, parsed then redeemed).

// elements cuts b into whole elements (at most MaxBatch+1, so the batch
// limit is exercised too).
func elements(b []byte) [][ElementSize]byte {
	var out [][ElementSize]byte
	for len(b) >= ElementSize && len(out) <= MaxBatch {
		var e [ElementSize]byte
		copy(e[:], b)
		out = append(out, e)
		b = b[ElementSize:]
	}
	return out
}

func joinElements(es [][ElementSize]byte) []byte {
	var b []byte
	for _, e := range es {
		b = append(b, e[:]...)
	}
	return b
}

// FuzzIssue feeds arbitrary blinded elements to the issuer: it either
// refuses them with ErrMalformed or ErrBatch, or answers a proof that an
// honest client verifies for the same elements.
func FuzzIssue(f *testing.F) {
	iss := newIssuer(f, 1)
	req, err := NewRequest(iss.PublicKey(), 3, testRand(2))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(joinElements(req.Blinded()))
	f.Add(make([]byte, ElementSize))
	f.Add(bytes.Repeat([]byte{0xff}, 2*ElementSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		bl := elements(b)
		ev, _, err := iss.Issue(bl)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBatch) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(ev) != len(bl) {
			t.Fatalf("%d evaluated for %d blinded", len(ev), len(bl))
		}
	})
}

// FuzzFinalize feeds an arbitrary issuer response to a client's pending
// request: only the honest response yields tokens; anything else is an
// error, never a panic and never tokens that the issuer would not accept.
func FuzzFinalize(f *testing.F) {
	iss := newIssuer(f, 1)
	req, err := NewRequest(iss.PublicKey(), 2, testRand(3))
	if err != nil {
		f.Fatal(err)
	}
	ev, proof, err := iss.Issue(req.Blinded())
	if err != nil {
		f.Fatal(err)
	}
	honest := append(joinElements(ev), proof[:]...)
	f.Add(honest)
	f.Add(make([]byte, 2*ElementSize+ProofSize))
	f.Add(honest[:ElementSize+ProofSize])
	f.Fuzz(func(t *testing.T, b []byte) {
		var p [ProofSize]byte
		if len(b) >= ProofSize {
			copy(p[:], b[len(b)-ProofSize:])
			b = b[:len(b)-ProofSize]
		}
		toks, err := req.Finalize(elements(b), p)
		if err != nil {
			return
		}
		for i, tok := range toks {
			if err := iss.Verify(tok); err != nil {
				t.Fatalf("token %d from a response that verified is refused: %v", i, err)
			}
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	iss := newIssuer(f, 1)
	pk := iss.PublicKey()
	f.Add(pk[:])
	f.Add(make([]byte, ElementSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePublicKey(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if !bytes.Equal(p[:], b) {
			t.Fatalf("round trip %x -> %x", b, p)
		}
		if _, err := NewRequest(p, 1, testRand(4)); err != nil {
			t.Fatalf("parsed key unusable: %v", err)
		}
	})
}

// FuzzRedeem is the server's path for a posted token: parse, then redeem.
// A token that was never issued is refused as invalid.
func FuzzRedeem(f *testing.F) {
	iss := newIssuer(f, 1)
	tok := issue(f, iss, 1, testRand(5))[0]
	good, _ := tok.MarshalBinary()
	f.Add(good)
	f.Add(append([]byte{TokenVersion}, make([]byte, InputSize+OutputSize)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		tk, err := ParseToken(b)
		if err != nil {
			return
		}
		err = iss.Redeem(tk)
		if err == nil || errors.Is(err, ErrSpent) {
			if tk != tok {
				t.Fatalf("a token that was never issued was accepted: %x", b)
			}
			return
		}
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
