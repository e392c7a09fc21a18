package engine

import (
	"testing"

	"github.com/nookchat/nook/engine/transport/loopback"
)

// allZero reports whether b holds only zeros.
func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// TestLockWipesKeys: after Lock, the identity's private key (seed
// included) that the engine's profile held is zeros. (The database key:
// profile TestCloseWipesKeys, store TestCloseWipesKey; the group keys:
// groupclient TestCloseWipesGroupKeys; what Go and the libraries copy is
// out of reach, see docs/security.md.)
func TestLockWipesKeys(t *testing.T) {
	e := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	e.createProfile("Alice", "pw")
	op, err := e.current()
	if err != nil {
		t.Fatal(err)
	}
	priv := op.prof.Identity().PrivateKey()
	if allZero(priv) {
		t.Fatal("keys are zeros before Lock")
	}
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if !allZero(priv) {
		t.Error("the identity's private key is still in memory after Lock")
	}
}
