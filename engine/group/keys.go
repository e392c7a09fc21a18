package group

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nookchat/nook/engine/model"
)

// KeySize is the length of a group key.
const KeySize = 32

// HKDF labels (docs/groups.md, "Keys and the group ID").
const (
	labelID      = "nook group id v1"
	labelSealKey = "nook group seal key v1"
	labelTagKey  = "nook group tag key v1"
)

// ID identifies a group: derived from its key and its server's signing key.
type ID [32]byte

// String returns the ID in hexadecimal.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// Conversation returns the engine's conversation ID of the group: "g:"
// followed by the ID in hexadecimal.
func (id ID) Conversation() model.ConversationID { return model.ConversationID("g:" + id.String()) }

// ParseConversation returns the group ID named by a conversation ID made by
// Conversation; ok is false for anything else.
func ParseConversation(c model.ConversationID) (id ID, ok bool) {
	s, found := strings.CutPrefix(string(c), "g:")
	if !found || len(s) != 2*len(id) {
		return id, false
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return ID{}, false
	}
	return id, true
}

// DeriveID returns the ID of the group with the given key on the server
// whose signing key is serverKey.
func DeriveID(key [KeySize]byte, serverKey [ed25519.PublicKeySize]byte) ID {
	var id ID
	copy(id[:], mustHKDF(key[:], serverKey[:], labelID))
	return id
}

func mustHKDF(secret, salt []byte, info string) []byte {
	k, err := hkdf.Key(sha256.New, secret, salt, info, 32)
	if err != nil {
		panic("group: hkdf: " + err.Error()) // only for lengths HKDF cannot produce
	}
	return k
}

// Group holds one group's derived keys. It is immutable and safe for
// concurrent use.
type Group struct {
	id     ID
	aead   cipherAEAD
	macs   sync.Pool // of hash.Hash: HMAC-SHA256 keyed with the tag key
	tagKey []byte
}

// cipherAEAD is the part of cipher.AEAD that Group uses.
type cipherAEAD interface {
	Seal(dst, nonce, plaintext, additionalData []byte) []byte
	Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
}

// New returns the group with the given key hosted by the server whose
// signing key is serverKey (from its bundle). Errors wrap ErrInvalid (a key
// of zeros).
func New(key [KeySize]byte, serverKey [ed25519.PublicKeySize]byte) (*Group, error) {
	if subtle.ConstantTimeCompare(key[:], make([]byte, KeySize)) == 1 {
		return nil, fmt.Errorf("%w: group key of zeros", ErrInvalid)
	}
	g := &Group{id: DeriveID(key, serverKey)}
	aead, err := chacha20poly1305.NewX(mustHKDF(key[:], g.id[:], labelSealKey))
	if err != nil {
		return nil, fmt.Errorf("group: %w", err)
	}
	g.aead = aead
	g.tagKey = mustHKDF(key[:], g.id[:], labelTagKey)
	g.macs.New = func() any { return hmac.New(sha256.New, g.tagKey) }
	return g, nil
}

// ID returns the group's ID.
func (g *Group) ID() ID { return g.id }

// tag computes the blob tag for nonce into dst (TagSize bytes).
func (g *Group) tag(dst, nonce []byte) {
	m := g.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(nonce)
	var sum [sha256.Size]byte
	copy(dst, m.Sum(sum[:0])[:TagSize])
	g.macs.Put(m)
}
