package groupserver

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/tokens"
)

// Files of the data dir.
const (
	identityFile = "identity.key"
	issuerFile   = "issuer.key"
	storeKeyFile = "store.key"
	bundleFile   = "bundle"
	storeDir     = "store"
)

// Key file kinds, the byte after the version.
const (
	kindIdentity = 1
	kindIssuer   = 2
	kindStoreKey = 3
)

const keyMagic = "NKSK"
const keyVersion = 1

// ErrKeyFile is returned by Start for a key file that exists but cannot be
// used (wrong size, kind or version): the server refuses to start rather
// than make new keys and change its address.
var ErrKeyFile = errors.New("groupserver: damaged key file")

// keys are the server's long-term secrets.
type keys struct {
	id       *identity.Identity
	issuer   *tokens.IssuerKey
	storeKey []byte
}

// loadKeys reads the keys of dir, making missing ones with rand.
func loadKeys(dir string, rnd io.Reader) (*keys, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("groupserver: data dir: %w", err)
	}
	k := &keys{}
	seed, err := loadOrMake(filepath.Join(dir, identityFile), kindIdentity, rnd)
	if err != nil {
		return nil, err
	}
	if k.id, err = identity.FromSeed(seed); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKeyFile, identityFile, err)
	}
	path := filepath.Join(dir, issuerFile)
	b, err := readKeyFile(path, kindIssuer)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if k.issuer, err = tokens.GenerateIssuerKey(rnd); err != nil {
			return nil, err
		}
		sk, _ := k.issuer.MarshalBinary()
		if err := writeKeyFile(path, kindIssuer, sk); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if k.issuer, err = tokens.ParseIssuerKey(b); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrKeyFile, issuerFile, err)
		}
	}
	if k.storeKey, err = loadOrMake(filepath.Join(dir, storeKeyFile), kindStoreKey, rnd); err != nil {
		return nil, err
	}
	return k, nil
}

// loadOrMake reads a 32-byte key file or writes a new random one.
func loadOrMake(path string, kind byte, rnd io.Reader) ([]byte, error) {
	b, err := readKeyFile(path, kind)
	if !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	b = make([]byte, 32)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return nil, fmt.Errorf("groupserver: new key: %w", err)
	}
	return b, writeKeyFile(path, kind, b)
}

func readKeyFile(path string, kind byte) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) != len(keyMagic)+2+32 || string(b[:4]) != keyMagic || b[4] != keyVersion || b[5] != kind {
		return nil, fmt.Errorf("%w: %s", ErrKeyFile, filepath.Base(path))
	}
	return b[6:], nil
}

func writeKeyFile(path string, kind byte, key []byte) error {
	b := append([]byte(keyMagic), keyVersion, kind)
	return writeAtomic(path, append(b, key...))
}

// writeAtomic writes data to path through a synced temporary file and a
// rename, mode 0600.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("groupserver: write %s: %w", filepath.Base(path), err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("groupserver: write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// loadBundle returns the stored bundle if it is valid and matches the keys,
// else signs, stores and returns a new one made at now.
func loadBundle(dir string, k *keys, now time.Time) (*invite.Bundle, error) {
	path := filepath.Join(dir, bundleFile)
	if b, err := os.ReadFile(path); err == nil {
		if bd, err := invite.ParseBundle(b); err == nil && bd.Address == k.id.Address() &&
			bytes.Equal(bd.SigningKey[:], k.id.PublicKey()) && bd.TokenKey == [32]byte(k.issuer.Public()) {
			return bd, nil
		}
	}
	bd := &invite.Bundle{
		Version:  invite.BundleVersion,
		Address:  k.id.Address(),
		TokenKey: [32]byte(k.issuer.Public()),
		Created:  now.Truncate(time.Second),
	}
	if err := bd.Sign(k.id); err != nil {
		return nil, fmt.Errorf("groupserver: sign bundle: %w", err)
	}
	enc, err := bd.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("groupserver: bundle: %w", err)
	}
	if err := writeAtomic(path, enc); err != nil {
		return nil, err
	}
	return bd, nil
}
