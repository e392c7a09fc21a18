package group

import (
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

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

// Group holds one group's derived keys. It is safe for concurrent use,
// except Wipe, which must come after every other use.
type Group struct {
	id    ID
	epoch uint32
	ad    []byte                      // the AEAD's associated data: the ID, and the epoch from 1 on
	keys  atomic.Pointer[derivedKeys] // nil once wiped
}

// derivedKeys are a group's keys. The AEAD is made from its key for each
// use (cheap next to the work it does: it opens only the group's own
// blobs), so that Wipe leaves no copy in a cipher state Nook cannot reach;
// the tag's HMAC, computed for every blob a catch-up reads, keeps its
// keyed states, which Wipe overwrites (tagMAC).
type derivedKeys struct {
	seal []byte
	tag  *tagMAC
}

// ErrWiped is returned by Seal and Open after Wipe.
var ErrWiped = errors.New("group: keys wiped")

// Wipe overwrites the group's keys with zeros; Seal and Open fail
// afterwards. The group key in the caller's hands is the caller's to wipe.
func (g *Group) Wipe() {
	if k := g.keys.Swap(nil); k != nil {
		clear(k.seal)
		k.tag.wipe()
	}
}

// aead returns the group's AEAD, or ErrWiped.
func (g *Group) aead() (cipher.AEAD, error) {
	k := g.keys.Load()
	if k == nil {
		return nil, ErrWiped
	}
	return chacha20poly1305.NewX(k.seal)
}

// New returns the group with the given key hosted by the server whose
// signing key is serverKey (from its bundle). Errors wrap ErrInvalid (a key
// of zeros).
func New(key [KeySize]byte, serverKey [ed25519.PublicKeySize]byte) (*Group, error) {
	if subtle.ConstantTimeCompare(key[:], make([]byte, KeySize)) == 1 {
		return nil, fmt.Errorf("%w: group key of zeros", ErrInvalid)
	}
	g := &Group{id: DeriveID(key, serverKey)}
	g.ad = g.id[:]
	g.keys.Store(&derivedKeys{
		seal: mustHKDF(key[:], g.id[:], labelSealKey),
		tag:  newTagMAC(mustHKDF(key[:], g.id[:], labelTagKey)),
	})
	return g, nil
}

// ID returns the group's ID.
func (g *Group) ID() ID { return g.id }

// tag computes the blob tag for nonce into dst (TagSize bytes); false
// after Wipe.
func (g *Group) tag(dst, nonce []byte) bool {
	k := g.keys.Load()
	if k == nil {
		return false
	}
	return k.tag.tag(dst[:TagSize], nonce)
}
