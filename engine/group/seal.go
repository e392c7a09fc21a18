package group

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nookchat/nook/engine/identity"
)

// Sizes of a sealed blob (docs/groups.md, "Sealing").
const (
	// BlobSize is the size of every blob the server stores.
	BlobSize = blobSize
	// TagSize is the length of the tag that starts a blob.
	TagSize = 16
	// NonceSize is the length of the XChaCha20-Poly1305 nonce.
	NonceSize = chacha20poly1305.NonceSizeX
	// PlainSize is the length of the padded plaintext inside a blob.
	PlainSize = BlobSize - TagSize - NonceSize - chacha20poly1305.Overhead
)

// Seal signs m as author, pads it and seals it into a blob of BlobSize
// bytes. It fills in m.Author, m.ID and m.Sent (rounded to milliseconds).
// rnd is the source of the nonce (crypto/rand when nil). Errors wrap
// ErrBodyTooLong (with the limit) or ErrInvalid.
func (g *Group) Seal(rnd io.Reader, author *identity.Identity, m *Message) ([]byte, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	aead, err := g.aead()
	if err != nil {
		return nil, err
	}
	blob := make([]byte, TagSize+NonceSize, BlobSize)
	plain, err := m.encode(make([]byte, 0, PlainSize), g.id, author)
	if err != nil {
		return nil, err
	}
	if len(plain) > PlainSize {
		return nil, fmt.Errorf("%w: %d bytes of message, at most %d fit", ErrBodyTooLong, len(plain), PlainSize)
	}
	plain = plain[:PlainSize] // zero padding: the capacity was fresh zeros
	nonce := blob[TagSize : TagSize+NonceSize]
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return nil, fmt.Errorf("group: nonce: %w", err)
	}
	if !g.tag(blob[:TagSize], nonce) {
		return nil, ErrWiped
	}
	blob = aead.Seal(blob, nonce, plain, g.ad)
	if len(blob) != BlobSize {
		panic("group: sealed blob has the wrong size")
	}
	return blob, nil
}

// Reseal returns blob sealed again under a fresh nonce (and so a fresh
// tag): the same signed message, hence the same message ID, in bytes that
// share nothing with blob. A client sending a post again uses it so that
// the server cannot tell the second attempt for the first (and link the
// two tokens). blob must be one of the group's (ErrNotOurs, ErrTampered,
// ErrBlobSize); the message inside is not checked again.
func (g *Group) Reseal(rnd io.Reader, blob []byte) ([]byte, error) {
	return g.ResealInto(rnd, g, blob)
}

// Ours reports whether blob carries this group's tag: the cheap first step
// of Open, which rejects other groups' blobs with one HMAC.
func (g *Group) Ours(blob []byte) bool {
	if len(blob) != BlobSize {
		return false
	}
	var want [TagSize]byte
	return g.tag(want[:], blob[TagSize:TagSize+NonceSize]) &&
		subtle.ConstantTimeCompare(want[:], blob[:TagSize]) == 1
}

// Open checks and opens a blob: its size (ErrBlobSize), its tag
// (ErrNotOurs), the authenticated encryption (ErrTampered), the plaintext
// layout (ErrVersion, ErrMalformed) and the author's signature
// (ErrBadSignature), in that order.
func (g *Group) Open(blob []byte) (*Message, error) {
	if len(blob) != BlobSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrBlobSize, len(blob), BlobSize)
	}
	aead, err := g.aead()
	if err != nil {
		return nil, err
	}
	if !g.Ours(blob) {
		return nil, ErrNotOurs
	}
	nonce := blob[TagSize : TagSize+NonceSize]
	plain, err := aead.Open(make([]byte, 0, PlainSize), nonce, blob[TagSize+NonceSize:], g.ad)
	if err != nil {
		return nil, ErrTampered
	}
	return decodePlaintext(g.id, plain)
}

// openAEAD runs only the authenticated decryption, ignoring the tag: what a
// client without tags would pay for each foreign blob (benchmarks).
func (g *Group) openAEAD(blob []byte) error {
	aead, err := g.aead()
	if err != nil {
		return err
	}
	_, err = aead.Open(make([]byte, 0, PlainSize), blob[TagSize:TagSize+NonceSize], blob[TagSize+NonceSize:], g.ad)
	return err
}
