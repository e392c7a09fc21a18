package engine

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor/tortest"
)

// groupBenchSize is the size of the file BenchmarkGroupFetchTor fetches.
const groupBenchSize = 20 << 20

// BenchmarkGroupFetchTor measures a group file fetched from one source
// and from three over the private Tor network (tortest, on 127.0.0.1):
// four engines each with their own tor, Alice hosting the group's server
// in her app. Each iteration times, one right after the other, "one":
// Alice shares a 20 MiB file and Dave fetches it while Alice is its only
// source (no one else has it), from his AcceptFile to the whole file
// stored and verified; and "three": Alice shares another, Bob and Carol
// fetch it (untimed) and post their holder notes at once, and once Dave
// knows the three sources he fetches it from them, each asked for
// different ranges (docs/files.md §8, "Multi-source"). Dave posts no
// holder note, so no one fetches from him. The metrics are one-MB/s and
// three-MB/s over all iterations and three/one, their ratio
// (docs/files.md §11). Skipped without tor.
func BenchmarkGroupFetchTor(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the private Tor network")
	}
	n := tortest.Shared(b)
	alice, bob, carol, dave := torEngine(b, n, "alice"), torEngine(b, n, "bob"), torEngine(b, n, "carol"), torEngine(b, n, "dave")
	es := []*testEngine{alice, bob, carol, dave}
	const slow = 300 * time.Second
	for _, e := range es {
		e.waitUntil("tor ready", slow, func() bool { return e.TorStatus().State == model.TorReady })
	}
	now := func() time.Duration { return 0 }
	bob.cfg.HolderNotes.Delay, carol.cfg.HolderNotes.Delay = now, now
	dave.cfg.HolderNotes.AfterFunc = func(time.Duration, func()) func() bool { return func() bool { return true } }
	alice.cfg.Server = groupserver.Config{PoWBits: 8}
	for i, name := range []string{"Alice", "Bob", "Carol", "Dave"} {
		es[i].createProfile(name, name)
	}
	g := alice.hostGroup(b.Context(), "Bench")
	conv := g.Conversation()
	alice.waitUntil("alice's join notice on the server", slow, func() bool {
		msgs, _ := alice.Messages(conv, 0, 10)
		return len(msgs) == 1 && msgs[0].Status == model.StatusDelivered
	})
	for _, te := range es[1:] {
		te.joinGroupOf(alice, g)
	}

	data := make([]byte, groupBenchSize)
	rand.Read(data)
	path := filepath.Join(b.TempDir(), "big.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	share := func() model.MessageID {
		m, err := alice.SendFile(conv, path, SendFileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return m.ID
	}
	sources := func(id model.MessageID) int {
		s, err := dave.op().files.Sources(conv, id)
		if err != nil {
			b.Fatal(err)
		}
		return len(s)
	}
	fetch := func(te *testEngine, id model.MessageID) time.Duration {
		waitFileState(te, conv, id, model.FileOffered, slow)
		start := time.Now()
		if _, err := te.AcceptFile(conv, id); err != nil {
			b.Fatal(err)
		}
		waitFileState(te, conv, id, model.FileComplete, slow)
		return time.Since(start)
	}
	var oneTime, threeTime time.Duration
	iters := 0
	for b.Loop() {
		a := share()
		one := fetch(dave, a)
		if n := sources(a); n != 1 {
			b.Fatalf("Dave knew %d sources of the first file, want Alice's alone", n)
		}
		c := share()
		for _, te := range []*testEngine{bob, carol} { // both fetch at once
			waitFileState(te, conv, c, model.FileOffered, slow)
			if _, err := te.AcceptFile(conv, c); err != nil {
				b.Fatal(err)
			}
		}
		for _, te := range []*testEngine{bob, carol} {
			waitFileState(te, conv, c, model.FileComplete, slow)
		}
		dave.waitUntil("three sources", slow, func() bool { return sources(c) == 3 })
		three := fetch(dave, c)
		b.Logf("iteration %d: one source %.2f MB/s, three sources %.2f MB/s, three/one %.2f",
			iters+1, groupMBps(one), groupMBps(three), one.Seconds()/three.Seconds())
		oneTime, threeTime = oneTime+one, threeTime+three
		iters++
	}
	b.ReportMetric(groupMBps(oneTime/time.Duration(iters)), "one-MB/s")
	b.ReportMetric(groupMBps(threeTime/time.Duration(iters)), "three-MB/s")
	b.ReportMetric(oneTime.Seconds()/threeTime.Seconds(), "three/one")
}

// groupMBps is the throughput of groupBenchSize bytes moved in d, in MB/s.
func groupMBps(d time.Duration) float64 { return float64(groupBenchSize) / 1e6 / d.Seconds() }
