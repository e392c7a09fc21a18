package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCheckEmoji(t *testing.T) {
	for _, s := range []string{
		"👍", "❤", "❤\ufe0f", "😂", "🎉", "👍🏽", "🇩🇪", "1\ufe0f\u20e3", "#\u20e3",
		"👩\u200d💻", "👨\u200d👩\u200d👧\u200d👦", "👩🏻\u200d❤\ufe0f\u200d💋\u200d👨🏼", "©", "☕",
	} {
		if err := CheckEmoji(s); err != nil {
			t.Errorf("CheckEmoji(%q) = %v, want nil", s, err)
		}
	}
	for _, s := range []string{
		"", "a", "ok", "1", "👍👍", "👍 ", " 👍", "👍\u200d", "\u200d👍", "👍\u202e", "\u202e👍",
		"👍\U000e0041", // a tag: hidden text
		"🏽", "🇩", "🇩🇪🇫🇷", "1\ufe0f", "👍\ufe0f\ufe0f", "\u2800", "👍\x00", "\xff",
		"👨\u200d👩\u200d👧\u200d👦\u200d👦\u200d👦", // six joined
		strings.Repeat("👍\u200d", 20) + "👍",
	} {
		if err := CheckEmoji(s); !errors.Is(err, ErrBadEmoji) {
			t.Errorf("CheckEmoji(%q) = %v, want ErrBadEmoji", s, err)
		}
	}
}

func TestSetReaction(t *testing.T) {
	var rs []Reaction
	rs, ok := SetReaction(rs, "a", "👍")
	if !ok || len(rs) != 1 || rs[0] != (Reaction{"a", "👍"}) {
		t.Fatalf("add: %v %v", rs, ok)
	}
	rs, _ = SetReaction(rs, "b", "❤")
	before := rs
	rs, ok = SetReaction(rs, "a", "🎉")
	if !ok || rs[0] != (Reaction{"a", "🎉"}) || rs[1] != (Reaction{"b", "❤"}) || before[0].Emoji != "👍" {
		t.Fatalf("replace: %v %v (the input must not change: %v)", rs, ok, before)
	}
	if _, ok := SetReaction(rs, "a", "🎉"); ok {
		t.Fatal("the same reaction again changed something")
	}
	if _, ok := SetReaction(rs, "c", ""); ok {
		t.Fatal("removing a reaction that is not there changed something")
	}
	rs, ok = SetReaction(rs, "a", "")
	if !ok || len(rs) != 1 || rs[0].Author != "b" {
		t.Fatalf("remove: %v %v", rs, ok)
	}
	rs = nil
	for i := range MaxReactions {
		rs, _ = SetReaction(rs, fmt.Sprint(i), "👍")
	}
	if _, ok := SetReaction(rs, "new", "👍"); ok {
		t.Fatalf("a reaction past MaxReactions (%d) was added", MaxReactions)
	}
	if rs, ok := SetReaction(rs, "0", "❤"); !ok || rs[0].Emoji != "❤" {
		t.Fatal("a full list refused a change of an existing reaction")
	}
}

// FuzzCheckEmoji: whatever CheckEmoji accepts is short, valid UTF-8, has
// no character a name may not hold outside an emoji sequence, no letter,
// digit outside a keycap, space or tag, and is one emoji (BadNameChar
// accepts it as a name).
func FuzzCheckEmoji(f *testing.F) {
	for _, s := range []string{"👍", "👍🏽", "🇩🇪", "1\ufe0f\u20e3", "👩\u200d💻", "ok", "👍👍", "👍\U000e0041", "\u202e👍", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckEmoji(s) != nil {
			return
		}
		if len(s) > MaxEmojiBytes || !utf8.ValidString(s) || BadNameChar(s) >= 0 {
			t.Fatalf("accepted %q", s)
		}
		for i, r := range s {
			if unicode.IsLetter(r) || unicode.IsSpace(r) || r >= 0xe0000 && r <= 0xe007f ||
				unicode.IsDigit(r) && !(i == 0 && keycapBase(r)) {
				t.Fatalf("accepted %q with %U", s, r)
			}
		}
	})
}
