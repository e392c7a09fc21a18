package tokens

import (
	"fmt"

	"github.com/cloudflare/circl/oprf"
)

// Issuer is the server side: it evaluates blinded batches with a proof and
// redeems tokens once. It is safe for concurrent use if its SpentSet is.
type Issuer struct {
	key   *IssuerKey
	srv   oprf.VerifiableServer
	spent SpentSet
}

// NewIssuer returns an issuer with key whose redemptions are remembered in
// spent (nil: Redeem is unavailable and only Verify may be used).
func NewIssuer(key *IssuerKey, spent SpentSet) *Issuer {
	return &Issuer{key: key, srv: oprf.NewVerifiableServer(suite, key.sk), spent: spent}
}

// PublicKey returns the issuer's public key.
func (i *Issuer) PublicKey() PublicKey { return i.key.pub }

// Issue evaluates a batch of 1 to MaxBatch blinded elements and returns the
// evaluated elements, in order, with one batched DLEQ proof. Invalid
// elements (bad encodings, the identity) give ErrMalformed.
func (i *Issuer) Issue(blinded [][ElementSize]byte) ([][ElementSize]byte, [ProofSize]byte, error) {
	var proof [ProofSize]byte
	if len(blinded) < 1 || len(blinded) > MaxBatch {
		return nil, proof, fmt.Errorf("%w: %d elements, want 1 to %d", ErrBatch, len(blinded), MaxBatch)
	}
	elems, err := decodeElements(blinded)
	if err != nil {
		return nil, proof, err
	}
	ev, err := i.srv.Evaluate(&oprf.EvaluationRequest{Elements: elems})
	if err != nil {
		return nil, proof, fmt.Errorf("tokens: evaluate: %w", err)
	}
	out, err := encodeElements(ev.Elements)
	if err != nil {
		return nil, proof, err
	}
	pb, err := ev.Proof.MarshalBinary()
	if err != nil || len(pb) != ProofSize {
		return nil, proof, fmt.Errorf("tokens: encode proof: %v", err)
	}
	copy(proof[:], pb)
	return out, proof, nil
}

// Verify checks that t's output is the PRF of its input under the issuer's
// key (ErrInvalid if not). It does not look at the spent set.
func (i *Issuer) Verify(t Token) error {
	if !i.srv.VerifyFinalize(t.Input[:], t.Output[:]) {
		return ErrInvalid
	}
	return nil
}

// Redeem verifies t and marks it spent: ErrInvalid for a token that does
// not verify (the spent set is then not touched), ErrSpent for one redeemed
// before.
func (i *Issuer) Redeem(t Token) error {
	if err := i.Verify(t); err != nil {
		return err
	}
	if i.spent == nil {
		return fmt.Errorf("tokens: issuer has no spent set")
	}
	return i.spent.Spend(SpentKey(t))
}
