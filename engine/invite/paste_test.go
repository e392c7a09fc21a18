package invite

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestPastedInvisibleCharacters: whatever invisible (default-ignorable)
// character a chat program, word processor or keyboard slipped into an
// invite, it parses as the invite: nobody can see such a character to
// remove it.
func TestPastedInvisibleCharacters(t *testing.T) {
	for name, inv := range testInvites(t) {
		text := inv.Encode()
		for _, r := range []rune{
			'\u00ad',     // soft hyphen (word processors, hyphenation)
			'\u200d',     // zero-width joiner
			'\u200e',     // left-to-right mark
			'\u200f',     // right-to-left mark (RTL chat programs)
			'\u2063',     // invisible separator
			'\u034f',     // combining grapheme joiner
			'\u061c',     // Arabic letter mark
			'\u180e',     // Mongolian vowel separator
			'\u202c',     // pop directional formatting
			'\u2066',     // left-to-right isolate
			'\ufe0f',     // variation selector 16
			'\ufeff',     // byte order mark
			'\U000e0001', // language tag
		} {
			for _, at := range []int{0, 2, 5, 8, 31, len(text) - 1, len(text)} {
				in := text[:at] + string(r) + text[at:]
				got, err := ParseAt(in, testNow)
				if err != nil {
					t.Fatalf("%s with %U at %d: %v", name, r, at, err)
				}
				sameInvite(t, inv, got)
			}
		}
	}
}

// TestInviteInSentence: an invite is found in the text around it, as people
// paste it out of a message: in quotes, brackets, after a colon, before a
// full stop, with a line of text after it.
func TestInviteInSentence(t *testing.T) {
	for name, inv := range testInvites(t) {
		text := inv.Encode()
		lower := strings.ToLower(text)
		wrapped := text[:30] + "\n" + text[30:60] + "\r\n" + text[60:]
		for _, in := range []string{
			`Here is my invite: "` + text + `".`,
			`Here is my invite: ` + text + `.`,
			`Here is my invite: ` + text + `. See you!`,
			`Here is my invite: “` + text + `”`,
			`«` + text + `»`,
			`„` + lower + `“, ok?`,
			`(` + text + `)`,
			`'` + text + `'`,
			"> " + text,
			"Add me on Nook:\n" + wrapped + "\nsee you tomorrow",
			"Nook: my invite is " + text,
			text + ", thanks",
			"\u200f" + `Here: "` + text + `"` + "\u200f",
		} {
			got, err := ParseAt(in, testNow)
			if err != nil {
				t.Fatalf("%s: %q: %v", name, in, err)
			}
			sameInvite(t, inv, got)
		}
	}
}

// TestPastedErrors: text around an invite does not hide what is wrong with
// it, and every error is a sentence with a hint.
func TestPastedErrors(t *testing.T) {
	invs := testInvites(t)
	contact := invs["contact"].Encode()
	replace := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	for _, tc := range []struct {
		in   string
		want error
	}{
		{`Here is my invite: "https://example.org/nook".`, ErrNotInvite},
		{`Here is my invite: "` + contact[:20] + "8" + contact[21:] + `".`, ErrCharacters},
		{`Here is my invite: "` + contact[:len(contact)-6] + `".`, ErrTruncated},
		{`Here is my invite: "` + replace(contact, 30) + `". See you`, ErrChecksum},
		{`Here is my invite: "NOOK:C1:".`, ErrTruncated},
		{"see you on nook: soon", ErrNotInvite},
	} {
		_, err := ParseAt(tc.in, testNow)
		if !errors.Is(err, tc.want) {
			t.Fatalf("%q: error %v, want %v", tc.in, err, tc.want)
		}
		if Hint(err) == "" {
			t.Fatalf("%q: no hint for %v", tc.in, err)
		}
	}
	// A wrong character is named as a person sees it, and where it is.
	_, err := ParseAt(contact[:20]+"8"+contact[21:], testNow)
	if msg := err.Error(); !strings.Contains(msg, `"8"`) || !strings.Contains(msg, "21") {
		t.Fatalf("error %q does not say which character is wrong", msg)
	}
}

// TestGroupInviteShortKey: a group invite with a correct checksum whose key
// is one byte short is malformed (made by faulty software), not "made by a
// newer version of Nook": the tag fixes the layout, so the byte read as the
// bundle's version is the bundle's first address byte.
func TestGroupInviteShortKey(t *testing.T) {
	g := testInvites(t)["group"].(*GroupInvite)
	key := g.Key()
	bundle := mustMarshal(g.Bundle(), nil)
	for _, short := range []int{1, 2, 31} {
		payload := appendName(append(bytes.Clone(key[:GroupKeySize-short]), bundle...), g.Name())
		_, err := ParseAt(frame(PrefixGroup, payload), testNow)
		if !errors.Is(err, ErrMalformed) || errors.Is(err, ErrVersion) {
			t.Fatalf("key %d bytes short: error %v, want ErrMalformed", short, err)
		}
	}
}
