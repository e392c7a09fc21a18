package peer

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestStalledConnectionsDoNotLockOut: an attacker holds 200 connections to
// the victim's onion service that never finish a handshake, half of them
// silent (half-open) and half sending a byte now and then (slowloris). A
// new person's contact request still gets through, and so do messages from
// an existing contact.
func TestStalledConnectionsDoNotLockOut(t *testing.T) {
	nw := loopbackNet(t)
	victim := newNode(t, "victim", 31, nw.new(t))
	friend := newNode(t, "friend", 32, nw.new(t))
	befriend(t, friend, victim, nw.timeout)

	attacker := nw.new(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	defer func() {
		cancel()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}()
	for i := 0; i < 200; i++ {
		c, err := attacker.Dial(ctx, victim.addr())
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
		if i%2 == 1 {
			wg.Add(1)
			go func() { // slowloris: one byte every 50 ms
				defer wg.Done()
				tick := time.NewTicker(50 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-tick.C:
						if _, err := c.Write([]byte{'N'}); err != nil {
							return
						}
					}
				}
			}()
		}
	}

	newcomer := newNode(t, "newcomer", 33, nw.new(t))
	if _, err := newcomer.m.AddContact(victim.addr(), ""); err != nil {
		t.Fatal(err)
	}
	victim.ev.waitUntil(t, "the newcomer's request despite 200 stalled connections", nw.timeout, func() bool {
		return victim.contact(newcomer).State == model.ContactRequest
	})
	friend.stop()
	friend.start()
	if _, err := friend.m.Send(victim.addr(), "still there?", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	friend.ev.waitUntil(t, "delivery to the victim", nw.timeout, delivered(friend, victim))
}
