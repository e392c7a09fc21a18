package model

import (
	"errors"
	"unicode/utf8"
)

// Reaction is one person's emoji on a message. A person has at most one
// reaction on a message: a new one replaces it, and removing it is
// explicit (an empty emoji on the wire, docs/protocol.md). Reactions are
// not messages: they are stored with the message they are on, count as
// nothing unread, and a message's reactions go when it goes (deleted or
// disappeared).
type Reaction struct {
	// Author is the onion address (56 characters) of who reacted.
	Author string
	// Emoji is one emoji, as CheckEmoji accepts.
	Emoji string
}

// Limits on reactions.
const (
	// MaxEmojiBytes bounds an emoji's UTF-8 encoding: the longest emoji
	// sequences (a couple with two skin tones, "👩🏻‍❤️‍💋‍👨🏼") take 35
	// bytes.
	MaxEmojiBytes = 48
	// maxEmojiParts bounds the pictographs an emoji joins with U+200D (a
	// family of four is four).
	maxEmojiParts = 5
	// MaxReactions is how many people's reactions one message keeps: a
	// reaction by someone new on a message that has this many is dropped,
	// so that reactions cannot make a stored message grow without bound
	// (anyone holding a group's key can sign as many identities as they
	// like).
	MaxReactions = 64
)

// ErrBadEmoji is returned by CheckEmoji.
var ErrBadEmoji = errors.New("a reaction must be a single emoji")

// CheckEmoji reports whether s is one emoji and nothing else: a flag (two
// regional indicators), a keycap ("1", U+FE0F, U+20E3), or up to five
// pictographs (symbols, category So) joined by U+200D, each followed by at
// most a variation selector 16 or a skin-tone modifier. Letters, digits
// outside a keycap, white space, control, text-direction and invisible
// characters (tags included, which could carry hidden text) are refused,
// so that a reaction cannot smuggle text or change how a line displays.
func CheckEmoji(s string) error {
	if s == "" || len(s) > MaxEmojiBytes || !utf8.ValidString(s) {
		return ErrBadEmoji
	}
	rs := []rune(s)
	if len(rs) == 2 && regionalIndicator(rs[0]) && regionalIndicator(rs[1]) {
		return nil // a flag
	}
	if keycapBase(rs[0]) {
		if len(rs) == 2 && rs[1] == keycap || len(rs) == 3 && rs[1] == vs16 && rs[2] == keycap {
			return nil
		}
		return ErrBadEmoji
	}
	parts := 0
	for i := 0; i < len(rs); {
		r := rs[i]
		if !emoji(r) || regionalIndicator(r) || ForbiddenInName(r) {
			return ErrBadEmoji
		}
		parts++
		i++
		if i < len(rs) && (rs[i] == vs16 || skinTone(rs[i])) {
			i++
		}
		if i == len(rs) {
			break
		}
		if rs[i] != zwj || i+1 == len(rs) {
			return ErrBadEmoji // two emoji not joined, or a trailing joiner
		}
		i++
	}
	if parts > maxEmojiParts {
		return ErrBadEmoji
	}
	return nil
}

const keycap = '\u20e3' // combining enclosing keycap

func regionalIndicator(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }

func skinTone(r rune) bool { return r >= 0x1f3fb && r <= 0x1f3ff }

// SetReaction returns rs with author's reaction set to emoji, replacing
// theirs, or removed when emoji is empty, and whether anything changed. A
// new author's reaction is not added to a list that already holds
// MaxReactions. rs is not modified.
func SetReaction(rs []Reaction, author, emoji string) ([]Reaction, bool) {
	for i, r := range rs {
		if r.Author != author {
			continue
		}
		if r.Emoji == emoji {
			return rs, false
		}
		out := append([]Reaction(nil), rs...)
		if emoji == "" {
			return append(out[:i], out[i+1:]...), true
		}
		out[i].Emoji = emoji
		return out, true
	}
	if emoji == "" || len(rs) >= MaxReactions {
		return rs, false
	}
	return append(append(make([]Reaction, 0, len(rs)+1), rs...), Reaction{Author: author, Emoji: emoji}), true
}
