package profile

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// Header format constants (see the package documentation).
const (
	headerMagic   = "NOOKPROF"
	formatVersion = 1
	headerSize    = 214
	kdfArgon2id   = 1
	saltSize      = 32
	masterKeySize = 32

	offID      = 12
	offCreated = 28
	offKDF     = 36
	offSalt    = 46
	offCheck   = 78
	offNonce   = 110
	offWrapped = 134
	offSum     = 182
)

var (
	// ErrCorruptHeader is returned by Unlock, List and the other operations
	// that read profile.hdr when it is truncated, damaged, or not a profile
	// header. Nothing is changed on disk.
	ErrCorruptHeader = errors.New("profile header is damaged")
	// ErrNewerFormat is returned when a profile header or an export file was
	// written by a newer version of Nook.
	ErrNewerFormat = errors.New("profile was written by a newer version of nook")
	// ErrWrongPassword is returned by Unlock, ChangePassword, Delete and
	// Import when the password does not open the profile or export file.
	ErrWrongPassword = errors.New("wrong password")
)

// header is a parsed profile.hdr.
type header struct {
	id      [16]byte
	created time.Time
	params  Params
	salt    [saltSize]byte
	check   [32]byte
	nonce   [chacha20poly1305.NonceSizeX]byte
	wrapped [masterKeySize + chacha20poly1305.Overhead]byte
}

// marshal encodes h with its checksum.
func (h *header) marshal() []byte {
	b := make([]byte, 0, headerSize)
	b = append(b, headerMagic...)
	b = binary.BigEndian.AppendUint16(b, formatVersion)
	b = binary.BigEndian.AppendUint16(b, 0)
	b = append(b, h.id[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(h.created.Unix()))
	b = append(b, kdfArgon2id)
	b = binary.BigEndian.AppendUint32(b, h.params.Time)
	b = binary.BigEndian.AppendUint32(b, h.params.MemoryKiB)
	b = append(b, h.params.Threads)
	b = append(b, h.salt[:]...)
	b = append(b, h.check[:]...)
	b = append(b, h.nonce[:]...)
	b = append(b, h.wrapped[:]...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

func corrupt(reason string) error { return fmt.Errorf("%w: %s", ErrCorruptHeader, reason) }

// parseHeader decodes profile.hdr. It never panics on any input.
func parseHeader(b []byte) (*header, error) {
	if len(b) < offID {
		return nil, corrupt("truncated")
	}
	if string(b[:8]) != headerMagic {
		return nil, corrupt("not a nook profile header")
	}
	switch v := binary.BigEndian.Uint16(b[8:10]); {
	case v > formatVersion:
		return nil, fmt.Errorf("%w (format %d, this version reads up to %d)", ErrNewerFormat, v, formatVersion)
	case v < formatVersion:
		return nil, corrupt("bad format version")
	}
	if len(b) < headerSize {
		return nil, corrupt("truncated")
	}
	if len(b) > headerSize {
		return nil, corrupt("trailing bytes")
	}
	if sum := sha256.Sum256(b[:offSum]); !bytes.Equal(sum[:], b[offSum:]) {
		return nil, corrupt("checksum mismatch")
	}
	if binary.BigEndian.Uint16(b[10:12]) != 0 {
		return nil, corrupt("unknown flags")
	}
	if b[offKDF] != kdfArgon2id {
		return nil, corrupt("unknown key derivation function")
	}
	h := &header{
		created: time.Unix(int64(binary.BigEndian.Uint64(b[offCreated:])), 0).UTC(),
		params: Params{
			Time:      binary.BigEndian.Uint32(b[offKDF+1:]),
			MemoryKiB: binary.BigEndian.Uint32(b[offKDF+5:]),
			Threads:   b[offKDF+9],
		},
	}
	if !h.params.sane() {
		return nil, corrupt("key derivation parameters out of range")
	}
	copy(h.id[:], b[offID:])
	copy(h.salt[:], b[offSalt:])
	copy(h.check[:], b[offCheck:])
	copy(h.nonce[:], b[offNonce:])
	copy(h.wrapped[:], b[offWrapped:offSum])
	return h, nil
}

// checkMAC computes the key check over the header fields before it.
func (h *header) checkMAC(checkKey []byte) []byte {
	m := hmac.New(sha256.New, checkKey)
	m.Write(h.marshal()[:offCheck])
	return m.Sum(nil)
}

// seal fills salt, check, nonce and wrapped for password and master key,
// with randomness from r.
func (h *header) seal(r io.Reader, password string, master []byte) error {
	if _, err := io.ReadFull(r, h.salt[:]); err != nil {
		return fmt.Errorf("read random salt: %w", err)
	}
	if _, err := io.ReadFull(r, h.nonce[:]); err != nil {
		return fmt.Errorf("read random nonce: %w", err)
	}
	ikm := deriveIKM(password, h.salt[:], h.params)
	checkKey, wrapKey := subkey(ikm, "nook profile v1 key check"), subkey(ikm, "nook profile v1 wrap")
	defer clear(ikm)
	defer clear(checkKey)
	defer clear(wrapKey)
	copy(h.check[:], h.checkMAC(checkKey))
	aead, err := chacha20poly1305.NewX(wrapKey)
	if err != nil {
		return err
	}
	ad := h.marshal()[:offNonce]
	aead.Seal(h.wrapped[:0], h.nonce[:], master, ad)
	return nil
}

// open derives the keys from password and returns the master key, or
// ErrWrongPassword. It costs one Argon2id run.
func (h *header) open(password string) ([]byte, error) {
	ikm := deriveIKM(password, h.salt[:], h.params)
	checkKey, wrapKey := subkey(ikm, "nook profile v1 key check"), subkey(ikm, "nook profile v1 wrap")
	defer clear(ikm)
	defer clear(checkKey)
	defer clear(wrapKey)
	if !hmac.Equal(h.checkMAC(checkKey), h.check[:]) {
		return nil, ErrWrongPassword
	}
	aead, err := chacha20poly1305.NewX(wrapKey)
	if err != nil {
		return nil, err
	}
	master, err := aead.Open(nil, h.nonce[:], h.wrapped[:], h.marshal()[:offNonce])
	if err != nil {
		// The password is right (the key check passed) but the wrapped
		// key does not authenticate: the header was altered.
		return nil, corrupt("wrapped key does not authenticate")
	}
	return master, nil
}

func (h *header) idString() string { return hex.EncodeToString(h.id[:]) }
