package groupserver

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/internal/cputime"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
)

// BenchmarkIngest is posts per second through one connection over
// loopback, one post at a time: record, token verification,
// spend-and-store transaction (with fsync: SyncWrites on), result. Compare
// with tokens.BenchmarkRedeem. With one poster every commit holds one
// post, so group commit cannot help here. cpu-µs/post is the process's CPU
// time per post (the client's included).
func BenchmarkIngest(b *testing.B) {
	tr := newLoopback()
	cfg := testConfig(b, b.TempDir(), tr)
	cfg.NoSync = false
	cfg.PostsPerDay = NoPostCap
	s := startServer(b, cfg)
	c := dial(b, tr, s)
	var toks []tokens.Token
	for len(toks) < b.N {
		toks = append(toks, c.tokens(tokens.MaxBatch)...)
	}
	bl := blob(1)
	b.ResetTimer()
	cpu0, _ := cputime.Process()
	for i := 0; i < b.N; i++ {
		if r := c.post(bl, &toks[i]); r.Status != protocol.PostOK {
			b.Fatal(r.Status)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	if cpu1, ok := cputime.Process(); ok {
		b.ReportMetric((cpu1-cpu0).Seconds()*1e6/float64(b.N), "cpu-µs/post")
	}
}

// BenchmarkIngestConcurrent is posts per second from 32 connections
// posting at once over loopback, with synced commits, on two servers (two
// data dirs on the same disk): one commits every post alone (CommitBatch
// 1: one sync per post, as before group commit), the other with group
// commit (the default CommitBatch). Each iteration has the same 32
// connections post 32 blobs each on the first server, then on the second,
// so that both see the same load from the rest of the machine. Tokens are
// issued and the Post records built before the timer: what is timed is
// the posting (the clients' sealing and reading of frames included: they
// share the process and its cores with the server). It reports "alone"
// and "grouped" posts/s, their ratio, the mean posts per commit, the
// process's CPU time per post in each (cpu-µs/post: the clients' share
// included; on a machine shared with other work the rate says how much
// of the cores the benchmark got, the CPU time what a post costs), and
// the bytes the process allocates per grouped post (clients included).
func BenchmarkIngestConcurrent(b *testing.B) {
	const conns, per = 32, 32
	type side struct {
		s       *Server
		cs      []*client
		posts   [][]*protocol.Post // per connection, per*b.N
		elapsed time.Duration
		cpu     time.Duration
		alloc   uint64 // bytes allocated by the process
		commits uint64
	}
	open := func(batch, first int) *side {
		tr := newLoopback()
		cfg := testConfig(b, b.TempDir(), tr)
		cfg.NoSync = false
		cfg.PostsPerDay = NoPostCap
		cfg.CommitBatch = batch
		sd := &side{s: startServer(b, cfg), cs: make([]*client, conns), posts: make([][]*protocol.Post, conns)}
		for i := range sd.cs {
			sd.cs[i] = dial(b, tr, sd.s)
			var toks []tokens.Token
			for len(toks) < per*b.N {
				toks = append(toks, sd.cs[i].tokens(tokens.MaxBatch)...)
			}
			for j := range per * b.N {
				tok, _ := toks[j].MarshalBinary()
				sd.posts[i] = append(sd.posts[i], &protocol.Post{Blob: blob(first + i*per*b.N + j), Token: tok})
			}
		}
		return sd
	}
	// round has every connection of sd post its blobs of iteration n.
	round := func(sd *side, n int) {
		commits := sd.s.st.Commits()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		cpu0, _ := cputime.Process()
		start := time.Now()
		var wg sync.WaitGroup
		for i, c := range sd.cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, p := range sd.posts[i][n*per : (n+1)*per] {
					r, err := postOnce(c, p.Blob, p.Token)
					if err != nil {
						b.Error(err)
						return
					}
					if r.Status != protocol.PostOK {
						b.Error(r.Status)
						return
					}
				}
			}()
		}
		wg.Wait()
		sd.elapsed += time.Since(start)
		cpu1, _ := cputime.Process()
		runtime.ReadMemStats(&m1)
		sd.cpu += cpu1 - cpu0
		sd.alloc += m1.TotalAlloc - m0.TotalAlloc
		sd.commits += sd.s.st.Commits() - commits
	}
	alone, grouped := open(1, 0), open(0, conns*per*b.N)
	b.ResetTimer()
	for n := range b.N {
		round(alone, n)
		round(grouped, n)
	}
	b.StopTimer()
	posts := float64(conns * per * b.N)
	rate := func(sd *side) float64 { return posts / sd.elapsed.Seconds() }
	b.ReportMetric(rate(alone), "posts/s-alone")
	b.ReportMetric(rate(grouped), "posts/s-grouped")
	b.ReportMetric(rate(grouped)/rate(alone), "grouped/alone")
	b.ReportMetric(posts/float64(grouped.commits), "posts/commit")
	b.ReportMetric(float64(grouped.alloc)/posts, "B/post-grouped")
	if _, ok := cputime.Process(); ok {
		b.ReportMetric(alone.cpu.Seconds()*1e6/posts, "cpu-µs/post-alone")
		b.ReportMetric(grouped.cpu.Seconds()*1e6/posts, "cpu-µs/post-grouped")
	}
}
