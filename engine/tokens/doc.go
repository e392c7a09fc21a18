// Package tokens provides anonymous anti-spam tokens for the group server:
// Privacy Pass style issuance and redemption built on the verifiable
// oblivious pseudorandom function of RFC 9497 (VOPRF mode, suite
// ristretto255-SHA512), as implemented by github.com/cloudflare/circl/oprf.
//
// A client picks random 32-byte inputs, blinds them (NewRequest) and sends
// the blinded elements with a small proof of work (SolvePoW). The Issuer
// evaluates them under its private key and proves with one batched DLEQ
// proof that it used the key of its public bundle (Issue). The client
// verifies the proof and unblinds (Request.Finalize): each Token is an input
// and its PRF output. To post, the client hands one token over; the Issuer
// re-evaluates the PRF on the input, compares the output (Verify) and marks
// the input spent forever (Redeem, SpentSet).
//
// Unlinkability: at issuance the server sees only blinded elements, which
// are uniformly random group elements independent of the inputs; at
// redemption it sees the input and output, which it never saw before. The
// DLEQ proof stops the server from tagging a client with a per-client key.
//
// Tokens are bearer values: whoever holds one can post once. A Wallet keeps
// a client's unspent tokens and serialises them so that the engine can
// store them encrypted. Randomness (inputs and blinds) is injected; circl
// draws the DLEQ proof's nonce from crypto/rand.
package tokens
