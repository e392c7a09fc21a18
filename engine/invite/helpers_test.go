package invite

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
)

// testNow is the fixed "current time" of the tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testID returns the identity whose seed is 32 bytes of b.
func testID(t testing.TB, b byte) *identity.Identity {
	t.Helper()
	id, err := identity.FromSeed(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// ristrettoGenerator is the canonical encoding of the ristretto255
// generator (RFC 9496 Appendix A.1), used as a stand-in token key.
var ristrettoGenerator = mustHex32("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")

func mustHex32(s string) [32]byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		panic("bad hex")
	}
	return [32]byte(b)
}

// testBundle returns a bundle for the server with onion identity seed 0x20,
// signed by the identity with seed 0x21.
func testBundle(t testing.TB) *Bundle {
	t.Helper()
	return testBundleOf(t, 0x20, 0x21)
}

// testBundleOf returns a bundle for the server with onion identity seed
// onion, signed by the identity with seed signer.
func testBundleOf(t testing.TB, onion, signer byte) *Bundle {
	t.Helper()
	b := &Bundle{
		Address:  testID(t, onion).Address(),
		TokenKey: ristrettoGenerator,
		Created:  time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC),
	}
	if err := b.Sign(testID(t, signer)); err != nil {
		t.Fatal(err)
	}
	return b
}

func testSecret() Secret {
	var s Secret
	for i := range s {
		s[i] = byte(0xa0 + i)
	}
	return s
}

// testInvites returns one invite of each kind, and a contact invite with
// every option, all deterministic.
func testInvites(t testing.TB) map[string]Invite {
	t.Helper()
	alice := testID(t, 0x01).Address()
	plain, err := NewContactInvite(alice, "Alice", ContactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	full, err := NewContactInvite(alice, "Alice", ContactOptions{Secret: testSecret(), Expires: testNow.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	server, err := NewServerInvite(testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	var key [GroupKeySize]byte
	for i := range key {
		key[i] = byte(i + 1)
	}
	group, err := NewGroupInvite("Book club", key, testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	owner := testID(t, 0x01).PublicKey()
	var id [32]byte
	for i := range id {
		id[i] = byte(0x80 + i)
	}
	epoch, err := NewGroupInviteEpoch("Book club", 3, key, id, [32]byte(owner), testBundle(t))
	if err != nil {
		t.Fatal(err)
	}
	owned, err := NewGroupInviteOwned("Book club", 0, key, id, [32]byte(owner), []*Bundle{testBundle(t)})
	if err != nil {
		t.Fatal(err)
	}
	servers, err := NewGroupInviteOwned("Book club", 3, key, id, [32]byte(owner),
		[]*Bundle{testBundle(t), testBundleOf(t, 0x22, 0x23), testBundleOf(t, 0x24, 0x25)})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Invite{"contact": plain, "contact-verified": full, "server": server, "group": group, "group-epoch": epoch,
		"group-owned": owned, "group-servers": servers}
}
