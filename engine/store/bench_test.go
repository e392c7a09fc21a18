package store

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// Shared fixtures of the benchmarks, built once per process and closed by
// TestMain.
var (
	benchMu     sync.Mutex
	benchStores []*Store
	benchDirs   []string
	big         *Store // 1M messages in 100 conversations
)

func closeBenchStores() {
	benchMu.Lock()
	defer benchMu.Unlock()
	for _, s := range benchStores {
		s.Close()
	}
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	benchStores, benchDirs, big = nil, nil, nil
}

func benchStore(b *testing.B, noSync bool) *Store {
	dir, err := os.MkdirTemp("", "nook-bench-")
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(dir, Options{Key: testKey(7), Create: true, NoSync: noSync, GCInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	benchMu.Lock()
	benchStores, benchDirs = append(benchStores, s), append(benchDirs, dir)
	benchMu.Unlock()
	return s
}

func benchMsg(conv model.ConversationID, i int) model.Message {
	t := time.Unix(1700000000+int64(i), 0)
	return model.Message{ID: model.NewMessageID(), Conversation: conv, Author: "authoraddress",
		Sent: t, Received: t, Body: fmt.Sprintf("message %d: a typical short chat line of some length", i),
		Status: model.StatusReceived}
}

// BenchmarkAppend measures AppendMessage, one transaction per message; run
// with -benchtime=100000x for 100k messages.
func BenchmarkAppend(b *testing.B) {
	for _, c := range []struct {
		name   string
		noSync bool
	}{{"nosync", true}, {"sync", false}} {
		b.Run(c.name, func(b *testing.B) {
			s := benchStore(b, c.noSync)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				if _, err := s.AppendMessage(benchMsg("conv", i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

// bigStore builds, once, a store with 1M messages spread over 100
// conversations, written with WriteBatch in the store's own record format.
func bigStore(b *testing.B) *Store {
	benchMu.Lock()
	s := big
	benchMu.Unlock()
	if s != nil {
		return s
	}
	s = benchStore(b, true)
	const convs, perConv = 100, 10000
	wb := s.db.NewWriteBatch()
	for c := range convs {
		conv := model.ConversationID(fmt.Sprintf("conversation-%03d", c))
		for i := 1; i <= perConv; i++ {
			m := benchMsg(conv, c*perConv+i)
			m.Seq = uint64(i)
			if err := wb.Set(seqKey(kindMessage, conv, m.Seq), encodeMessage(m)); err != nil {
				b.Fatal(err)
			}
			if err := wb.Set(msgIndexKey(conv, m.ID), encodeSeq(m.Seq)); err != nil {
				b.Fatal(err)
			}
		}
		info := ConversationInfo{LastSeq: perConv, Messages: perConv, LastActivity: time.Unix(1700000000, 0)}
		if err := wb.Set(convKey(kindConv, conv), encodeConvInfo(info)); err != nil {
			b.Fatal(err)
		}
	}
	if err := wb.Flush(); err != nil {
		b.Fatal(err)
	}
	benchMu.Lock()
	big = s
	benchMu.Unlock()
	return s
}

// BenchmarkLatest50Of1M reads the latest 50 messages of one conversation
// among 1M stored messages.
func BenchmarkLatest50Of1M(b *testing.B) {
	s := bigStore(b)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		conv := model.ConversationID(fmt.Sprintf("conversation-%03d", i%100))
		page, err := s.LatestMessages(conv, 50)
		if err != nil || len(page) != 50 || page[49].Seq != 10000 {
			b.Fatalf("page of %d, %v", len(page), err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/op")
}

// BenchmarkBefore50Of1M pages back from the middle of a conversation.
func BenchmarkBefore50Of1M(b *testing.B) {
	s := bigStore(b)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		conv := model.ConversationID(fmt.Sprintf("conversation-%03d", i%100))
		page, err := s.MessagesBefore(conv, 5000, 50)
		if err != nil || len(page) != 50 || page[49].Seq != 4999 {
			b.Fatalf("page of %d, %v", len(page), err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/op")
}

// BenchmarkOpenMemory reports the Go heap and process RSS that one open,
// empty store adds.
func BenchmarkOpenMemory(b *testing.B) {
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rss0 := rssKiB()
		dir := b.TempDir()
		s, err := Open(dir, Options{Key: testKey(7), Create: true, NoSync: true, GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		s.PutSetting("x", []byte("y"))
		runtime.GC()
		runtime.ReadMemStats(&after)
		rss1 := rssKiB()
		s.Close()
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/(1<<20), "heap-MiB")
		if rss0 > 0 {
			b.ReportMetric(float64(rss1-rss0)/1024, "rss-MiB")
		}
	}
}

// rssKiB returns the process's resident set size on Linux, or 0.
func rssKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkDeleteExpired measures deleting due disappearing messages
// (message, index and expiry entries, the conversation summary) in
// DeleteExpired's batches, next to appending the same messages in the same
// run: x-append is the deletion rate over the append rate.
func BenchmarkDeleteExpired(b *testing.B) {
	s := benchStore(b, true)
	t0 := time.Unix(1_700_000_000, 0)
	const n = 5000
	var appendTime, deleteTime time.Duration
	for range b.N {
		start := time.Now()
		for i := range n {
			m := benchMsg("conv", i)
			m.Disappear, m.ExpiresAt = time.Minute, t0.Add(time.Duration(i)*time.Millisecond)
			if _, err := s.AppendMessage(m); err != nil {
				b.Fatal(err)
			}
		}
		appendTime += time.Since(start)
		start = time.Now()
		deleted := 0
		for {
			gone, err := s.DeleteExpired(t0.Add(time.Hour))
			if err != nil {
				b.Fatal(err)
			}
			if len(gone) == 0 {
				break
			}
			deleted += len(gone)
		}
		deleteTime += time.Since(start)
		if deleted != n {
			b.Fatalf("deleted %d of %d", deleted, n)
		}
	}
	total := float64(b.N * n)
	b.ReportMetric(total/deleteTime.Seconds(), "deleted/s")
	b.ReportMetric(total/appendTime.Seconds(), "appended/s")
	b.ReportMetric(appendTime.Seconds()/deleteTime.Seconds(), "x-append")
}

// BenchmarkClearAndDelete measures ClearConversation on 5000 messages of a
// contact's conversation (56-character ID) and DeleteMessage one by one
// on as many, both against appending them in the same run.
func BenchmarkClearAndDelete(b *testing.B) {
	s := benchStore(b, true)
	conv := model.ConversationID(strings.Repeat("a", 56))
	const n = 5000
	var appendTime, clearTime, deleteTime time.Duration
	for range b.N {
		fill := func() []model.MessageID {
			start := time.Now()
			ids := make([]model.MessageID, n)
			for i := range n {
				m, err := s.AppendMessage(benchMsg(conv, i))
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = m.ID
			}
			appendTime += time.Since(start)
			return ids
		}
		fill()
		start := time.Now()
		if gone, err := s.ClearConversation(conv); err != nil || len(gone) != n {
			b.Fatalf("cleared %d, %v", len(gone), err)
		}
		clearTime += time.Since(start)
		ids := fill()
		start = time.Now()
		for _, id := range ids {
			if _, err := s.DeleteMessage(conv, id); err != nil {
				b.Fatal(err)
			}
		}
		deleteTime += time.Since(start)
	}
	total := float64(b.N * n)
	b.ReportMetric(total/clearTime.Seconds(), "cleared/s")
	b.ReportMetric(total/deleteTime.Seconds(), "deleted-one-by-one/s")
	b.ReportMetric(2*total/appendTime.Seconds(), "appended/s")
}
