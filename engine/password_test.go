package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestPasswordRemoval: ChangePassword refuses an empty new password
// (ErrEmptyPassword) and changes nothing; RemovePassword, given the current
// password, removes it; HasPassword and Profiles say which state the
// profile is in; ChangePassword from "" sets one again.
func TestPasswordRemoval(t *testing.T) {
	e := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	ctx := context.Background()
	info, err := e.CreateProfile(ctx, "Maya", "pw")
	if err != nil {
		t.Fatal(err)
	}
	has := func(want bool) {
		t.Helper()
		got, err := e.HasPassword()
		if err != nil || got != want {
			t.Fatalf("HasPassword = %v, %v; want %v", got, err, want)
		}
		state := PasswordNone
		if want {
			state = PasswordSet
		}
		infos, err := e.Profiles()
		if err != nil || len(infos) != 1 || infos[0].Password != state {
			t.Fatalf("Profiles = %+v, %v; want password state %d", infos, err, state)
		}
	}
	has(true)

	if err := e.ChangePassword("pw", ""); !errors.Is(err, ErrEmptyPassword) {
		t.Fatalf("ChangePassword to empty: %v, want ErrEmptyPassword", err)
	}
	has(true)
	if err := e.RemovePassword("wrong"); !errors.Is(err, profile.ErrWrongPassword) {
		t.Fatalf("RemovePassword with a wrong password: %v", err)
	}
	has(true)
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UnlockAny(ctx, ""); !errors.Is(err, profile.ErrWrongPassword) {
		t.Fatalf("empty password opened a profile that has one: %v", err)
	}
	if _, err := e.HasPassword(); !errors.Is(err, ErrLocked) {
		t.Fatalf("HasPassword while locked: %v, want ErrLocked", err)
	}
	if _, err := e.Unlock(ctx, info.ID, "pw"); err != nil {
		t.Fatal(err)
	}

	if err := e.RemovePassword("pw"); err != nil {
		t.Fatal(err)
	}
	has(false)
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UnlockAny(ctx, ""); err != nil {
		t.Fatalf("the empty password does not open a profile without one: %v", err)
	}

	if err := e.ChangePassword("", "new pw"); err != nil {
		t.Fatal(err)
	}
	has(true)
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UnlockAny(ctx, "new pw"); err != nil {
		t.Fatal(err)
	}
}
