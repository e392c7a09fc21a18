package group

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sync"
	"time"
	"unicode/utf8"

	"filippo.io/edwards25519"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// LayoutVersion is the plaintext layout version this package writes and
// reads (the first byte of every plaintext).
const LayoutVersion = 1

// Labels of the signature and the message ID (docs/groups.md).
const (
	labelSignature = "nook group message v1\x00"
	labelMessageID = "nook group message id v1\x00"
)

// Limits on a message's fields.
const (
	MaxNameRunes = 64  // display name, characters
	MaxNameBytes = 255 // display name, bytes
)

// Sizes of the plaintext layout.
const (
	// fixedSize is everything but name and body: version, author, seq, sent,
	// prev, name length, kind, body length, signature.
	fixedSize = 1 + 32 + 8 + 8 + 32 + 1 + 1 + 2 + ed25519.SignatureSize
	// MaxText is the longest text (in bytes of UTF-8) that fits in a message
	// without a display name and without a quoted message. MaxTextFor gives
	// the limit for other messages.
	MaxText = PlainSize - fixedSize
)

// Kind is a message's body type.
type Kind uint8

// Body types. A kind this package does not know is still opened and
// verified (it counts in the timeline) but carries only a raw body.
const (
	KindText      Kind = 1 // Text
	KindReply     Kind = 2 // ReplyTo ‖ Text
	KindFileOffer Kind = 3 // File: a shared file, or a holder note (fileoffer.go)
	// KindLeft announces that the author left the group: its body is
	// empty and it carries no text. Clients that predate it count it in
	// the timeline and show nothing (an unknown kind).
	KindLeft Kind = 4
	// KindReaction puts the author's emoji on a message of the group, or
	// removes it: its body is the message's ID (ReplyTo) and the emoji
	// (Emoji: one emoji, model.CheckEmoji, or empty to remove). Clients
	// that predate it count it in the timeline and show nothing.
	KindReaction Kind = 5
	// KindJoined announces that the author joined the group (or created
	// it): its body is empty, like a leave notice's. Every member's
	// client posts one when it joins, so that the others see them join
	// and count them as a member before they write. Clients that predate
	// it count it in the timeline and show nothing.
	KindJoined Kind = 6
	// KindEdit replaces the text of a message the author wrote: its body
	// is the message's ID (ReplyTo) and the new text (Text), laid out as
	// a reply's; its Sent is the edit's time (model.ApplyEdit: the
	// author's own text, within model.EditWindow of its sending, the
	// latest edit wins). Clients that predate it count it in the timeline
	// and show nothing.
	KindEdit Kind = 10
	// KindChange is any change of a message, of a type the model's table
	// names (model.Changes; deleting a message for everyone is the
	// first): its body is the message's ID (ReplyTo), the change type (one
	// byte, Change) and its payload (Payload, model.CheckChange); its Sent
	// is the change's time. Reactions and edits are still posted as kinds
	// 5 and 10, which clients before this kind read; a KindChange of those
	// types is applied the same. A change type the client does not know is
	// counted in the timeline and dropped, as are clients that predate
	// this kind.
	KindChange Kind = 12
)

// Notice reports whether k is a notice (a join or a leave) rather than a
// text: its body is empty.
func (k Kind) Notice() bool { return k == KindLeft || k == KindJoined }

// MessageID identifies a group message: the SHA-256 of its signed
// plaintext (docs/groups.md), so a replayed blob is the same message.
type MessageID [32]byte

// String returns the ID in hexadecimal.
func (id MessageID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero ID (no message).
func (id MessageID) IsZero() bool { return id == MessageID{} }

// Model returns the 16-byte ID under which the engine stores the message:
// the first 16 bytes of id (zero for the zero ID).
func (id MessageID) Model() model.MessageID {
	var m model.MessageID
	copy(m[:], id[:])
	return m
}

// Message is one group message.
type Message struct {
	// Author is the author's onion address; Open fills it in from the
	// signed public key, Seal from the signing identity.
	Author identity.Address
	// Name is the display name the author chose to carry, or empty.
	Name string
	// Seq is the author's sequence number in this group, from 1.
	Seq uint64
	// Sent is the author's clock, with millisecond precision (UTC).
	Sent time.Time
	// Prev is the last message the author saw in the group, or zero.
	Prev MessageID
	// Kind is the body type.
	Kind Kind
	// ReplyTo is the quoted message of a KindReply, the message reacted to
	// of a KindReaction, the message edited of a KindEdit.
	ReplyTo MessageID
	// Emoji is a KindReaction's emoji; empty removes the author's
	// reaction.
	Emoji string
	// Change and Payload are a KindChange's type and payload.
	Change  model.ChangeType
	Payload []byte
	// Text is the text of a KindText or KindReply, the new text of a
	// KindEdit.
	Text string
	// Rotation is the body of a KindRotate (rotate.go).
	Rotation *Rotation
	// KnownTo is the body of a KindKnownTo (knownto.go).
	KnownTo *KnownTo
	// Servers is the body of a KindServers (servers.go).
	Servers *Servers
	// File is the body of a KindFileOffer (fileoffer.go).
	File *FileOffer
	// Raw is the body of a kind this package does not know (Open only).
	Raw []byte
	// ID is the message ID; Seal and Open fill it in.
	ID MessageID
}

// MaxTextFor returns the longest text that fits in a message with the given
// display name, quoting a message or not.
func MaxTextFor(name string, reply bool) int {
	n := MaxText - len(name)
	if reply {
		n -= len(MessageID{})
	}
	return n
}

// checkName reports why s cannot be a display name.
func checkName(s string) error {
	switch {
	case len(s) > MaxNameBytes:
		return fmt.Errorf("display name longer than %d bytes", MaxNameBytes)
	case !utf8.ValidString(s):
		return fmt.Errorf("display name is not valid UTF-8")
	case utf8.RuneCountInString(s) > MaxNameRunes:
		return fmt.Errorf("display name longer than %d characters", MaxNameRunes)
	case model.BadNameChar(s) >= 0:
		return fmt.Errorf("display name contains control, text-direction or invisible characters")
	}
	return nil
}

// body returns the encoded body of m.
func (m *Message) body() ([]byte, error) {
	switch m.Kind {
	case KindText, KindReply, KindEdit:
	case KindLeft, KindJoined:
		if m.Text != "" || !m.ReplyTo.IsZero() {
			return nil, fmt.Errorf("%w: a join or leave notice carries no text", ErrInvalid)
		}
		return nil, nil
	case KindRotate:
		if m.Rotation == nil || m.Text != "" {
			return nil, fmt.Errorf("%w: a rotation carries its rotation and no text", ErrInvalid)
		}
		return m.Rotation.encode()
	case KindKnownTo:
		if m.KnownTo == nil || m.Text != "" {
			return nil, fmt.Errorf("%w: contact tags carry their tags and no text", ErrInvalid)
		}
		return m.KnownTo.Encode()
	case KindServers:
		if m.Servers == nil || m.Text != "" {
			return nil, fmt.Errorf("%w: a list of servers carries the list and no text", ErrInvalid)
		}
		return m.Servers.Encode()
	case KindFileOffer:
		if m.File == nil || m.Text != "" {
			return nil, fmt.Errorf("%w: a file announcement carries its file and no text", ErrInvalid)
		}
		return m.File.Encode()
	case KindReaction:
		if m.Text != "" || m.ReplyTo.IsZero() {
			return nil, fmt.Errorf("%w: a reaction carries a message ID and no text", ErrInvalid)
		}
		if m.Emoji != "" && model.CheckEmoji(m.Emoji) != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, model.ErrBadEmoji)
		}
		return append(m.ReplyTo[:len(m.ReplyTo):len(m.ReplyTo)], m.Emoji...), nil
	case KindChange:
		if m.Text != "" || m.ReplyTo.IsZero() {
			return nil, fmt.Errorf("%w: a change carries a message ID and no text", ErrInvalid)
		}
		if err := model.CheckChange(m.Change, m.Payload); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		if n := len(m.ReplyTo) + 1 + len(m.Payload); n > MaxTextFor(m.Name, false) {
			return nil, fmt.Errorf("%w: %d bytes of change, at most %d fit", ErrBodyTooLong, n, MaxTextFor(m.Name, false))
		}
		return append(append(m.ReplyTo[:len(m.ReplyTo):len(m.ReplyTo)], byte(m.Change)), m.Payload...), nil
	default:
		return nil, fmt.Errorf("%w: kind %d cannot be written", ErrInvalid, m.Kind)
	}
	if m.Text == "" {
		return nil, fmt.Errorf("%w: empty text", ErrInvalid)
	}
	if !utf8.ValidString(m.Text) {
		return nil, fmt.Errorf("%w: text is not valid UTF-8", ErrInvalid)
	}
	if max := MaxTextFor(m.Name, m.Kind != KindText); len(m.Text) > max {
		return nil, fmt.Errorf("%w: %d bytes of text, at most %d fit", ErrBodyTooLong, len(m.Text), max)
	}
	if m.Kind == KindText {
		return []byte(m.Text), nil
	}
	if m.ReplyTo.IsZero() {
		return nil, fmt.Errorf("%w: reply or edit without its message", ErrInvalid)
	}
	return append(m.ReplyTo[:], m.Text...), nil
}

// encode signs m as author for group gid and returns the signed plaintext
// (without padding), appended to dst. It sets m.Author, m.Sent (rounded to
// milliseconds) and m.ID.
func (m *Message) encode(dst []byte, gid ID, author *identity.Identity) ([]byte, error) {
	if m.Seq == 0 {
		return nil, fmt.Errorf("%w: sequence numbers start at 1", ErrInvalid)
	}
	if err := checkName(m.Name); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if m.Sent.UnixMilli() < 0 {
		return nil, fmt.Errorf("%w: time before 1970", ErrInvalid)
	}
	body, err := m.body()
	if err != nil {
		return nil, err
	}
	start := len(dst)
	dst = appendUnsigned(dst, author.PublicKey(), m, body)
	dst = append(dst, author.Sign(signedBytes(gid, dst[start:]))...)
	m.Author = author.Address()
	m.Sent = time.UnixMilli(m.Sent.UnixMilli()).UTC()
	m.ID = messageID(dst[start:])
	return dst, nil
}

// appendUnsigned appends the plaintext fields before the signature.
func appendUnsigned(dst, pub []byte, m *Message, body []byte) []byte {
	dst = append(dst, LayoutVersion)
	dst = append(dst, pub...)
	dst = binary.BigEndian.AppendUint64(dst, m.Seq)
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.Sent.UnixMilli()))
	dst = append(dst, m.Prev[:]...)
	dst = append(dst, byte(len(m.Name)))
	dst = append(dst, m.Name...)
	dst = append(dst, byte(m.Kind))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(body)))
	return append(dst, body...)
}

// signedBytes is what the author signs: label ‖ group ID ‖ unsigned plaintext.
func signedBytes(gid ID, unsigned []byte) []byte {
	b := make([]byte, 0, len(labelSignature)+len(gid)+len(unsigned))
	b = append(b, labelSignature...)
	b = append(b, gid[:]...)
	return append(b, unsigned...)
}

func messageID(signed []byte) MessageID {
	h := sha256.New()
	h.Write([]byte(labelMessageID))
	h.Write(signed)
	var id MessageID
	h.Sum(id[:0])
	return id
}

// decodePlaintext parses and verifies a padded plaintext of group gid.
// Errors wrap ErrVersion, ErrMalformed or ErrBadSignature.
func decodePlaintext(gid ID, p []byte) (*Message, error) {
	if len(p) > 0 && p[0] != LayoutVersion {
		return nil, fmt.Errorf("%w: layout %d", ErrVersion, p[0])
	}
	r := reader{b: p}
	r.take(1)
	pub := r.take(32)
	m := &Message{Seq: r.u64()}
	ms := r.u64()
	copy(m.Prev[:], r.take(32))
	m.Name = string(r.take(int(r.u8())))
	m.Kind = Kind(r.u8())
	body := r.take(int(r.u16()))
	end := r.off
	sig := r.take(ed25519.SignatureSize)
	if r.short {
		return nil, fmt.Errorf("%w: truncated", ErrMalformed)
	}
	for _, c := range p[r.off:] {
		if c != 0 {
			return nil, fmt.Errorf("%w: padding is not zeros", ErrMalformed)
		}
	}
	if m.Seq == 0 {
		return nil, fmt.Errorf("%w: sequence number 0", ErrMalformed)
	}
	if ms > math.MaxInt64 {
		return nil, fmt.Errorf("%w: time out of range", ErrMalformed)
	}
	m.Sent = time.UnixMilli(int64(ms)).UTC()
	if err := checkName(m.Name); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch m.Kind {
	case KindText:
		m.Text = string(body)
	case KindReply, KindEdit:
		if len(body) < len(m.ReplyTo) {
			return nil, fmt.Errorf("%w: reply or edit shorter than a message id", ErrMalformed)
		}
		copy(m.ReplyTo[:], body)
		m.Text = string(body[len(m.ReplyTo):])
		if m.Kind == KindEdit && (m.ReplyTo.IsZero() || m.Text == "") {
			return nil, fmt.Errorf("%w: an edit must name a message and carry a text", ErrMalformed)
		}
	case KindLeft, KindJoined:
		if len(body) != 0 {
			return nil, fmt.Errorf("%w: join or leave notice with a body", ErrMalformed)
		}
	case KindRotate:
		rot, err := decodeRotation(body)
		if err != nil {
			return nil, err
		}
		m.Rotation = rot
	case KindKnownTo:
		kt, err := ParseKnownTo(body)
		if err != nil {
			return nil, err
		}
		m.KnownTo = kt
	case KindServers:
		sv, err := ParseServers(body)
		if err != nil {
			return nil, err
		}
		m.Servers = sv
	case KindFileOffer:
		f, err := ParseFileOffer(body)
		if err != nil {
			return nil, err
		}
		m.File = f
	case KindReaction:
		if len(body) < len(m.ReplyTo) {
			return nil, fmt.Errorf("%w: reaction shorter than a message id", ErrMalformed)
		}
		copy(m.ReplyTo[:], body)
		m.Emoji = string(body[len(m.ReplyTo):])
		if m.ReplyTo.IsZero() || m.Emoji != "" && model.CheckEmoji(m.Emoji) != nil {
			return nil, fmt.Errorf("%w: a reaction must name a message and carry one emoji or none", ErrMalformed)
		}
	case KindChange:
		if len(body) < len(m.ReplyTo)+1 {
			return nil, fmt.Errorf("%w: change shorter than a message id and its type", ErrMalformed)
		}
		copy(m.ReplyTo[:], body)
		m.Change = model.ChangeType(body[len(m.ReplyTo)])
		m.Payload = append([]byte(nil), body[len(m.ReplyTo)+1:]...)
		if m.ReplyTo.IsZero() {
			return nil, fmt.Errorf("%w: a change must name a message", ErrMalformed)
		}
		if err := model.CheckChange(m.Change, m.Payload); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
	default:
		m.Raw = append([]byte(nil), body...)
	}
	if (m.Kind == KindText || m.Kind == KindReply || m.Kind == KindEdit) && !utf8.ValidString(m.Text) {
		return nil, fmt.Errorf("%w: text is not valid UTF-8", ErrMalformed)
	}
	if !validPublicKey(pub) {
		return nil, fmt.Errorf("%w: author key is not a valid public key", ErrMalformed)
	}
	if !ed25519.Verify(pub, signedBytes(gid, p[:end]), sig) {
		return nil, ErrBadSignature
	}
	m.Author = identity.AddressFromPublicKey(pub)
	m.ID = messageID(p[:r.off])
	return m, nil
}

// validPublicKey reports whether pub encodes a curve point that is not of
// small order (as identity.ParseAddress requires of onion keys): a
// small-order key would let anyone make signatures that verify.
// Keys found valid are remembered (validKeys): a group's messages come
// from few authors, and the check is a point decompression each.
func validPublicKey(pub []byte) bool {
	if len(pub) != ed25519.PublicKeySize {
		return false
	}
	k := [ed25519.PublicKeySize]byte(pub)
	if validKeys.has(k) {
		return true
	}
	p, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false
	}
	if new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return false
	}
	validKeys.add(k)
	return true
}

// validKeys holds up to maxValidKeys public keys validPublicKey accepted,
// emptied when full.
var validKeys keySet

const maxValidKeys = 4096

// keySet is a set of public keys safe for concurrent use.
type keySet struct {
	mu   sync.Mutex
	keys map[[ed25519.PublicKeySize]byte]struct{}
}

func (s *keySet) has(k [ed25519.PublicKeySize]byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.keys[k]
	return ok
}

func (s *keySet) add(k [ed25519.PublicKeySize]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil || len(s.keys) >= maxValidKeys {
		s.keys = make(map[[ed25519.PublicKeySize]byte]struct{})
	}
	s.keys[k] = struct{}{}
}

// reader reads fixed-size fields; reading past the end sets short.
type reader struct {
	b     []byte
	off   int
	short bool
}

func (r *reader) take(n int) []byte {
	if r.short || n > len(r.b)-r.off {
		r.short = true
		return nil
	}
	b := r.b[r.off : r.off+n]
	r.off += n
	return b
}

func (r *reader) u8() uint8 {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}
