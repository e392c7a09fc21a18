package invite

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.txt and the fuzz seed corpora")

// sameInvite fails the test unless a and b hold the same values.
func sameInvite(t testing.TB, a, b Invite) {
	t.Helper()
	if a.Kind() != b.Kind() || a.Encode() != b.Encode() {
		t.Fatalf("invites differ:\n%s\n%s", a.Encode(), b.Encode())
	}
	switch x := a.(type) {
	case *ContactInvite:
		y := b.(*ContactInvite)
		if x.addr != y.addr || x.name != y.name || x.secret != y.secret || !x.expires.Equal(y.expires) {
			t.Fatalf("contact invites differ: %v / %v", x, y)
		}
	case *ServerInvite:
		if !x.bundle.Equal(&b.(*ServerInvite).bundle) {
			t.Fatal("server bundles differ")
		}
	case *GroupInvite:
		y := b.(*GroupInvite)
		if x.name != y.name || x.key != y.key || !x.bundle.Equal(&y.bundle) || x.epoch != y.epoch || x.id != y.id || x.owner != y.owner ||
			len(x.more) != len(y.more) {
			t.Fatal("group invites differ")
		}
		for i := range x.more {
			if !x.more[i].Equal(&y.more[i]) {
				t.Fatal("group invites' servers differ")
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for name, inv := range testInvites(t) {
		t.Run(name, func(t *testing.T) {
			text := inv.Encode()
			if text != strings.ToUpper(text) || strings.ContainsAny(text, " \n") {
				t.Fatalf("Encode is not compact upper case: %q", text)
			}
			// What copy and paste, chat programs and e-mail do to text.
			var wrapped strings.Builder
			for i := 0; i < len(text); i += 20 {
				wrapped.WriteString(text[i:min(i+20, len(text))])
				wrapped.WriteString("\r\n")
			}
			variants := []string{
				text,
				strings.ToLower(text),
				"  \t" + text + "\n\n",
				wrapped.String(),
				"\ufeff" + text[:10] + "\u200b" + text[10:] + "\u00a0",
				strings.ToLower(text[:len(text)/2]) + text[len(text)/2:],
			}
			for _, v := range variants {
				got, err := ParseAt(v, testNow)
				if err != nil {
					t.Fatalf("ParseAt(%q): %v", v, err)
				}
				sameInvite(t, inv, got)
			}
		})
	}
}

func TestContactAccessors(t *testing.T) {
	c := testInvites(t)["contact-verified"].(*ContactInvite)
	if c.Kind() != KindContact || c.Address() != testID(t, 1).Address() || c.Name() != "Alice" {
		t.Fatal("accessors")
	}
	if s, ok := c.Secret(); !ok || s != testSecret() {
		t.Fatal("secret")
	}
	if e, ok := c.Expires(); !ok || !e.Equal(testNow.Add(24*time.Hour)) {
		t.Fatal("expiry")
	}
	plain := testInvites(t)["contact"].(*ContactInvite)
	if _, ok := plain.Secret(); ok {
		t.Fatal("plain invite has a secret")
	}
	if _, ok := plain.Expires(); ok {
		t.Fatal("plain invite expires")
	}
	// An address is accepted in any form ParseAddress accepts.
	alt, err := NewContactInvite(identity.Address(strings.ToUpper(testID(t, 1).Address().String())), "Alice", ContactOptions{})
	if err != nil || alt.Encode() != plain.Encode() {
		t.Fatalf("non-canonical address: %v", err)
	}
	// Sub-second expiry is truncated to what the invite carries.
	sub, err := NewContactInvite(c.Address(), "", ContactOptions{Expires: testNow.Add(1500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseAt(sub.Encode(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	sameInvite(t, sub, back)
}

func TestStringHidesSecrets(t *testing.T) {
	sec := testSecret()
	secretHex := hex.EncodeToString(sec[:])
	invs := testInvites(t)
	g := invs["group"].(*GroupInvite)
	key := g.Key()
	keyHex := hex.EncodeToString(key[:])
	for _, v := range []any{invs["contact-verified"], g, testSecret()} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
			s := fmt.Sprintf(format, v)
			if strings.Contains(s, secretHex) || strings.Contains(s, keyHex) || strings.Contains(strings.ToLower(s), "a0a1a2") {
				t.Errorf("%s of %T shows a secret: %s", format, v, s)
			}
		}
	}
}

func TestConstructorErrors(t *testing.T) {
	addr := testID(t, 1).Address()
	for _, name := range []string{
		strings.Repeat("x", MaxNameRunes+1),
		strings.Repeat("é", MaxNameRunes+1),
		"a\nb", "tab\there", "\u202eevil", "\xff",
	} {
		if _, err := NewContactInvite(addr, name, ContactOptions{}); !errors.Is(err, ErrName) {
			t.Errorf("NewContactInvite(%q) = %v, want ErrName", name, err)
		}
		if _, err := NewGroupInvite(name, [32]byte{1}, testBundle(t)); !errors.Is(err, ErrName) {
			t.Errorf("NewGroupInvite(%q) = %v, want ErrName", name, err)
		}
	}
	// The longest names allowed: 64 runes, and 64 four-byte runes (256 bytes).
	for _, name := range []string{strings.Repeat("x", MaxNameRunes), strings.Repeat("😀", MaxNameRunes), "👩‍👩‍👧 family", "Zoë"} {
		c, err := NewContactInvite(addr, name, ContactOptions{Secret: testSecret(), Expires: testNow.Add(time.Hour)})
		if err != nil {
			t.Fatalf("NewContactInvite(%q): %v", name, err)
		}
		got, err := ParseAt(c.Encode(), testNow)
		if err != nil {
			t.Fatal(err)
		}
		sameInvite(t, c, got)
		g, err := NewGroupInvite(name, [32]byte{1}, testBundle(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Encode()) > MaxTextLen {
			t.Fatalf("longest group invite has %d characters, more than MaxTextLen", len(g.Encode()))
		}
		if got, err := ParseAt(g.Encode(), testNow); err != nil {
			t.Fatal(err)
		} else {
			sameInvite(t, g, got)
		}
	}
	if _, err := NewContactInvite("notanaddress", "x", ContactOptions{}); !errors.Is(err, ErrAddress) || !errors.Is(err, identity.ErrAddressLength) {
		t.Errorf("bad address: %v", err)
	}
	if _, err := NewContactInvite(addr, "x", ContactOptions{Expires: time.Unix(1<<33, 0)}); err == nil {
		t.Error("expiry after 2106 accepted")
	}
	if _, err := NewGroupInvite("g", [32]byte{}, testBundle(t)); !errors.Is(err, ErrKey) {
		t.Errorf("zero group key: %v", err)
	}
	bad := testBundle(t)
	bad.Signature[0] ^= 1
	if _, err := NewGroupInvite("g", [32]byte{1}, bad); !errors.Is(err, ErrSignature) {
		t.Errorf("group with bad bundle: %v", err)
	}
	if _, err := NewServerInvite(bad); !errors.Is(err, ErrSignature) {
		t.Errorf("server with bad bundle: %v", err)
	}
}

// contactPayload builds a C1 payload by hand.
func contactPayload(flags byte, key []byte, extra []byte, name []byte) []byte {
	b := append([]byte{flags}, key...)
	b = append(b, extra...)
	b = binary.AppendUvarint(b, uint64(len(name)))
	return append(b, name...)
}

func TestParseErrors(t *testing.T) {
	invs := testInvites(t)
	contact := invs["contact"].Encode()
	verified := invs["contact-verified"].Encode()
	server := invs["server"].(*ServerInvite)
	group := invs["group"].(*GroupInvite)
	key := testID(t, 1).PublicKey()
	smallOrder := make([]byte, 32)
	smallOrder[0] = 1

	replace := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	// resigned returns the server bundle changed by f and signed again.
	resigned := func(f func(*Bundle)) []byte {
		b := server.Bundle()
		f(b)
		msg, err := b.appendUnsigned([]byte(bundleSignatureLabel))
		if err != nil {
			t.Fatal(err)
		}
		copy(b.Signature[:], testID(t, 0x21).Sign(msg))
		return mustMarshal(b, nil)
	}
	tampered := mustMarshal(server.Bundle(), nil)
	tampered[104] ^= 1 // the last byte of the creation time

	cases := []struct {
		name string
		in   string
		want []error
	}{
		{"empty", "", []error{ErrNotInvite}},
		{"blank", " \n\t", []error{ErrNotInvite}},
		{"web address", "https://example.com/", []error{ErrNotInvite}},
		{"onion address", testID(t, 1).Address().String(), []error{ErrNotInvite}},
		{"other scheme", "NOOKS:C1:AAAA", []error{ErrNotInvite}},
		{"bad tag", "NOOK:11:AAAA", []error{ErrNotInvite}},
		{"leading zero tag", "NOOK:C01:AAAA", []error{ErrNotInvite}},
		{"only scheme", "nook:", []error{ErrTruncated}},
		{"only tag", "NOOK:C1", []error{ErrTruncated}},
		{"only prefix", PrefixContact, []error{ErrTruncated}},
		{"newer version", frame("NOOK:C2:", []byte("anything at all")), []error{ErrVersion}},
		{"newer kind", frame("NOOK:Q1:", nil), []error{ErrVersion}},
		{"newer version, damaged", replace(frame("NOOK:C2:", []byte("anything at all")), 12), []error{ErrChecksum}},
		{"prefix changed", "NOOK:G1:" + contact[len(PrefixContact):], []error{ErrChecksum}},
		{"typo", replace(contact, 30), []error{ErrChecksum}},
		{"typo in checksum", replace(contact, len(contact)-1), []error{ErrChecksum}},
		{"typo in secret", replace(verified, 70), []error{ErrChecksum}},
		{"swapped", contact[:20] + contact[21:22] + contact[20:21] + contact[22:], []error{ErrChecksum}},
		{"extra character", contact + "A", []error{ErrChecksum}},
		{"digit one", contact[:20] + "1" + contact[21:], []error{ErrCharacters}},
		{"digit zero", contact[:20] + "0" + contact[21:], []error{ErrCharacters}},
		{"punctuation", contact[:20] + "-" + contact[21:], []error{ErrCharacters}},
		{"non-ASCII", contact[:20] + "É" + contact[21:], []error{ErrCharacters}},
		{"last character missing", contact[:len(contact)-1], []error{ErrTruncated}},
		{"last five missing", verified[:len(verified)-5], []error{ErrTruncated}},
		{"half", verified[:len(verified)/2], []error{ErrTruncated}},
		{"group half", group.Encode()[:200], []error{ErrTruncated}},
		{"server end missing", server.Encode()[:len(server.Encode())-8], []error{ErrTruncated}},
		{"too long", contact + strings.Repeat("A", MaxTextLen), []error{ErrTooLong}},
		{"too much white space", contact + strings.Repeat(" ", MaxInputLen), []error{ErrTooLong}},
		{"unknown flag", frame(PrefixContact, contactPayload(0x04, key, nil, []byte("A"))), []error{ErrMalformed}},
		{"trailing byte", frame(PrefixContact, append(contactPayload(0, key, nil, []byte("A")), 0)), []error{ErrMalformed}},
		{"header too long", frame(PrefixContact, contactPayload(flagSecret, key, nil, nil)), []error{ErrMalformed}},
		{"zero secret", frame(PrefixContact, contactPayload(flagSecret, key, make([]byte, 16), nil)), []error{ErrMalformed}},
		{"zero expiry", frame(PrefixContact, contactPayload(flagExpires, key, make([]byte, 4), nil)), []error{ErrMalformed}},
		{"name not UTF-8", frame(PrefixContact, contactPayload(0, key, nil, []byte{0xff})), []error{ErrMalformed, ErrName}},
		{"name control", frame(PrefixContact, contactPayload(0, key, nil, []byte("a\x00"))), []error{ErrMalformed, ErrName}},
		{"name too long", frame(PrefixContact, contactPayload(0, key, nil, bytes.Repeat([]byte("x"), 65))), []error{ErrMalformed, ErrName}},
		{"name length huge", frame(PrefixContact, append(append([]byte{0}, key...), 0xff, 0xff, 0xff, 0xff, 0x0f)), []error{ErrMalformed}},
		{"name length not minimal", frame(PrefixContact, append(append([]byte{0}, key...), 0x81, 0x00, 'A')), []error{ErrMalformed}},
		{"small-order key", frame(PrefixContact, contactPayload(0, smallOrder, nil, nil)), []error{ErrAddress, identity.ErrAddressKey}},
		{"expired", verified, nil}, // checked below with a later time
		{"bundle altered", frame(PrefixServer, tampered), []error{ErrSignature}},
		{"bundle newer", frame(PrefixServer, append([]byte{2}, tampered[1:]...)), []error{ErrMalformed}},
		{"bundle short", frame(PrefixServer, tampered[:100]), []error{ErrMalformed}},
		{"bundle zero time", frame(PrefixServer, func() []byte {
			b := mustMarshal(server.Bundle(), nil)
			clear(b[97:105])
			return b
		}()), []error{ErrMalformed}},
		{"bad token key", frame(PrefixServer, resigned(func(b *Bundle) { b.TokenKey[0] ^= 1 })), []error{ErrKey}},
		{"identity token key", frame(PrefixServer, resigned(func(b *Bundle) { b.TokenKey = [32]byte{} })), []error{ErrKey}},
		{"small-order signing key", frame(PrefixServer, func() []byte {
			b := mustMarshal(server.Bundle(), nil)
			copy(b[33:65], smallOrder)
			return b
		}()), []error{ErrKey}},
		{"bad server address", frame(PrefixServer, func() []byte {
			b := mustMarshal(server.Bundle(), nil)
			copy(b[1:33], smallOrder)
			return b
		}()), []error{ErrAddress, identity.ErrAddressKey}},
		{"zero group key", frame(PrefixGroup, appendName(append(make([]byte, 32), mustMarshal(server.Bundle(), nil)...), "g")), []error{ErrKey}},
		{"group bundle altered", frame(PrefixGroup, appendName(append(bytes.Repeat([]byte{1}, 32), tampered...), "g")), []error{ErrSignature}},
	}
	sec := testSecret()
	secretHex := hex.EncodeToString(sec[:])
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := testNow
			want := tc.want
			if tc.name == "expired" {
				now, want = testNow.Add(24*time.Hour), []error{ErrExpired}
			}
			inv, err := ParseAt(tc.in, now)
			if err == nil {
				t.Fatalf("ParseAt(%q) = %v, want an error", tc.in, inv)
			}
			if inv != nil {
				t.Fatal("ParseAt returned an invite with an error")
			}
			for _, w := range want {
				if !errors.Is(err, w) {
					t.Fatalf("ParseAt(%q) error = %v, want %v", tc.in, err, w)
				}
			}
			if Hint(err) == "" {
				t.Fatalf("no hint for %v", err)
			}
			if msg := strings.ToLower(err.Error()); strings.Contains(msg, secretHex) || strings.Contains(msg, strings.ToLower(tc.in[min(len(tc.in), 20):])) && len(tc.in) > 40 {
				t.Fatalf("error %q quotes the invite", msg)
			}
		})
	}
}

func TestHint(t *testing.T) {
	if Hint(nil) != "" || Hint(errors.New("other")) != "" {
		t.Fatal("hint for a foreign error")
	}
	seen := map[string]bool{}
	for _, h := range hints {
		if h.hint == "" || seen[h.hint] {
			t.Errorf("hint for %v empty or repeated", h.err)
		}
		seen[h.hint] = true
		if got := Hint(fmt.Errorf("context: %w", h.err)); got != h.hint {
			t.Errorf("Hint(wrapped %v) = %q", h.err, got)
		}
		if msg := h.err.Error(); msg != strings.ToLower(msg[:1])+msg[1:] {
			t.Errorf("error %q does not start in lower case", msg)
		}
	}
}

// TestVectors pins the encoding to testdata/vectors.txt (go test -update
// rewrites it), and checks every vector parses back to what made it.
func TestVectors(t *testing.T) {
	invs := testInvites(t)
	var names []string
	for n := range invs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# Invite test vectors (engine/invite, go test -update). Identities from seeds of\n")
	b.WriteString("# 32 equal bytes: contact 0x01, server onion 0x20, server signing key 0x21.\n")
	for _, n := range names {
		text := invs[n].Encode()
		v, m, err := QRSize(text)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n# %s: %d characters, QR version %d (%d×%d modules) at level M\n%s\n", n, len(text), v, m, m, text)
		got, err := ParseAt(text, testNow)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		sameInvite(t, invs[n], got)
	}
	path := filepath.Join("testdata", "vectors.txt")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != b.String() {
		t.Fatalf("encoding changed; if that is intended, bump the version and run go test -update.\ngot:\n%s", b.String())
	}
}
