package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/app/xvfbtest"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport/loopback"
)

func TestMain(m *testing.M) { os.Exit(tortest.Main(m)) }

// BenchmarkStartupTor starts the real binary under Xvfb on the private Tor
// network (engine/tor/tortest) with a profile of 200 conversations, types
// the password as soon as the unlock screen is ready, and reports, in
// seconds from the launch:
//
//	password-entered-s  the password typed, Enter about to be pressed
//	list-s        the list of 200 conversations shown
//	unlock-to-list-s  from Enter to the list
//	tor-ready-s   the app's Tor ready (bootstrapped)
//	reachable-s   the profile's onion service published: a client tor of
//	              the same network connects to it (dialled again until then)
//
// list-s below tor-ready-s is the list shown before Tor is ready.
func BenchmarkStartupTor(b *testing.B) {
	needXvfb(b)
	n := tortest.Shared(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp, nook, data := startupProfile(b, ctx)
	addr := selfAddress(b, ctx, data)
	pnText, err := tor.MarshalPrivateNetwork(n.Client())
	if err != nil {
		b.Fatal(err)
	}
	pnFile := filepath.Join(tmp, "private-network.torrc")
	if err := os.WriteFile(pnFile, pnText, 0o600); err != nil {
		b.Fatal(err)
	}
	client := tor.New(tor.Config{DataDir: filepath.Join(tmp, "client-tor"), PrivateNetwork: n.Client()})
	defer client.Close()
	if err := client.Start(ctx); err != nil {
		b.Fatal(err)
	}
	if err := client.WaitReady(ctx); err != nil {
		b.Fatal(err)
	}
	display := xvfbtest.Start(b, ctx)
	env := append(appEnv(tmp, display), "NOOK_TRACE=1")
	b.ResetTimer()

	start := time.Now()
	p := startApp(b, ctx, nook, env, "--data-dir", data, "--tor-private-network", pnFile)
	p.expect(b, ctx, "nook-trace unlock 0")
	win := xdo(b, ctx, env, "search", "--sync", "--name", "^Nook$")
	xdo(b, ctx, env, "mousemove", "--window", win, "10", "10")
	xdo(b, ctx, env, "type", "--delay", "10", benchPassword)
	entered := time.Now()
	xdo(b, ctx, env, "key", "Return")
	var list, ready, unlocked time.Duration
	for list == 0 || ready == 0 {
		switch p.next(b, ctx) {
		case "nook-trace list 200":
			list, unlocked = time.Since(start), time.Since(entered)
		case "nook-trace tor-ready 0":
			ready = time.Since(start)
		}
	}
	for {
		dctx, dcancel := context.WithTimeout(ctx, time.Minute)
		c, err := client.Dial(dctx, addr)
		dcancel()
		if err == nil {
			c.Close()
			break
		}
		if ctx.Err() != nil {
			b.Fatalf("the app's onion service was never reachable: %v", err)
		}
	}
	reachable := time.Since(start)
	p.stop(b)
	b.ReportMetric(list.Seconds(), "list-s")
	b.ReportMetric(unlocked.Seconds(), "unlock-to-list-s")
	b.ReportMetric(entered.Sub(start).Seconds(), "password-entered-s")
	b.ReportMetric(ready.Seconds(), "tor-ready-s")
	b.ReportMetric(reachable.Seconds(), "reachable-s")
}

// selfAddress returns the onion address of the profile in data.
func selfAddress(b *testing.B, ctx context.Context, data string) identity.Address {
	b.Helper()
	e := engine.New(engine.Config{DataDir: data, Transport: loopback.New(loopback.NewMemoryDirectory())})
	defer e.Close()
	if err := e.Start(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := e.UnlockAny(ctx, benchPassword); err != nil {
		b.Fatal(err)
	}
	self, _, err := e.Self()
	if err != nil {
		b.Fatal(err)
	}
	a, err := identity.ParseAddress(self)
	if err != nil {
		b.Fatal(err)
	}
	return a
}
