package group

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nookchat/nook/engine/identity"
)

// members returns n test identities and their keys.
func members(t testing.TB, prefix string, n int) ([]*identity.Identity, []PublicKey) {
	t.Helper()
	ids := make([]*identity.Identity, n)
	keys := make([]PublicKey, n)
	for i := range n {
		ids[i] = testIdentity(t, fmt.Sprintf("%s %d", prefix, i))
		keys[i] = KeyOf(ids[i].Address())
	}
	return ids, keys
}

// sealRotation seals every part of a rotation under g as admin's messages
// and opens them again, as a member would receive them.
func sealRotation(t testing.TB, g *Group, admin *identity.Identity, parts []*Rotation) []*Message {
	t.Helper()
	var out []*Message
	for i, p := range parts {
		m := &Message{Seq: uint64(10 + i), Sent: t0, Kind: KindRotate, Name: "Rosa", Rotation: p}
		blob, err := g.Seal(newDetRand(fmt.Sprint("rotation nonce ", i)), admin, m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := g.Open(blob)
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if got.Kind != KindRotate || got.Rotation == nil || got.ID != m.ID {
			t.Fatalf("part %d opened as %+v", i, got)
		}
		out = append(out, got)
	}
	return out
}

// TestRotationReachesRemainingMembers: a rotation of 120 members (three
// parts) gives every remaining member the new key, in exactly one part, and
// neither the removed member nor an outsider; the new epoch's blobs are not
// the old epoch's, and the old key cannot open them.
func TestRotationReachesRemainingMembers(t *testing.T) {
	g := testGroup(t, "allotment")
	admin := testIdentity(t, "rosa")
	ids, keys := members(t, "member", 120)
	removed := testIdentity(t, "tom")
	outsider := testIdentity(t, "outsider")
	owner := KeyOf(admin.Address())
	key, parts, err := NewRotation(newDetRand("rotation"), g.ID(), admin, 1, ReasonRemoval, owner, nil,
		[]PublicKey{KeyOf(removed.Address())}, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 {
		t.Fatalf("%d parts for 120 members, want 3", len(parts))
	}
	msgs := sealRotation(t, g, admin, parts)
	for i, m := range msgs {
		r := m.Rotation
		if r.Epoch != 1 || r.Part != uint8(i) || r.Parts != 3 || r.Salt != parts[0].Salt || r.Owner != owner ||
			len(r.Removed) != 1 || r.Removed[0] != KeyOf(removed.Address()) || r.Commit != KeyCommit(g.ID(), 1, key) {
			t.Fatalf("part %d decoded as %+v", i, r)
		}
	}
	for i, id := range ids {
		found := 0
		for _, m := range msgs {
			if k, ok := m.Rotation.Unwrap(g.ID(), KeyOf(m.Author), id); ok {
				if k != key {
					t.Fatalf("member %d unwrapped another key", i)
				}
				found++
			}
		}
		if found != 1 {
			t.Fatalf("member %d found the key in %d parts", i, found)
		}
	}
	for _, who := range []*identity.Identity{removed, outsider, admin} {
		for _, m := range msgs {
			if _, ok := m.Rotation.Unwrap(g.ID(), KeyOf(m.Author), who); ok {
				t.Fatalf("%s unwrapped the new key", who.Address())
			}
		}
	}

	next, err := NewEpoch(g.ID(), 1, key)
	if err != nil {
		t.Fatal(err)
	}
	m := &Message{Seq: 20, Sent: t0, Kind: KindText, Text: "the new epoch"}
	blob, err := next.Seal(nil, ids[0], m)
	if err != nil {
		t.Fatal(err)
	}
	if g.Ours(blob) {
		t.Fatal("a blob of epoch 1 carries the tag of epoch 0")
	}
	if _, err := g.Open(blob); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("epoch 0 opens epoch 1's blob: %v", err)
	}
	got, err := next.Open(blob)
	if err != nil || got.Text != m.Text || got.ID != m.ID {
		t.Fatalf("epoch 1 opens its blob to %+v, %v", got, err)
	}
	// The same key as another epoch, or in another group, is another key.
	other, _ := NewEpoch(g.ID(), 2, key)
	if other.Ours(blob) {
		t.Fatal("epoch 2 with epoch 1's key accepts epoch 1's blob")
	}
	if _, err := NewEpoch(g.ID(), 0, key); !errors.Is(err, ErrInvalid) {
		t.Fatalf("NewEpoch(0): %v", err)
	}
	if _, err := NewEpoch(g.ID(), 3, [KeySize]byte{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("NewEpoch with a key of zeros: %v", err)
	}
}

// TestRotationSizes: the largest part (16 admins, 16 removed, 52 wraps)
// fits a message with a 255-byte display name; 50 members take one part,
// 200 four, and more than 832 are refused.
func TestRotationSizes(t *testing.T) {
	g := testGroup(t, "sizes")
	admin := testIdentity(t, "rosa")
	_, admins := members(t, "admin", MaxAdmins)
	_, removed := members(t, "removed", MaxRemoved)
	_, many := members(t, "many", 200)
	for _, c := range []struct{ n, parts int }{{0, 1}, {49, 1}, {52, 1}, {53, 2}, {199, 4}} {
		_, parts, err := NewRotation(nil, g.ID(), admin, 1, ReasonRenewal, KeyOf(admin.Address()), admins, removed, many[:c.n])
		if err != nil || len(parts) != c.parts {
			t.Fatalf("%d recipients: %d parts, %v; want %d", c.n, len(parts), err, c.parts)
		}
		name := strings.Repeat("𝄞", MaxNameRunes-1) + "a" // 253 bytes, the longest name of 64 characters
		for _, p := range parts {
			if _, err := g.Seal(nil, admin, &Message{Seq: 1, Sent: t0, Kind: KindRotate, Name: name, Rotation: p}); err != nil {
				t.Fatalf("a part of %d wraps does not seal: %v", len(p.Wraps), err)
			}
			enc, _ := p.encode()
			if fixedSize+MaxNameBytes+len(enc) > PlainSize {
				t.Fatalf("a part of %d bytes does not fit with a %d-byte name", len(enc), MaxNameBytes)
			}
		}
	}
	big := make([]PublicKey, MaxWraps*MaxRotationParts+1)
	if _, _, err := NewRotation(nil, g.ID(), admin, 1, ReasonRenewal, KeyOf(admin.Address()), nil, nil, big); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a rotation for %d members: %v", len(big), err)
	}
}

// TestRotationTampered: a changed wrap, commitment or list does not give a
// member a key; a body whose bounds or order are broken is malformed.
func TestRotationTampered(t *testing.T) {
	g := testGroup(t, "tamper")
	admin := testIdentity(t, "rosa")
	ids, keys := members(t, "member", 3)
	_, parts, err := NewRotation(nil, g.ID(), admin, 1, ReasonRemoval, KeyOf(admin.Address()), nil, nil, keys)
	if err != nil {
		t.Fatal(err)
	}
	p := parts[0]
	adminKey := KeyOf(admin.Address())
	if _, ok := p.Unwrap(g.ID(), adminKey, ids[0]); !ok {
		t.Fatal("the untouched part does not give the key")
	}
	for name, change := range map[string]func(r *Rotation){
		"wrap": func(r *Rotation) {
			r.Wraps = [][WrapSize]byte{r.Wraps[0], r.Wraps[1], r.Wraps[2]}
			r.Wraps[0][5] ^= 1
			r.Wraps[1][5] ^= 1
			r.Wraps[2][5] ^= 1
		},
		"commit": func(r *Rotation) { r.Commit[0] ^= 1 },
		"salt":   func(r *Rotation) { r.Salt[0] ^= 1 },
		"epoch":  func(r *Rotation) { r.Epoch++ },
	} {
		r := *p
		change(&r)
		if _, ok := r.Unwrap(g.ID(), adminKey, ids[0]); ok {
			t.Errorf("a part with a changed %s gives the key", name)
		}
	}
	if _, ok := p.Unwrap(g.ID(), KeyOf(ids[1].Address()), ids[0]); ok {
		t.Error("the part opens as if another member had signed it")
	}
	if _, ok := p.Unwrap(testGroup(t, "other").ID(), adminKey, ids[0]); ok {
		t.Error("the part opens in another group")
	}

	good, err := p.encode()
	if err != nil {
		t.Fatal(err)
	}
	if r, err := decodeRotation(good); err != nil || r.Salt != p.Salt || len(r.Wraps) != 3 {
		t.Fatalf("decode of a good body: %+v, %v", r, err)
	}
	bad := map[string][]byte{
		"empty":      nil,
		"truncated":  good[:len(good)-1],
		"trailing":   append(bytes.Clone(good), 0),
		"part ≥ n":   func() []byte { b := bytes.Clone(good); b[22] = b[23]; return b }(),
		"no parts":   func() []byte { b := bytes.Clone(good); b[23] = 0; return b }(),
		"reason 0":   func() []byte { b := bytes.Clone(good); b[5] = 0; return b }(),
		"epoch 0":    func() []byte { b := bytes.Clone(good); copy(b[1:5], []byte{0, 0, 0, 0}); return b }(),
		"many wraps": func() []byte { b := bytes.Clone(good); b[rotationFixed-1] = MaxWraps + 1; return b }(),
	}
	for name, b := range bad {
		if _, err := decodeRotation(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
	if _, err := decodeRotation(append([]byte{2}, good[1:]...)); !errors.Is(err, ErrVersion) {
		t.Errorf("rotation version 2: %v, want ErrVersion", err)
	}
	// Unsorted or repeated lists are refused when writing and reading.
	dup := *p
	dup.Removed = []PublicKey{keys[0], keys[0]}
	if _, err := dup.encode(); !errors.Is(err, ErrInvalid) {
		t.Errorf("a repeated removed key encodes: %v", err)
	}
}

// TestResealInto: a post sealed under epoch 0 and sealed again under epoch
// 1 is the same message (same ID) in bytes that share nothing with the
// first, and only epoch 1 opens it.
func TestResealInto(t *testing.T) {
	g := testGroup(t, "reseal")
	alice := testIdentity(t, "alice")
	m := &Message{Seq: 1, Sent: t0, Kind: KindText, Text: "queued before the rotation"}
	blob, err := g.Seal(nil, alice, m)
	if err != nil {
		t.Fatal(err)
	}
	next, _ := NewEpoch(g.ID(), 1, testKey("epoch 1"))
	again, err := g.ResealInto(nil, next, blob)
	if err != nil {
		t.Fatal(err)
	}
	if g.Ours(again) || !next.Ours(again) {
		t.Fatal("the resealed blob carries the old epoch's tag")
	}
	got, err := next.Open(again)
	if err != nil || got.ID != m.ID {
		t.Fatalf("resealed: %+v, %v", got, err)
	}
	for i := 0; i+8 <= BlobSize; i++ {
		if bytes.Contains(again, blob[i:i+8]) {
			t.Fatalf("the resealed blob shares bytes %d..%d with the first", i, i+8)
		}
	}
	if _, err := next.ResealInto(nil, g, blob); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("resealing another epoch's blob: %v", err)
	}
	if _, err := g.ResealInto(nil, testGroup(t, "other"), blob); !errors.Is(err, ErrInvalid) {
		t.Fatalf("resealing into another group: %v", err)
	}
}

// FuzzRotation decodes rotation bodies: never a panic, only ErrMalformed
// or ErrVersion, and what decodes encodes to the same bytes.
func FuzzRotation(f *testing.F) {
	admin := testIdentity(f, "rosa")
	_, keys := members(f, "member", 60)
	for _, n := range []int{0, 1, 60} {
		_, parts, err := NewRotation(newDetRand("fuzz"), ID{1}, admin, 7, ReasonLeft, KeyOf(admin.Address()), keys[:2], keys[2:3], keys[:n])
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range parts {
			b, err := p.encode()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			f.Add(b[:len(b)/2])
		}
	}
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := decodeRotation(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrVersion) {
				t.Fatalf("error %v is neither malformed nor version", err)
			}
			return
		}
		again, err := r.encode()
		if err != nil || !bytes.Equal(again, in) {
			t.Fatalf("round trip %x -> %x, %v", in, again, err)
		}
	})
}

// TestRotationSplitKeyRefused: an admin who wraps another key for one
// member, correctly sealed for them, under the commitment of the key the
// others get, does not give it: the commitment does not match.
func TestRotationSplitKeyRefused(t *testing.T) {
	g := testGroup(t, "split")
	admin := testIdentity(t, "rosa")
	ids, keys := members(t, "member", 2)
	_, parts, err := NewRotation(nil, g.ID(), admin, 1, ReasonRemoval, KeyOf(admin.Address()), nil, nil, keys[:1])
	if err != nil {
		t.Fatal(err)
	}
	p := *parts[0]
	// A wrap of another key for member 1, under the same commitment.
	other := testKey("the key only member 1 gets")
	k, err := wrapKey(admin, keys[1], KeyOf(admin.Address()), keys[1], g.ID(), p.Epoch, p.Salt)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := chacha20poly1305.New(k)
	if err != nil {
		t.Fatal(err)
	}
	p.Wraps = append(p.Wraps, [WrapSize]byte(aead.Seal(nil, make([]byte, chacha20poly1305.NonceSize), other[:], p.Commit[:])))
	if _, ok := p.Unwrap(g.ID(), KeyOf(admin.Address()), ids[0]); !ok {
		t.Fatal("member 0 lost the key the commitment names")
	}
	if _, ok := p.Unwrap(g.ID(), KeyOf(admin.Address()), ids[1]); ok {
		t.Fatal("member 1 took a key the commitment does not name")
	}
}
