package tortest

import (
	"crypto/ed25519"
	"crypto/sha512"
	"os"
	"path/filepath"
)

// hsSecretKeyHeader is the 32-byte header of tor's hs_ed25519_secret_key
// file: the tag, NUL-padded.
const hsSecretKeyHeader = "== ed25519v1-secret: type0 =="

// HSSecretKeyFile returns the contents of tor's hs_ed25519_secret_key file
// for priv: the header padded to 32 bytes, then the 64-byte expanded key
// (the clamped scalar SHA-512(seed)[:32] and the nonce prefix
// SHA-512(seed)[32:]), the same key ADD_ONION ED25519-V3 carries.
func HSSecretKeyFile(priv ed25519.PrivateKey) []byte {
	h := sha512.Sum512(priv.Seed())
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	out := make([]byte, 32, 96)
	copy(out, hsSecretKeyHeader)
	return append(out, h[:]...)
}

// WriteHiddenServiceDir creates dir (mode 0700, as tor requires) holding
// priv as hs_ed25519_secret_key.
func WriteHiddenServiceDir(dir string, priv ed25519.PrivateKey) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "hs_ed25519_secret_key"), HSSecretKeyFile(priv), 0o600)
}
