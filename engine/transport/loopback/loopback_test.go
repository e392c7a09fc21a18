package loopback_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"go.uber.org/goleak"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
	"github.com/nookchat/nook/engine/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConformanceMemory(t *testing.T) {
	ts := loopback.NewNetwork(2)
	transporttest.Run(t, transporttest.Env{Server: ts[0], Client: ts[1], DialAfterClose: true})
}

func TestConformanceFileDirectory(t *testing.T) {
	dir := loopback.FileDirectory{Path: t.TempDir()}
	transporttest.Run(t, transporttest.Env{
		Server: loopback.New(dir), Client: loopback.New(dir), DialAfterClose: true,
	})
}

// A stale file entry (its process gone) is unreachable and can be replaced.
func TestFileDirectoryStaleEntry(t *testing.T) {
	dir := loopback.FileDirectory{Path: t.TempDir()}
	id, _ := identity.Generate(nil)
	tr := loopback.New(dir)
	ln, err := tr.Listen(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.Publish(id.Address(), "127.0.0.1:1"); !errors.Is(err, transport.ErrAddressInUse) {
		t.Fatalf("Publish over a live entry: %v, want ErrAddressInUse", err)
	}
	ln.Close()
	// Simulate a crashed process: an entry whose port nothing listens on.
	if err := dir.Publish(id.Address(), "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Dial(context.Background(), id.Address()); !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("Dial stale entry: %v, want ErrUnreachable", err)
	}
}

// Entries that do not point at loopback are refused.
func TestRefusesNonLoopback(t *testing.T) {
	dir := loopback.NewMemoryDirectory()
	id, _ := identity.Generate(nil)
	if err := dir.Publish(id.Address(), "192.0.2.1:80"); err != nil {
		t.Fatal(err)
	}
	_, err := loopback.New(dir).Dial(context.Background(), id.Address())
	if err == nil || errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("Dial to non-loopback entry: %v, want a refusal", err)
	}
}

// BenchmarkLoopbackEcho measures the round trip of a 32-byte message over
// an established loopback connection: the baseline for BenchmarkOnionEcho.
func BenchmarkLoopbackEcho(b *testing.B) {
	ts := loopback.NewNetwork(2)
	id, _ := identity.Generate(nil)
	ln, err := ts[0].Listen(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	stop := transporttest.Echo(ln)
	defer stop()
	c, err := ts[1].Dial(context.Background(), id.Address())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := bytes.Repeat([]byte{'x'}, 32)
	buf := make([]byte, 32)
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}
