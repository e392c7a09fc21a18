package profile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// hasPassword is p.HasPassword, failing the test on an error.
func hasPassword(t *testing.T, p *Profile) bool {
	t.Helper()
	has, err := p.HasPassword()
	if err != nil {
		t.Fatal(err)
	}
	return has
}

// listed returns the password state List gives the profile in dir.
func listed(t *testing.T, dir string) PasswordState {
	t.Helper()
	infos, err := List(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range infos {
		if in.Dir == dir {
			return in.Password
		}
	}
	t.Fatalf("%s is not listed", dir)
	return 0
}

// TestPasswordFlag: the header says whether a profile has a password, from
// Create and every ChangePassword on, before any unlock (List) and after
// (HasPassword); Unlock refuses a password the flag rules out.
func TestPasswordFlag(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "pw")
	dir := p.Info().Dir
	if !hasPassword(t, p) || p.Info().Password != PasswordSet || listed(t, dir) != PasswordSet {
		t.Fatal("a profile created with a password does not say it has one")
	}
	if err := p.ChangePassword("pw", ""); err != nil {
		t.Fatal(err)
	}
	if hasPassword(t, p) || listed(t, dir) != PasswordNone {
		t.Fatal("a profile whose password was removed still says it has one")
	}
	closeP(t, p)
	if _, err := Unlock(dir, "pw", testOpts); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password of a profile without one: %v", err)
	}
	p, err := Unlock(dir, "", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if hasPassword(t, p) || p.Info().Password != PasswordNone {
		t.Fatal("unlocked without a password, the profile says it has one")
	}
	if err := p.ChangePassword("", "new"); err != nil {
		t.Fatal(err)
	}
	if !hasPassword(t, p) || listed(t, dir) != PasswordSet {
		t.Fatal("a profile given a password does not say it has one")
	}
	closeP(t, p)
	if _, err := Unlock(dir, "", testOpts); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("empty password of a profile with one: %v", err)
	}

	q := create(t, root, "Bob", "")
	if hasPassword(t, q) || listed(t, q.Info().Dir) != PasswordNone {
		t.Fatal("a profile created without a password says it has one")
	}
	closeP(t, q)
}

// TestPasswordFlagAuthenticated: flipping the flag in the header (checksum
// redone) makes it open with no password at all (the key check covers it).
func TestPasswordFlagAuthenticated(t *testing.T) {
	for _, pw := range []string{"pw", ""} {
		root := t.TempDir()
		p := create(t, root, "Alice", pw)
		dir := p.Info().Dir
		closeP(t, p)
		path := filepath.Join(dir, headerFile)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[11] ^= flagNoPassword
		// Keep the accidental-damage checksum right: only the key check
		// may catch it.
		b = resum(b)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, try := range []string{"pw", ""} {
			if _, err := Unlock(dir, try, testOpts); err == nil {
				t.Fatalf("header with its flag flipped opened with %q", try)
			}
		}
	}
}

// resum recomputes a header's trailing checksum.
func resum(b []byte) []byte {
	sum := sha256.Sum256(b[:offSum])
	return append(b[:offSum:offSum], sum[:]...)
}

// TestFormatV1Profiles: profiles written by the Nook before format 2 (the
// fixtures in testdata, made by Create and fill at commit d395ad2 with
// InsecureTestParams, Badger's DISCARD file left out) are listed with an
// unknown password state, refuse a wrong password without changing a
// byte, open with theirs with their data, and come out of Unlock with
// the header in the current format and the right flag.
func TestFormatV1Profiles(t *testing.T) {
	for _, tc := range []struct {
		fixture, password, wrong string
		has                      bool
	}{
		{"v1-password", "fixture password", "", true},
		{"v1-nopassword", "", "fixture password", false},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "0123456789abcdef0123456789abcdef")
			if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", tc.fixture))); err != nil {
				t.Fatal(err)
			}
			hdrPath := filepath.Join(dir, headerFile)
			old, err := os.ReadFile(hdrPath)
			if err != nil {
				t.Fatal(err)
			}
			if v := binary.BigEndian.Uint16(old[8:]); v != formatV1 {
				t.Fatalf("fixture header in format %d", v)
			}
			if s := listed(t, dir); s != PasswordUnknown {
				t.Fatalf("format 1 header listed with password state %d", s)
			}
			if _, err := Unlock(dir, tc.wrong, testOpts); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: %v", err)
			}
			if b, _ := os.ReadFile(hdrPath); !bytes.Equal(b, old) {
				t.Fatal("a wrong password changed the header")
			}

			p, err := Unlock(dir, tc.password, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			if p.DisplayName() != "Maya" {
				t.Fatalf("display name %q", p.DisplayName())
			}
			if c, err := p.Store().GetContact("contactaddr"); err != nil || c.Nickname != "Nick" {
				t.Fatalf("contact: %+v, %v", c, err)
			}
			if v, err := p.Store().Setting("theme"); err != nil || string(v) != "dark" {
				t.Fatalf("setting: %q, %v", v, err)
			}
			if hasPassword(t, p) != tc.has || p.Info().Password != passwordState(tc.password) {
				t.Fatalf("HasPassword = %v, want %v", !tc.has, tc.has)
			}
			closeP(t, p)

			b, err := os.ReadFile(hdrPath)
			if err != nil {
				t.Fatal(err)
			}
			if v := binary.BigEndian.Uint16(b[8:]); v != formatVersion {
				t.Fatalf("header still in format %d after unlock", v)
			}
			if s := listed(t, dir); s != passwordState(tc.password) {
				t.Fatalf("listed with password state %d after unlock", s)
			}
			p, err = Unlock(dir, tc.password, testOpts)
			if err != nil {
				t.Fatalf("unlock after the header's rewrite: %v", err)
			}
			closeP(t, p)
		})
	}
}
