package tokens

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
	"math/bits"
)

// DefaultPoWBits is the default proof-of-work difficulty for a batch: about
// 2^20 SHA-256 compressions of the final block, ≈ 0.3 s on a laptop core
// (BenchmarkSolvePoW), a negligible cost for a person and a real one for a
// spammer who wants thousands of batches.
const DefaultPoWBits = 20

// PoWDigest is SHA-256(challenge ‖ blinded elements ‖ nonce u64 big-endian).
func PoWDigest(challenge [32]byte, blinded [][ElementSize]byte, nonce uint64) [32]byte {
	h := sha256.New()
	h.Write(challenge[:])
	for i := range blinded {
		h.Write(blinded[i][:])
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], nonce)
	h.Write(n[:])
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// leadingZeros counts the leading zero bits of d.
func leadingZeros(d [32]byte) int {
	n := 0
	for i := 0; i < len(d); i += 8 {
		w := binary.BigEndian.Uint64(d[i:])
		n += bits.LeadingZeros64(w)
		if w != 0 {
			break
		}
	}
	return n
}

// CheckPoW reports whether nonce is a proof of work of difficulty bits for
// the challenge and the blinded elements.
func CheckPoW(challenge [32]byte, bits uint8, blinded [][ElementSize]byte, nonce uint64) bool {
	return leadingZeros(PoWDigest(challenge, blinded, nonce)) >= int(bits)
}

// SolvePoW finds the smallest nonce that CheckPoW accepts, or returns
// ErrNoSolution when ctx ends first. It hashes the common prefix once and
// only the last block per attempt.
func SolvePoW(ctx context.Context, challenge [32]byte, bits uint8, blinded [][ElementSize]byte) (uint64, error) {
	h := sha256.New()
	h.Write(challenge[:])
	for i := range blinded {
		h.Write(blinded[i][:])
	}
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return 0, err
	}
	var work hash.Hash = sha256.New()
	un := work.(encoding.BinaryUnmarshaler)
	var n [8]byte
	var d [32]byte
	for nonce := uint64(0); ; nonce++ {
		if nonce&0xfff == 0 && ctx.Err() != nil {
			return 0, ErrNoSolution
		}
		if err := un.UnmarshalBinary(state); err != nil {
			return 0, err
		}
		binary.BigEndian.PutUint64(n[:], nonce)
		work.Write(n[:])
		work.Sum(d[:0])
		if leadingZeros(d) >= int(bits) {
			return nonce, nil
		}
		if nonce == ^uint64(0) {
			return 0, ErrNoSolution
		}
	}
}
