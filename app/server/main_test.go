package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/invite"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader; seen is
// closed once the text contains want.
type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	want string
	seen chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if s.seen != nil && strings.Contains(s.b.String(), s.want) {
		close(s.seen)
		s.seen = nil
	}
	return n, err
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServeOverLoopbackPrintsInvite(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	serving := make(chan struct{})
	errs := syncBuffer{want: "serving", seen: serving}
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"--data-dir", filepath.Join(dir, "data"), "--loopback-dir", filepath.Join(dir, "lo")}, &out, &errs)
	}()
	select {
	case code := <-done:
		t.Fatalf("exited %d: %s", code, errs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("no start")
	case <-serving:
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	text := out.String()
	var line string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "invite:") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "invite:"))
		}
	}
	inv, err := invite.Parse(line)
	if err != nil {
		t.Fatalf("printed invite %q: %v", line, err)
	}
	if inv.Kind() != invite.KindServer || !strings.Contains(text, "█") {
		t.Fatalf("output:\n%s", text)
	}
}

func TestConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.conf")
	os.WriteFile(path, []byte("# comment\nmax_blobs = 10\nmax_bytes = 2 MiB\nretention = forever\npow_bits = 0\nidle_timeout = 90s\ngrace = 2m\nposts_per_day = unlimited\n"), 0o644)
	o, err := parseFlags([]string{"--data-dir", "x", "--config", path}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var cfg groupserver.Config
	o.file.apply(&cfg)
	if cfg.MaxBlobs != 10 || cfg.MaxBytes != 2<<20 || cfg.Retention >= 0 || cfg.PoWBits != groupserver.NoPoW || cfg.IdleTimeout != 90*time.Second || cfg.MaxConns != groupserver.DefaultMaxConns ||
		cfg.Grace != 2*time.Minute || cfg.PostsPerDay != groupserver.NoPostCap {
		t.Fatalf("%+v", cfg)
	}
	os.WriteFile(path, []byte("nonsense = 1\n"), 0o644)
	if _, err := parseFlags([]string{"--data-dir", "x", "--config", path}, &bytes.Buffer{}); err == nil {
		t.Fatal("unknown key accepted")
	}
	if _, err := parseFlags(nil, &bytes.Buffer{}); err == nil {
		t.Fatal("missing --data-dir accepted")
	}
}

func TestExportBundle(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	path := filepath.Join(dir, "bundle")
	if code := run(context.Background(), []string{"--data-dir", filepath.Join(dir, "d"), "--export-bundle", path}, &out, &errs); code != 0 {
		t.Fatal(errs.String())
	}
	b, _ := os.ReadFile(path)
	if _, err := invite.ParseBundle(b); err != nil {
		t.Fatal(err)
	}
}
