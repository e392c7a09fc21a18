package transfer

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// benchTransfers is newTransfers for a benchmark, with the default chunk
// size; close closes its store (else at the end of b).
func benchTransfers(b *testing.B) (tr *Transfers, close func()) {
	b.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	st, err := store.Open(b.TempDir(), store.Options{Key: key, Create: true, NoSync: true, MinFree: -1})
	if err != nil {
		b.Fatal(err)
	}
	var once sync.Once
	close = func() { once.Do(func() { st.Close() }) }
	b.Cleanup(close)
	return New(Config{Store: st}), close
}

// BenchmarkGroupFetch fetches a group file of 20 MB and of 60 MB from
// one source and from three (the author and two members who hold it),
// each a real file service on a real store over the loopback transport;
// it reports the fetch's MB/s and the peak Go heap during the fetches
// above the heap before them (every store's own memory included). Over
// loopback every source shares the machine's cores with the fetcher, so
// three sources cannot be faster here; the benchmark shows what the
// parallel fetch costs and that its memory does not grow with the file.
func BenchmarkGroupFetch(b *testing.B) {
	for _, size := range []int{20_000_000, 60_000_000} {
		b.Run(fmt.Sprintf("MB=%d", size/1_000_000), func(b *testing.B) { benchGroupFetch(b, size) })
	}
}

func benchGroupFetch(b *testing.B, size int) {
	nets := loopback.NewNetwork(4)
	data := make([]byte, size)
	rand.Read(data)
	author, _ := benchTransfers(b)
	_, o, err := author.ImportGroup(gconv, model.NewMessageID(), time.Now(), bytes.NewReader(data), int64(size), "big.bin", "application/octet-stream")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var addrs []identity.Address
	serve := func(tr *Transfers, net *loopback.Transport) {
		id, _ := identity.Generate(rand.Reader)
		s, err := tr.StartFileService(ctx, net, gconv, id, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		addrs = append(addrs, id.Address())
	}
	fetch := func(tr *Transfers, net *loopback.Transport, srcs []identity.Address) {
		if _, err := tr.OfferedGroup(gconv, o); err != nil {
			b.Fatal(err)
		}
		if _, err := tr.Accept(gconv, o.ID); err != nil {
			b.Fatal(err)
		}
		if err := tr.FetchGroup(ctx, gconv, o.ID, srcs, Dialer(net, nil)); err != nil {
			b.Fatal(err)
		}
	}
	serve(author, nets[0])
	for i := 1; i <= 2; i++ {
		h, _ := benchTransfers(b)
		fetch(h, nets[i], addrs[:1])
		serve(h, nets[i])
	}
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			var ms0 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			var peak uint64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				var ms runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
				}
			}()
			var took time.Duration
			for b.Loop() {
				tr, done := benchTransfers(b)
				start := time.Now()
				fetch(tr, nets[3], addrs[:n])
				took += time.Since(start)
				done()
			}
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(size)*float64(b.N)/took.Seconds()/1e6, "MB/s")
			b.ReportMetric((float64(peak)-float64(ms0.HeapAlloc))/(1<<20), "peak-heap-MiB")
		})
	}
}
