package invite

import (
	"encoding/hex"
	"errors"
	"testing"

	"filippo.io/edwards25519"

	"github.com/nookchat/nook/engine/identity"
)

// TestInviteTorsionKey: a contact invite, or a server bundle, whose onion
// key is a valid key with a small-order point added is refused: tor would
// never reach that address ("bad pubkey"), so the contact or server could
// never be reached (identity.ParseAddress; TestParseAddressRefusesWhatTorRefuses
// there has the other vectors).
func TestInviteTorsionKey(t *testing.T) {
	key, err := new(edwards25519.Point).SetBytes(testID(t, 0x01).PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	t8b, _ := hex.DecodeString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	t8, err := new(edwards25519.Point).SetBytes(t8b)
	if err != nil {
		t.Fatal(err)
	}
	mixed := new(edwards25519.Point).Add(key, t8).Bytes()
	_, err = ParseAt(frame(PrefixContact, contactPayload(0, mixed, nil, []byte("Alice"))), testNow)
	if !errors.Is(err, ErrAddress) || !errors.Is(err, identity.ErrAddressKey) {
		t.Fatalf("contact invite: %v, want ErrAddress", err)
	}
	b := mustMarshal(testBundle(t), nil)
	copy(b[1:33], mixed)
	if _, err := ParseAt(frame(PrefixServer, b), testNow); !errors.Is(err, ErrAddress) {
		t.Fatalf("server invite: %v, want ErrAddress", err)
	}
}
