package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"io"
	"os"
	"path/filepath"
)

// keyMatches checks key against Badger's key registry before Badger opens
// the database. Badger v4.9.6 leaks two goroutines when its own check fails
// inside Open, so the store checks first. The registry starts with a 16-byte
// IV and the text "Hello Badger" encrypted with AES-CTR under the key (see
// badger's key_registry.go). If the file cannot be read as that, keyMatches
// returns true and leaves the verdict to Badger.
func keyMatches(dir string, key []byte) bool {
	f, err := os.Open(filepath.Join(dir, "KEYREGISTRY"))
	if err != nil {
		return true
	}
	defer f.Close()
	sanity := []byte("Hello Badger")
	buf := make([]byte, aes.BlockSize+len(sanity))
	if _, err := io.ReadFull(f, buf); err != nil {
		return true
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return true
	}
	got := make([]byte, len(sanity))
	cipher.NewCTR(block, buf[:aes.BlockSize]).XORKeyStream(got, buf[aes.BlockSize:])
	return subtle.ConstantTimeCompare(got, sanity) == 1
}
