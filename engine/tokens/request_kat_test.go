package tokens

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"filippo.io/edwards25519"
	"github.com/cloudflare/circl/oprf"
)

// katRand is a deterministic byte stream: SHA-256(label ‖ counter) blocks.
type katRand struct {
	n   uint64
	buf []byte
}

func (r *katRand) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) {
		h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("nook tokens KAT"), r.n))
		r.n++
		r.buf = append(r.buf, h[:]...)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// The request-level known answers: two tokens for the RFC 9497 test key
// (Seed a3…a3, KeyInfo "test key"), with inputs and blinds drawn from
// katRand. The outputs are also checked against the issuer's unblinded
// evaluation of each input, which does not go through Request at all.
const (
	katInputs = "502a0160ef65df29b70330d3a6c52aa592e03a1b53082bdc11606554393017a5," +
		"5567f78d04ec46abe1c8eb7a2bc3b25c545e55fb444d066625e56aaf2ed505af"
	katBlinded = "9c5f975ed9c8b72c681c1526d165c233fe20829d53f9ac2f24ce8da61d25b54c," +
		"76dc4a9226eed06097af654d146b612f348f4eccddfad08bad170aa7d9f59d2a"
	katOutputs = "ac458719371c7e874f9daf66740ff8b152d83fda35eb0cd67fbc2324f03f1e36108409a9ac01b8d22859bf9f90e271020bdea440926f02e3c6c3fb8f5f651bb6," +
		"854e83d0c4bcf072fe05be2f9f00d2033829a32065680703e8134cbe570706a2f7111243dda60180be94b029e55a8c642b4a646a7ba80beb84a8bfa8c39774e7"
)

// TestRequestKnownAnswer: NewRequest draws every input and every blind from
// the reader it is given (so a weak reader cannot hide behind another
// source, and the request is reproducible), blinds and finalizes as RFC 9497
// says, and the tokens' outputs are the VOPRF of their inputs under the key.
func TestRequestKnownAnswer(t *testing.T) {
	key, err := DeriveIssuerKey(bytes.Repeat([]byte{0xa3}, 32), []byte("test key"))
	if err != nil {
		t.Fatal(err)
	}
	req, err := NewRequest(key.Public(), 2, &katRand{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewRequest(key.Public(), 2, &katRand{})
	if err != nil {
		t.Fatal(err)
	}
	if joinHex(req.Blinded()) != joinHex(again.Blinded()) {
		t.Fatal("two requests from the same reader differ: the blinds do not come from it")
	}
	var ins []string
	for _, in := range req.inputs {
		ins = append(ins, hex.EncodeToString(in[:]))
	}
	// The blinded elements are blind·H(input) as circl's client computes
	// them, for the blinds read from the stream: input 0 (32 bytes), blind 0
	// (64 bytes reduced modulo the order), input 1, blind 1.
	stream := &katRand{}
	var inputs [][]byte
	var blinds []oprf.Blind
	for range 2 {
		in := make([]byte, InputSize)
		stream.Read(in)
		wide := make([]byte, 64)
		stream.Read(wide)
		s, err := edwards25519.NewScalar().SetUniformBytes(wide)
		if err != nil {
			t.Fatal(err)
		}
		b := suite.Group().NewScalar()
		if err := b.UnmarshalBinary(s.Bytes()); err != nil {
			t.Fatal(err)
		}
		inputs, blinds = append(inputs, in), append(blinds, b)
	}
	pk, _ := key.Public().key(nil)
	_, ref, err := oprf.NewVerifiableClient(suite, pk).DeterministicBlind(inputs, blinds)
	if err != nil {
		t.Fatal(err)
	}
	if refEnc, _ := encodeElements(ref.Elements); joinHex(refEnc) != joinHex(req.Blinded()) {
		t.Fatal("blinded elements are not blind·H(input) for the stream's inputs and blinds")
	}
	iss := NewIssuer(key, NewMemorySpent())
	toks := finalize(t, iss, req)
	var outs []string
	srv := oprf.NewVerifiableServer(suite, key.sk)
	for i, tok := range toks {
		outs = append(outs, hex.EncodeToString(tok.Output[:]))
		full, err := srv.FullEvaluate(tok.Input[:])
		if err != nil || !bytes.Equal(full, tok.Output[:]) {
			t.Fatalf("token %d: output is not the issuer's evaluation of its input", i)
		}
		if err := iss.Verify(tok); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	for _, c := range []struct{ name, got, want string }{
		{"inputs", strings.Join(ins, ","), katInputs},
		{"blinded elements", joinHex(req.Blinded()), katBlinded},
		{"outputs", strings.Join(outs, ","), katOutputs},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
}
