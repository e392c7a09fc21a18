//go:build unix

package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/internal/crashtest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// The crash tests of this package run a profile operation in a child
// process (this test binary, re-executed by crashtest to run
// TestCrashChild with crashRoleEnv set), kill it with SIGKILL in the
// middle, and check what is left on disk. The child writes one line per
// finished step on stdout.

const (
	crashRoleEnv = "NOOK_PROFILE_CRASH_ROLE"
	crashDirEnv  = "NOOK_PROFILE_CRASH_DIR"  // where the child writes exports
	crashPDirEnv = "NOOK_PROFILE_CRASH_PDIR" // the profile's folder
)

// crashOpts are the options of both parent and child: cheap KDF, but
// every write synced, as in production.
var crashOpts = Options{KDF: InsecureTestParams}

const (
	pwOld = "correct horse"
	pwNew = "battery staple"
)

// TestCrashChild is the child's main; it is skipped in a normal run.
func TestCrashChild(t *testing.T) {
	role, dir, pdir := os.Getenv(crashRoleEnv), os.Getenv(crashDirEnv), os.Getenv(crashPDirEnv)
	if role == "" {
		t.Skip("runs only as the child of a crash test")
	}
	fail := func(err error) {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	p, err := Unlock(pdir, pwOld, crashOpts)
	if errors.Is(err, ErrWrongPassword) {
		p, err = Unlock(pdir, pwNew, crashOpts)
	}
	if err != nil {
		fail(err)
	}
	fmt.Println("READY")
	switch role {
	case "password":
		// Change the password back and forth until killed; after each
		// change, say which one is now current.
		cur, next := pwOld, pwNew
		if p.CheckPassword(pwNew) == nil {
			cur, next = pwNew, pwOld
		}
		for i := 0; ; i++ {
			if err := p.ChangePassword(cur, next); err != nil {
				fail(err)
			}
			cur, next = next, cur
			fmt.Println("CHANGED", cur)
		}
	case "export":
		// Export again and again until killed; say when a file is done.
		for i := 0; ; i++ {
			path := filepath.Join(dir, fmt.Sprintf("export-%03d.nook", i))
			if err := p.ExportFile(path, "export pw"); err != nil {
				fail(err)
			}
			fmt.Println("EXPORTED", path)
		}
	}
	fail(fmt.Errorf("unknown role %q", role))
}

// startCrashChild runs the child with role on dir and the profile in pdir.
func startCrashChild(t *testing.T, role, dir, pdir string) *crashtest.Child {
	t.Helper()
	return crashtest.Start(t, "TestCrashChild", crashRoleEnv+"="+role, crashDirEnv+"="+dir, crashPDirEnv+"="+pdir)
}

// childTimeout bounds every wait for a line of the child.
const childTimeout = 60 * time.Second

// crashProfile creates a filled profile; it returns a work folder, the
// profile's folder and the message fill stored.
func crashProfile(t *testing.T) (string, string, model.Message) {
	t.Helper()
	dir := t.TempDir()
	p, err := Create(filepath.Join(dir, "profiles"), "Crash Test", pwOld, crashOpts)
	if err != nil {
		t.Fatal(err)
	}
	m := fill(t, p)
	pdir := p.Info().Dir
	closeP(t, p)
	return dir, pdir, m
}

// TestCrashDuringPasswordChange kills a process that changes the password
// back and forth, at several moments: every time, the profile opens with
// the old or the new password (never neither), and its data is all there.
// A change re-encrypts the database (see ChangePassword), so a kill can
// land in any of its steps; each round logs what it left (the copy, the
// new header, the old database), and store's TestRekeyInterrupted checks
// every step deterministically.
func TestCrashDuringPasswordChange(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	dir, pdir, m := crashProfile(t)
	delays := []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond,
		7 * time.Millisecond, 10 * time.Millisecond, 15 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}
	for round, d := range delays {
		c := startCrashChild(t, "password", dir, pdir)
		c.Expect(t, "READY", childTimeout)
		c.Expect(t, "CHANGED", childTimeout)
		<-time.After(d)
		rest := c.Kill(t)
		changes := 1
		for _, l := range rest {
			if strings.HasPrefix(l, "CHANGED ") {
				changes++
			}
		}
		var left []string
		for _, f := range []string{dbDir + store.RekeySuffix, newHeaderFile, dbDir + store.OldSuffix} {
			if _, err := os.Stat(filepath.Join(pdir, f)); err == nil {
				left = append(left, f)
			}
		}
		if _, err := os.Stat(filepath.Join(pdir, dbDir)); err != nil {
			left = append(left, "no "+dbDir)
		}
		var opened []string
		for _, pw := range []string{pwOld, pwNew} {
			if p, err := Unlock(pdir, pw, crashOpts); err == nil {
				opened = append(opened, pw)
				checkFilled(t, p, m)
				closeP(t, p)
			} else if !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("round %d: unlock with %q: %v", round, pw, err)
			}
		}
		if len(opened) != 1 {
			t.Fatalf("round %d: the profile opens with %d of the two passwords", round, len(opened))
		}
		t.Logf("round %d: killed %v after a change, %d changes reported, left %v, opens with %q", round, d, changes, left, opened[0])
	}
}

// TestCrashDuringExport kills a process that exports the profile file
// after file: every file the child reported done imports with all the
// data, the file being written when it died does not import (it is
// refused as truncated or damaged), and the profile itself still opens.
func TestCrashDuringExport(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	dir, pdir, m := crashProfile(t)
	// Enough data for an export to take a while.
	fast := crashOpts
	fast.NoSync = true
	p, err := Unlock(pdir, pwOld, fast)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("some history ", 100)
	for i := range 1000 {
		if _, err := p.Store().QueueMessage(model.Message{ID: model.NewMessageID(), Conversation: "other",
			Body: fmt.Sprint(i, body), Status: model.StatusQueued, Outgoing: true, Sent: time.Now(), Received: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	closeP(t, p)

	c := startCrashChild(t, "export", dir, pdir)
	c.Expect(t, "READY", childTimeout)
	first := c.Expect(t, "EXPORTED", childTimeout)
	<-time.After(5 * time.Millisecond)
	rest := c.Kill(t)
	done := map[string]bool{strings.TrimPrefix(first, "EXPORTED "): true}
	for _, l := range rest {
		if path, ok := strings.CutPrefix(l, "EXPORTED "); ok {
			done[path] = true
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "export-*.nook"))
	cut := 0
	for i, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		root := filepath.Join(dir, fmt.Sprintf("imported-%d", i))
		q, err := Import(root, f, "export pw", "pw", crashOpts)
		f.Close()
		switch {
		case err == nil:
			checkFilled(t, q, m)
			closeP(t, q)
		case errors.Is(err, ErrExportTruncated) || errors.Is(err, ErrExportCorrupt):
			if done[path] {
				t.Fatalf("%s was reported done but does not import: %v", path, err)
			}
			cut++
			if left, _ := os.ReadDir(root); len(left) != 0 {
				t.Errorf("a refused import left %d entries under its root", len(left))
			}
		default:
			t.Fatalf("%s: %v", path, err)
		}
	}
	if cut > 1 {
		t.Errorf("%d half files: only the one being written can be", cut)
	}
	t.Logf("%d exports finished before the kill, %d file(s) cut in the middle and refused", len(done), cut)
	q, err := Unlock(pdir, pwOld, crashOpts)
	if err != nil {
		t.Fatal(err)
	}
	checkFilled(t, q, m)
	closeP(t, q)
}
