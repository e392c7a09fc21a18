package engine

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/internal/disktest"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestInPersonInviteLifetime: an in-person invite expires 15 minutes after
// it was made.
func TestInPersonInviteLifetime(t *testing.T) {
	e := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	e.createProfile("Alice", "a")
	before := time.Now()
	inv := e.inPersonInvite()
	exp, ok := inv.Expires()
	if !ok || exp.After(before.Add(15*time.Minute+time.Second)) || exp.Before(before.Add(15*time.Minute-time.Second)) {
		t.Fatalf("in-person invite made at %v expires at %v, want 15 minutes later", before, exp)
	}
}

// TestUsedSecretFailsClosed: when the profile's store cannot save that a
// one-time secret was used (a full disk), the proof is refused instead of
// accepted with the secret still on disk, where a restart would bring it
// back for a second use. Once the disk has room again the same proof is
// accepted, once, and not again after the profile is locked and unlocked.
func TestUsedSecretFailsClosed(t *testing.T) {
	disk := disktest.Mount(t, 96<<20)
	e := newTestEngine(t, disk, loopback.New(loopback.NewMemoryDirectory()))
	e.createProfile("Alice", "pw")
	inv := e.inPersonInvite()
	bob, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	binding := []byte("channel binding of one session..")
	proof, err := inv.Proof(bob.Address(), binding)
	if err != nil {
		t.Fatal(err)
	}
	check := func() bool {
		t.Helper()
		op, err := e.current()
		if err != nil {
			t.Fatal(err)
		}
		return op.checkProof(bob.Address(), binding, proof).Valid
	}

	filler := disktest.Fill(t, disk, store.DefaultMinFree/2)
	if check() {
		t.Fatal("a proof was accepted although its use could not be saved")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if !check() {
		t.Fatal("the proof was refused once the disk had room again")
	}
	if check() {
		t.Fatal("a one-time secret was accepted twice")
	}
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UnlockAny(context.Background(), "pw"); err != nil {
		t.Fatal(err)
	}
	if check() {
		t.Fatal("a used one-time secret came back after unlocking")
	}
}
