package ui

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestSerialKeepsOrder: functions queued quickly, some slow, run one at a
// time in the order they were queued.
func TestSerialKeepsOrder(t *testing.T) {
	var (
		s    serial
		mu   sync.Mutex
		got  []int
		busy bool
		wg   sync.WaitGroup
	)
	for i := range 200 {
		wg.Add(1)
		s.run(func() {
			defer wg.Done()
			mu.Lock()
			if busy {
				t.Error("two queued functions ran at once")
			}
			busy = true
			mu.Unlock()
			if i%50 == 0 {
				time.Sleep(2 * time.Millisecond)
			}
			mu.Lock()
			got = append(got, i)
			busy = false
			mu.Unlock()
		})
	}
	wg.Wait()
	for i, v := range got {
		if v != i {
			t.Fatalf("ran %d at position %d: order not kept", v, i)
		}
	}
	if len(got) != 200 {
		t.Fatalf("ran %d of 200", len(got))
	}
}

// TestQuickMessagesKeepOrder: messages written in quick succession are
// stored and shown in the order they were written.
func TestQuickMessagesKeepOrder(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	alice.open(bob.self())
	cp := alice.ui.main.chat
	const n = 20
	for i := range n {
		test.Type(cp.entry, fmt.Sprintf("message %02d", i))
		cp.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	alice.waitFor("every message shown", func() bool { return len(cp.msgs()) == n })
	stored, err := alice.eng.History(cp.conv, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		want := fmt.Sprintf("message %02d", i)
		if cp.msgs()[i].Body != want || stored[i].Body != want {
			t.Fatalf("position %d: shown %q, stored %q; want %q", i, cp.msgs()[i].Body, stored[i].Body, want)
		}
	}
}
