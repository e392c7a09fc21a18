package tokens

import (
	"errors"
	"fmt"
	"io"

	"filippo.io/edwards25519"
	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/oprf"
	"github.com/cloudflare/circl/zk/dleq"
)

// Request is a client's pending batch issuance: the random inputs, their
// blinds, and the blinded elements sent to the issuer. It is used once, by
// Finalize, and holds secrets (the blinds) that must not leave the client.
type Request struct {
	client  oprf.VerifiableClient
	inputs  [][InputSize]byte
	fin     *oprf.FinalizeData
	req     *oprf.EvaluationRequest
	blinded [][ElementSize]byte
}

// NewRequest prepares n (1 to MaxBatch) tokens for the issuer with public
// key pub, drawing inputs and blinds from rand.
func NewRequest(pub PublicKey, n int, rand io.Reader) (*Request, error) {
	if n < 1 || n > MaxBatch {
		return nil, fmt.Errorf("%w: %d tokens, want 1 to %d", ErrBatch, n, MaxBatch)
	}
	pk, err := pub.key(nil)
	if err != nil {
		return nil, err
	}
	r := &Request{client: oprf.NewVerifiableClient(suite, pk), inputs: make([][InputSize]byte, n)}
	ins := make([][]byte, n)
	blinds := make([]oprf.Blind, n)
	for i := range r.inputs {
		if _, err := io.ReadFull(rand, r.inputs[i][:]); err != nil {
			return nil, fmt.Errorf("tokens: token input: %w", err)
		}
		ins[i] = r.inputs[i][:]
		if blinds[i], err = randomBlind(rand); err != nil {
			return nil, err
		}
	}
	r.fin, r.req, err = r.client.DeterministicBlind(ins, blinds)
	if err != nil {
		return nil, fmt.Errorf("tokens: blind: %w", err)
	}
	r.blinded, err = encodeElements(r.req.Elements)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// randomBlind draws a non-zero scalar from rand: 64 bytes reduced modulo
// the group order (bias below 2⁻¹²⁸). circl's RandomNonZeroScalar for
// ristretto255 ignores the reader it is given and draws from its own
// source; reading rand here keeps NewRequest's promise that everything
// random comes from rand (and makes requests reproducible in tests).
func randomBlind(rand io.Reader) (oprf.Blind, error) {
	var buf [64]byte
	for {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return nil, fmt.Errorf("tokens: blind: %w", err)
		}
		s, err := edwards25519.NewScalar().SetUniformBytes(buf[:])
		clear(buf[:])
		if err != nil {
			return nil, fmt.Errorf("tokens: blind: %w", err)
		}
		if s.Equal(edwards25519.NewScalar()) == 1 {
			continue
		}
		b := suite.Group().NewScalar()
		if err := b.UnmarshalBinary(s.Bytes()); err != nil {
			return nil, fmt.Errorf("tokens: blind: %w", err)
		}
		return b, nil
	}
}

// Blinded returns the blinded elements to send to the issuer.
func (r *Request) Blinded() [][ElementSize]byte { return r.blinded }

// Finalize checks the issuer's batched DLEQ proof against the public key
// the request was made for, and unblinds the evaluated elements into
// tokens. A proof that does not verify gives ErrProof and no tokens.
func (r *Request) Finalize(evaluated [][ElementSize]byte, proof [ProofSize]byte) ([]Token, error) {
	if len(evaluated) != len(r.inputs) {
		return nil, fmt.Errorf("%w: %d evaluated elements for %d tokens", ErrBatch, len(evaluated), len(r.inputs))
	}
	elems, err := decodeElements(evaluated)
	if err != nil {
		return nil, err
	}
	p := new(dleq.Proof)
	if err := p.UnmarshalBinary(suite.Group(), proof[:]); err != nil {
		return nil, fmt.Errorf("%w: proof: %w", ErrMalformed, err)
	}
	outs, err := r.client.Finalize(r.fin, &oprf.Evaluation{Elements: elems, Proof: p})
	if errors.Is(err, oprf.ErrInvalidProof) {
		return nil, ErrProof
	} else if err != nil {
		return nil, fmt.Errorf("tokens: finalize: %w", err)
	}
	toks := make([]Token, len(outs))
	for i, o := range outs {
		if len(o) != OutputSize {
			return nil, fmt.Errorf("tokens: finalize: output of %d bytes", len(o))
		}
		toks[i].Input = r.inputs[i]
		copy(toks[i].Output[:], o)
	}
	return toks, nil
}

// decodeElements parses encoded elements, refusing invalid encodings and
// the identity.
func decodeElements(in [][ElementSize]byte) ([]group.Element, error) {
	out := make([]group.Element, len(in))
	for i := range in {
		e := suite.Group().NewElement()
		if err := e.UnmarshalBinary(in[i][:]); err != nil || e.IsIdentity() {
			return nil, fmt.Errorf("%w: element %d is not a valid group element", ErrMalformed, i)
		}
		out[i] = e
	}
	return out, nil
}

func encodeElements(in []group.Element) ([][ElementSize]byte, error) {
	out := make([][ElementSize]byte, len(in))
	for i, e := range in {
		b, err := e.MarshalBinaryCompress()
		if err != nil || len(b) != ElementSize {
			return nil, fmt.Errorf("tokens: encode element %d: %v", i, err)
		}
		copy(out[i][:], b)
	}
	return out, nil
}
