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
	formatVersion = 2
	// formatV1 headers (Nook before the password flag) still open; Unlock
	// rewrites them as formatVersion.
	formatV1 = 1
	// flagNoPassword (format 2) marks a header sealed under the empty
	// password. Being covered by the key check, it cannot be flipped
	// without the header failing to open.
	flagNoPassword = 1
	headerSize     = 214
	kdfArgon2id    = 1
	saltSize       = 32
	masterKeySize  = 32

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
	// version is the format the header was read in or is written in:
	// the key check and the wrapped key authenticate the bytes as
	// written, so a header is marshalled in its own version.
	version uint16
	// password tells whether the header is sealed under a non-empty
	// password; PasswordUnknown for a format 1 header.
	password PasswordState
	id       [16]byte
	created  time.Time
	params   Params
	salt     [saltSize]byte
	check    [32]byte
	nonce    [chacha20poly1305.NonceSizeX]byte
	wrapped  [masterKeySize + chacha20poly1305.Overhead]byte
}

// marshal encodes h with its checksum.
func (h *header) marshal() []byte {
	b := make([]byte, 0, headerSize)
	b = append(b, headerMagic...)
	b = binary.BigEndian.AppendUint16(b, h.version)
	var flags uint16
	if h.version >= 2 && h.password == PasswordNone {
		flags |= flagNoPassword
	}
	b = binary.BigEndian.AppendUint16(b, flags)
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
	version := binary.BigEndian.Uint16(b[8:10])
	switch {
	case version > formatVersion:
		return nil, fmt.Errorf("%w (format %d, this version reads up to %d)", ErrNewerFormat, version, formatVersion)
	case version < formatV1:
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
	flags := binary.BigEndian.Uint16(b[10:12])
	password := PasswordUnknown
	switch {
	case version == formatV1 && flags != 0, version >= 2 && flags&^flagNoPassword != 0:
		return nil, corrupt("unknown flags")
	case version >= 2 && flags&flagNoPassword != 0:
		password = PasswordNone
	case version >= 2:
		password = PasswordSet
	}
	if b[offKDF] != kdfArgon2id {
		return nil, corrupt("unknown key derivation function")
	}
	h := &header{
		version:  version,
		password: password,
		created:  time.Unix(int64(binary.BigEndian.Uint64(b[offCreated:])), 0).UTC(),
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
// with randomness from r. The header is then in the current format, its
// flag telling whether password is empty.
func (h *header) seal(r io.Reader, password string, master []byte) error {
	h.version = formatVersion
	h.password = PasswordSet
	if password == "" {
		h.password = PasswordNone
	}
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

// refuses reports whether the header's password flag alone shows that
// password cannot open it: a format 2 header sealed under the empty
// password opens only with it, one sealed under another password never
// with it. It saves a key derivation that could only fail.
func (h *header) refuses(password string) bool {
	switch h.password {
	case PasswordNone:
		return password != ""
	case PasswordSet:
		return password == ""
	}
	return false
}

func (h *header) idString() string { return hex.EncodeToString(h.id[:]) }
