package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nookchat/nook/app/xvfbtest"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// startupProfile is what the startup benchmarks start on: the app built
// into a temporary folder tmp (nook, the binary) and, in its data folder
// data, a profile of 200 conversations.
func startupProfile(b *testing.B, ctx context.Context) (tmp, nook, data string) {
	b.Helper()
	tmp = b.TempDir()
	nook = buildBin(b, ctx, ".", tmp, "nook")
	data = filepath.Join(tmp, "data")
	prepareConversations(b, ctx, data, 200)
	return tmp, nook, data
}

// BenchmarkStartup starts the real binary under Xvfb on the loopback
// transport, on a profile of 200 conversations (production key
// derivation), and reports the medians of 3 launches, in milliseconds:
//
//	launch-to-unlock  the process started → the unlock screen ready
//	unlock-to-list    Enter pressed in the password field → the list of
//	                  200 conversations shown (Argon2id included)
//
// The times come from the app's startup trace (NOOK_TRACE), read as it is
// printed.
func BenchmarkStartup(b *testing.B) {
	needXvfb(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp, nook, data := startupProfile(b, ctx)
	display := xvfbtest.Start(b, ctx)
	env := append(appEnv(tmp, display), "NOOK_TRACE=1")
	b.ResetTimer()
	var launch, unlocked []time.Duration
	for range 3 {
		start := time.Now()
		p := startApp(b, ctx, nook, env, "--data-dir", data, "--loopback-dir", filepath.Join(tmp, "net"))
		p.expect(b, ctx, "nook-trace unlock 0")
		launch = append(launch, time.Since(start))
		win := xdo(b, ctx, env, "search", "--sync", "--name", "^Nook$")
		xdo(b, ctx, env, "mousemove", "--window", win, "10", "10")
		xdo(b, ctx, env, "type", "--delay", "10", benchPassword)
		start = time.Now()
		xdo(b, ctx, env, "key", "Return")
		p.expect(b, ctx, "nook-trace list 200")
		unlocked = append(unlocked, time.Since(start))
		p.stop(b)
	}
	median := func(d []time.Duration) float64 {
		return float64(slices.Sorted(slices.Values(d))[len(d)/2].Microseconds()) / 1000
	}
	b.ReportMetric(median(launch), "launch-to-unlock-ms")
	b.ReportMetric(median(unlocked), "unlock-to-list-ms")
}

// prepareConversations makes, in data, a profile with benchPassword whose
// n contacts (addresses nobody answers at) each have one message.
func prepareConversations(b *testing.B, ctx context.Context, data string, n int) {
	b.Helper()
	e := engine.New(engine.Config{DataDir: data, Transport: loopback.New(loopback.NewMemoryDirectory()),
		Profile: profile.Options{NoSync: true}})
	defer e.Close()
	if err := e.Start(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := e.CreateProfile(ctx, "Reader", benchPassword); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		addr := model.ConversationID(enginetest.Address())
		if _, err := e.AddContact(string(addr), fmt.Sprintf("Contact %d", i)); err != nil {
			b.Fatal(err)
		}
		if _, err := e.SendMessage(addr, fmt.Sprintf("message %d", i)); err != nil {
			b.Fatal(err)
		}
	}
}
