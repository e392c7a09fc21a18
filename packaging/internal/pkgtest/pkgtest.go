// Package pkgtest holds what the package tests of packaging/linux and
// packaging/windows share: where the repository is, how a test that cannot
// run says so, and the pinned hashes of what the packages carry
// (tor-bundles/manifest.json and tor-bundles/transports.json).
package pkgtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root is the repository's top folder.
var Root = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("pkgtest: cannot locate the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}()

// RequirePackaging skips the test, or with NOOK_REQUIRE_PACKAGING=1 (as in
// CI) fails it, saying why it cannot run.
func RequirePackaging(t *testing.T, why string) {
	t.Helper()
	msg := "PACKAGING TEST NOT RUN: " + why
	if os.Getenv("NOOK_REQUIRE_PACKAGING") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Manifest is the part of tor-bundles/manifest.json the tests read.
type Manifest struct {
	TorVersion string `json:"tor_version"`
	Platforms  map[string]struct {
		Files  []string          `json:"files"`
		SHA256 map[string]string `json:"sha256"`
	} `json:"platforms"`
}

// ReadManifest reads tor-bundles/manifest.json.
func ReadManifest() (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(Root, "tor-bundles", "manifest.json"))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	return m, err
}

// TransportPins returns tor-bundles/transports.json's SHA-256 of each of the
// named pluggable transports for platform (e.g. "windows-amd64"), failing
// the test if one is not pinned.
func TransportPins(t *testing.T, platform string, names []string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Root, "tor-bundles", "transports.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pins struct {
		Binaries map[string]map[string]string `json:"binaries"`
	}
	if err := json.Unmarshal(b, &pins); err != nil {
		t.Fatal(err)
	}
	m := pins.Binaries[platform]
	for _, n := range names {
		if m[n] == "" {
			t.Fatalf("transports.json pins no %s for %s", n, platform)
		}
	}
	return m
}

// FileSHA returns the hex SHA-256 of the file at p, read as a stream.
func FileSHA(t *testing.T, p string) string {
	t.Helper()
	s, err := fileSHA(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fileSHA(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
