package groupserver

import (
	"testing"

	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
)

// BenchmarkIngest is posts per second through one connection over
// loopback: record, token verification, spend-and-store transaction (with
// fsync: SyncWrites on), result. Compare with tokens.BenchmarkRedeem.
func BenchmarkIngest(b *testing.B) {
	tr := newLoopback()
	cfg := testConfig(b, b.TempDir(), tr)
	cfg.NoSync = false
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
