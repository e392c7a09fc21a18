package invite

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
)

// TestReadManyRenderedCodes renders 150 different in-person invites (fixed
// seed) at two sizes and reads each back. Before the reader tried the pure
// module grid first, about one clean rendering in 200 was not found.
func TestReadManyRenderedCodes(t *testing.T) {
	rnd := rand.NewChaCha8([32]byte{'n', 'o', 'o', 'k'})
	expires := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 150; i++ {
		id, err := identity.Generate(rnd)
		if err != nil {
			t.Fatal(err)
		}
		sec, err := NewSecret(rnd)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := NewContactInvite(id.Address(), "Alice", ContactOptions{Secret: sec, Expires: expires})
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{300, 512} {
			png, err := QRPNG(inv.Encode(), size)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeImageBytes(png)
			if err != nil || got.Encode() != inv.Encode() {
				t.Fatalf("invite %d at %d px: %v", i, size, err)
			}
		}
	}
}
