package tokens

import "errors"

var (
	// ErrInvalid is returned by Issuer.Verify and Issuer.Redeem for a token
	// whose output is not the PRF of its input under the issuer's key: a
	// forged token, or one issued under another key.
	ErrInvalid = errors.New("tokens: token invalid")
	// ErrSpent is returned by Issuer.Redeem and SpentSet.Spend for a token
	// that was redeemed before.
	ErrSpent = errors.New("tokens: token already spent")
	// ErrProof is returned by Request.Finalize when the issuer's batched
	// DLEQ proof does not verify: the evaluation was not made with the key
	// the client expects, and the tokens are refused.
	ErrProof = errors.New("tokens: issuance proof does not verify")
	// ErrMalformed is returned by the parsers (ParseToken, ParseIssuerKey,
	// ParsePublicKey, Wallet.UnmarshalBinary) and by Issue and Finalize for
	// bytes that are not a valid encoding or group element.
	ErrMalformed = errors.New("tokens: malformed")
	// ErrBatch is returned by NewRequest, Issue and Finalize for a batch
	// with no elements, more than MaxBatch, or a count that does not match.
	ErrBatch = errors.New("tokens: bad batch size")
	// ErrNoSolution is returned by SolvePoW when the context ends first.
	ErrNoSolution = errors.New("tokens: proof of work not found")
)
