package tokens

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"io"
	mrand "math/rand/v2"
	"testing"
)

// testRand is a deterministic reader for tests.
func testRand(seed uint64) io.Reader { return mrand.NewChaCha8([32]byte{byte(seed), 1}) }

func newIssuer(t testing.TB, seed uint64) *Issuer {
	t.Helper()
	k, err := GenerateIssuerKey(testRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	return NewIssuer(k, NewMemorySpent())
}

// issue runs one issuance of n tokens against iss.
func issue(t testing.TB, iss *Issuer, n int, rand io.Reader) []Token {
	t.Helper()
	req, err := NewRequest(iss.PublicKey(), n, rand)
	if err != nil {
		t.Fatal(err)
	}
	return finalize(t, iss, req)
}

// finalize has iss answer req and returns the tokens req finalizes.
func finalize(t testing.TB, iss *Issuer, req *Request) []Token {
	t.Helper()
	ev, proof, err := iss.Issue(req.Blinded())
	if err != nil {
		t.Fatal(err)
	}
	toks, err := req.Finalize(ev, proof)
	if err != nil {
		t.Fatal(err)
	}
	return toks
}

func TestIssueRedeem(t *testing.T) {
	iss := newIssuer(t, 1)
	toks := issue(t, iss, 10, testRand(2))
	if len(toks) != 10 {
		t.Fatalf("%d tokens", len(toks))
	}
	for i, tok := range toks {
		if err := iss.Redeem(tok); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	if err := iss.Redeem(toks[3]); !errors.Is(err, ErrSpent) {
		t.Fatalf("second redemption: %v, want ErrSpent", err)
	}
}

func TestForgedTokensRefused(t *testing.T) {
	iss := newIssuer(t, 1)
	toks := issue(t, iss, 2, testRand(2))
	var random Token
	io.ReadFull(testRand(9), random.Input[:])
	io.ReadFull(testRand(10), random.Output[:])
	swapped := Token{Input: toks[0].Input, Output: toks[1].Output}
	flipped := toks[0]
	flipped.Output[5] ^= 1
	other := newIssuer(t, 7)
	foreign := issue(t, other, 1, testRand(3))[0]
	for name, tok := range map[string]Token{"random": random, "other input's output": swapped, "bit flip": flipped, "another issuer": foreign} {
		if err := iss.Redeem(tok); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// A refused forgery does not spend the input.
	if err := iss.Redeem(toks[0]); err != nil {
		t.Fatalf("genuine token after forgery with its input: %v", err)
	}
}

func TestBadProofRefused(t *testing.T) {
	iss := newIssuer(t, 1)
	other := newIssuer(t, 2)
	req, err := NewRequest(iss.PublicKey(), 5, testRand(3))
	if err != nil {
		t.Fatal(err)
	}
	// The other issuer evaluates honestly but under its own key.
	ev, proof, err := other.Issue(req.Blinded())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.Finalize(ev, proof); !errors.Is(err, ErrProof) {
		t.Fatalf("other key: %v, want ErrProof", err)
	}
	ev, proof, _ = iss.Issue(req.Blinded())
	proof[7] ^= 1
	if _, err := req.Finalize(ev, proof); err == nil {
		t.Fatal("tampered proof accepted")
	}
	_, proof, _ = iss.Issue(req.Blinded())
	ev[0], ev[1] = ev[1], ev[0]
	if _, err := req.Finalize(ev, proof); !errors.Is(err, ErrProof) {
		t.Fatalf("reordered elements: %v, want ErrProof", err)
	}
	if _, err := req.Finalize(ev[:4], proof); !errors.Is(err, ErrBatch) {
		t.Fatalf("short batch: %v", err)
	}
}

func TestIssueRefusesInvalid(t *testing.T) {
	iss := newIssuer(t, 1)
	if _, _, err := iss.Issue(nil); !errors.Is(err, ErrBatch) {
		t.Fatal(err)
	}
	if _, _, err := iss.Issue(make([][32]byte, MaxBatch+1)); !errors.Is(err, ErrBatch) {
		t.Fatal(err)
	}
	var bad [32]byte
	bad[31] = 0xff // not canonical
	if _, _, err := iss.Issue([][32]byte{bad}); !errors.Is(err, ErrMalformed) {
		t.Fatal(err)
	}
	if _, _, err := iss.Issue([][32]byte{{}}); !errors.Is(err, ErrMalformed) { // identity
		t.Fatal(err)
	}
	if _, err := NewRequest(iss.PublicKey(), 0, testRand(1)); !errors.Is(err, ErrBatch) {
		t.Fatal(err)
	}
	if _, err := NewRequest(PublicKey{}, 1, testRand(1)); !errors.Is(err, ErrMalformed) {
		t.Fatal(err)
	}
}

// TestUnlinkable checks that the server's view at issuance (the request it
// receives and the response it sends) and at redemption (the token) share no
// byte string of 8 bytes or more.
func TestUnlinkable(t *testing.T) {
	iss := newIssuer(t, 1)
	for round := range 5 {
		req, err := NewRequest(iss.PublicKey(), MaxBatch, crand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		ev, proof, err := iss.Issue(req.Blinded())
		if err != nil {
			t.Fatal(err)
		}
		toks, err := req.Finalize(ev, proof)
		if err != nil {
			t.Fatal(err)
		}
		var transcript []byte
		for _, b := range req.Blinded() {
			transcript = append(transcript, b[:]...)
		}
		for _, e := range ev {
			transcript = append(transcript, e[:]...)
		}
		transcript = append(transcript, proof[:]...)
		for i, tok := range toks {
			msg, _ := tok.MarshalBinary()
			if off := sharedSubstring(transcript, msg, 8); off >= 0 {
				t.Fatalf("round %d token %d: redemption bytes at %d appear in the issuance transcript", round, i, off)
			}
		}
	}
}

// sharedSubstring returns an offset in b of a substring of length n that
// also occurs in a, or -1.
func sharedSubstring(a, b []byte, n int) int {
	seen := make(map[string]bool, len(a))
	for i := 0; i+n <= len(a); i++ {
		seen[string(a[i:i+n])] = true
	}
	for i := 0; i+n <= len(b); i++ {
		if seen[string(b[i:i+n])] {
			return i
		}
	}
	return -1
}

func TestSharedSubstringFindsOverlap(t *testing.T) {
	a := []byte("0123456789abcdefghij")
	if sharedSubstring(a, []byte("xxxx89abcdefxx"), 8) != 4 || sharedSubstring(a, []byte("zzzzzzzzzz"), 8) != -1 {
		t.Fatal("sharedSubstring")
	}
}

func TestTokenEncoding(t *testing.T) {
	tok := Token{Input: [32]byte{1}, Output: [64]byte{2}}
	b, _ := tok.MarshalBinary()
	if len(b) != TokenSize || b[0] != TokenVersion {
		t.Fatalf("%x", b)
	}
	got, err := ParseToken(b)
	if err != nil || got != tok {
		t.Fatal(got, err)
	}
	for _, bad := range [][]byte{nil, b[:TokenSize-1], append(bytes.Clone(b), 0), append([]byte{2}, b[1:]...)} {
		if _, err := ParseToken(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%x: %v", bad, err)
		}
	}
}

func TestIssuerKeyRoundTrip(t *testing.T) {
	k, _ := GenerateIssuerKey(testRand(4))
	b, err := k.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := ParseIssuerKey(b)
	if err != nil || k2.Public() != k.Public() {
		t.Fatal(err)
	}
	if _, err := ParseIssuerKey(make([]byte, 32)); !errors.Is(err, ErrMalformed) {
		t.Fatal("zero key accepted")
	}
	if _, err := ParseIssuerKey(bytes.Repeat([]byte{0xff}, 32)); !errors.Is(err, ErrMalformed) {
		t.Fatal("non-canonical key accepted")
	}
	if pk := k.Public(); func() error { _, err := ParsePublicKey(pk[:]); return err }() != nil {
		t.Fatal(err)
	}
}

func TestWallet(t *testing.T) {
	iss := newIssuer(t, 1)
	w := NewWallet(iss.PublicKey())
	w.Add(issue(t, iss, 3, testRand(5))...)
	b, err := w.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	w2, err := ParseWallet(b)
	if err != nil || w2.Len() != 3 || w2.Key() != iss.PublicKey() {
		t.Fatal(err)
	}
	for range 3 {
		tok, ok := w2.Take()
		if !ok || iss.Redeem(tok) != nil {
			t.Fatal("wallet token does not redeem")
		}
	}
	if _, ok := w2.Take(); ok {
		t.Fatal("empty wallet gave a token")
	}
	for _, bad := range [][]byte{nil, b[:len(b)-1], append(bytes.Clone(b), 0), []byte("NKTW\x02")} {
		if _, err := ParseWallet(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%d bytes: %v", len(bad), err)
		}
	}
}

func TestPoW(t *testing.T) {
	ch := [32]byte{1, 2, 3}
	bl := [][32]byte{{4}, {5}}
	n, err := SolvePoW(context.Background(), ch, 12, bl)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPoW(ch, 12, bl, n) {
		t.Fatal("solution does not check")
	}
	if d := PoWDigest(ch, bl, n); d[0] != 0 || d[1]>>4 != 0 {
		t.Fatalf("digest %x", d)
	}
	if CheckPoW([32]byte{9}, 12, bl, n) && CheckPoW(ch, 12, bl[:1], n) {
		t.Fatal("solution not bound to challenge and elements")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SolvePoW(ctx, ch, 32, bl); !errors.Is(err, ErrNoSolution) {
		t.Fatal(err)
	}
	if !CheckPoW(ch, 0, bl, 0) {
		t.Fatal("difficulty 0")
	}
}
