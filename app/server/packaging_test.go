package main

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// TestEntrypoint runs packaging/server/entrypoint.sh with a temporary root
// and a fake server binary that records its arguments.
func TestEntrypoint(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	fake := filepath.Join(root, "fake-server")
	out := filepath.Join(root, "args")
	os.WriteFile(fake, []byte("#!/bin/sh\nid -un > \""+out+"\"\nfor a in \"$@\"; do echo \"$a\" >> \""+out+"\"; done\n"), 0o755)
	os.MkdirAll(filepath.Join(root, "etc/nook-server"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/nook-server/nook-server.conf"), []byte("pow_bits = 20\n"), 0o644)
	cmd := exec.Command("sh", "../../packaging/server/entrypoint.sh", "--light-qr")
	cmd.Env = append(os.Environ(), "NOOK_ROOT="+root, "NOOK_USER="+u.Username, "NOOK_SERVER_BIN="+fake)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	got, _ := os.ReadFile(out)
	data := filepath.Join(root, "var/lib/nook-server")
	want := strings.Join([]string{u.Username, "--config", filepath.Join(root, "etc/nook-server/nook-server.conf"), "--data-dir", data, "--light-qr"}, "\n") + "\n"
	if string(got) != want {
		t.Fatalf("server ran as/with:\n%s\nwant:\n%s", got, want)
	}
	for _, d := range []string{data, filepath.Join(data, "tor")} {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v %v", d, fi.Mode(), err)
		}
	}
	// The shipped config file parses.
	if _, err := parseFlags([]string{"--data-dir", data, "--config", "../../packaging/server/nook-server.conf"}, os.Stderr); err != nil {
		t.Fatal(err)
	}
}
