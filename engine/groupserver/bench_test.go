package groupserver

import (
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
)

// BenchmarkIngest is posts per second through one connection over
// loopback, one post at a time: record, token verification,
// spend-and-store transaction (with fsync: SyncWrites on), result. Compare
// with tokens.BenchmarkRedeem. With one poster every commit holds one
// post, so group commit cannot help here.
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
	for i := 0; i < b.N; i++ {
		if r := c.post(bl, &toks[i]); r.Status != protocol.PostOK {
			b.Fatal(r.Status)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkIngestConcurrent is posts per second from 32 connections
// posting at once over loopback, with synced commits, first with every
// post committed alone (CommitBatch 1: one fsync per post, as before group
// commit), then with group commit (the default CommitBatch): "alone" and
// "grouped" posts/s, their ratio, and the mean posts per commit. Each
// iteration posts 1024 blobs on each server.
func BenchmarkIngestConcurrent(b *testing.B) {
	const conns, per = 32, 32
	run := func(batch int) (rate float64, perCommit float64) {
		tr := newLoopback()
		cfg := testConfig(b, b.TempDir(), tr)
		cfg.NoSync = false
		cfg.PostsPerDay = NoPostCap
		cfg.CommitBatch = batch
		s := startServer(b, cfg)
		defer s.Close()
		cs := make([]*client, conns)
		toks := make([][]tokens.Token, conns)
		for i := range cs {
			cs[i] = dial(b, tr, s)
			for len(toks[i]) < per*b.N {
				toks[i] = append(toks[i], cs[i].tokens(tokens.MaxBatch)...)
			}
		}
		commits := s.st.Commits()
		start := time.Now()
		var wg sync.WaitGroup
		for i := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range per * b.N {
					if r := cs[i].post(blob(i*per*b.N+j), &toks[i][j]); r.Status != protocol.PostOK {
						b.Error(r.Status)
						return
					}
				}
			}()
		}
		wg.Wait()
		n := float64(conns * per * b.N)
		return n / time.Since(start).Seconds(), n / float64(s.st.Commits()-commits)
	}
	alone, _ := run(1)
	grouped, perCommit := run(0)
	b.ReportMetric(alone, "posts/s-alone")
	b.ReportMetric(grouped, "posts/s-grouped")
	b.ReportMetric(grouped/alone, "grouped/alone")
	b.ReportMetric(perCommit, "posts/commit")
}
