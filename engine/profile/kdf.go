package profile

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/crypto/argon2"
)

// Params are Argon2id cost parameters.
type Params struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultParams are the production parameters: RFC 9106's second
// recommendation (t=3, m=64 MiB) with 4 lanes.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 << 10, Threads: 4}

// InsecureTestParams are cheap parameters for tests. They are accepted only
// in test binaries (see the package documentation).
var InsecureTestParams = Params{Time: 1, MemoryKiB: 64, Threads: 1}

// Parameters above these are refused as damaged, so that a header cannot make
// Unlock allocate or compute without bound.
const (
	maxTime      = 64
	maxMemoryKiB = 4 << 20 // 4 GiB
)

// ErrWeakParams is returned by Create, Unlock, ChangePassword, Import and
// Export for Argon2id parameters below DefaultParams outside a test binary.
var ErrWeakParams = errors.New("key derivation parameters are weaker than allowed")

func (p Params) withDefault() Params {
	if p == (Params{}) {
		return DefaultParams
	}
	return p
}

// sane reports whether p is within the bounds any version may write.
func (p Params) sane() bool {
	return p.Time >= 1 && p.Time <= maxTime && p.MemoryKiB >= 8*uint32(p.Threads) &&
		p.MemoryKiB <= maxMemoryKiB && p.Threads >= 1
}

// check rejects parameters that are damaged or, outside tests, too weak.
func (p Params) check() error {
	if !p.sane() {
		return fmt.Errorf("%w: parameters out of range", ErrWeakParams)
	}
	if (p.Time < DefaultParams.Time || p.MemoryKiB < DefaultParams.MemoryKiB) && !inTest() {
		return ErrWeakParams
	}
	return nil
}

// deriveIKM runs Argon2id over the password. The caller wipes the result.
func deriveIKM(password string, salt []byte, p Params) []byte {
	pw := []byte(password)
	defer clear(pw)
	return argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, 32)
}

// subkey derives a 32-byte key for one purpose from the Argon2id output.
func subkey(ikm []byte, info string) []byte {
	k, err := hkdf.Key(sha256.New, ikm, nil, info, 32)
	if err != nil {
		panic("profile: hkdf: " + err.Error()) // only for lengths > 255·32
	}
	return k
}

// inTest reports whether this is a test binary; a variable so that a test
// can see what production does.
var inTest = testing.Testing
