package ui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// BenchmarkOpenConversation measures what a person feels in a long
// conversation: opening it (the latest page read and laid out) and
// scrolling to the top to load the page before. It runs with 100 and with
// 10 000 stored messages in the same run and reports the ratio: paging
// reads only what it shows, so a long history must not be slower.
//
// The times are medians of 20 rounds: a garbage collection, or another
// program on a shared machine, lands in one round and can move a mean of
// 20 a long way. The mean's ratio is reported too (open-mean-x-100): that
// is where a larger heap to collect shows.
func BenchmarkOpenConversation(b *testing.B) {
	var base roundTimes
	for i, n := range []int{100, 10_000} {
		rt := benchOpen(b, n)
		if i == 0 {
			base = rt
			continue
		}
		b.ReportMetric(float64(rt.open.median().Microseconds()), "open-10k-µs")
		b.ReportMetric(float64(rt.older.median().Microseconds()), "older-page-10k-µs")
		b.ReportMetric(float64(rt.open.median())/float64(base.open.median()), "open-x-100")
		b.ReportMetric(float64(rt.older.median())/float64(base.older.median()), "older-x-100")
		b.ReportMetric(float64(rt.open.mean())/float64(base.open.mean()), "open-mean-x-100")
	}
}

// durations are the times of the rounds of one measurement.
type durations []time.Duration

func (d durations) median() time.Duration {
	s := slices.Sorted(slices.Values(d))
	return s[len(s)/2]
}

func (d durations) mean() time.Duration {
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return sum / time.Duration(len(d))
}

// roundTimes are the times to open a conversation and to load one older
// page, one per round.
type roundTimes struct{ open, older durations }

// benchOpen returns the times to open a conversation of n messages and to
// load one older page.
func benchOpen(b *testing.B, n int) (rt roundTimes) {
	test.NewTempApp(b)
	eng := newEngine(b, b.TempDir(), loopback.New(newNet()))
	h := newHarness(b, eng)
	h.createProfile("Reader", "pw")
	other := enginetest.Address()
	if _, err := eng.AddContact(string(other), "Archive"); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := eng.Reply(model.ConversationID(other), fmt.Sprintf("message %d with some words to lay out", i), model.MessageID{}); err != nil {
			b.Fatal(err)
		}
	}
	// Let the UI take in every event of the sends before measuring.
	last := fmt.Sprintf("You: message %d with some words to lay out", n)
	deadline := time.After(3 * time.Minute)
	for it := h.item(string(other)); it == nil || it.preview != last; it = h.item(string(other)) {
		select {
		case f := <-h.queue:
			f()
		case <-deadline:
			b.Fatalf("the UI did not take in the %d sends", n)
		}
	}
	h.settle()
	const rounds = 20
	for r := -1; r < rounds; r++ { // round -1 warms up and is not counted
		h.ui.main.showHome()
		h.settle()
		start := time.Now()
		h.open(string(other))
		h.settle()
		open := time.Since(start)
		cp := h.ui.main.chat
		start = time.Now()
		cp.list.ScrollToTop()
		h.waitFor("an older page", func() bool { return len(cp.msgs()) == 2*pageSize })
		if r >= 0 {
			rt.open, rt.older = append(rt.open, open), append(rt.older, time.Since(start))
		}
	}
	return rt
}
