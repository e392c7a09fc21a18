package groupclient

import (
	"fmt"
	"testing"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/wire"
)

// missWhileOffline has carol join the group that text invites to, waits
// until she caught up, and stops her; alice then posts n messages, "m0"
// to "m<n-1>", the i-th to the group in(i), and waits until all are
// delivered.
func missWhileOffline(t *testing.T, alice, carol *member, text string, n int, in func(i int) group.ID) {
	t.Helper()
	carol.join(t, text)
	carol.ev.waitFor(t, "carol caught up", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupSync) bool { return e.CaughtUp }) > 0
	})
	carol.stop()
	for i := range n {
		if _, err := alice.c.Post(in(i), fmt.Sprintf("m%d", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	alice.ev.waitFor(t, "alice's posts delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.Status == model.StatusDelivered }) >= n
	})
}

// catchUpAgain starts carol and waits until she caught up with want
// messages; it returns her events.
func catchUpAgain(t *testing.T, carol *member, want int) []model.Event {
	t.Helper()
	carol.start()
	return carol.ev.waitFor(t, "carol caught up again", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupSync) bool { return e.CaughtUp }) > 0 &&
			count(evs, func(model.MessageAdded) bool { return true }) == want
	})
}

// catchUpAfter has alice post n messages to a group on the server of
// bundle while carol, a member, is offline, then starts carol and waits
// until she caught up with all of them, in order and with no warning. It
// returns the bytes carol's connections read while she caught up, and the
// transactions her store committed meanwhile.
func catchUpAfter(t *testing.T, tr transport.Transport, bundle *invite.Bundle, n int) (int64, uint64) {
	t.Helper()
	counted := &byteCountingTransport{Transport: tr}
	alice, carol := newMember(t, tr, "alice"), newMember(t, counted, "carol")
	info, err := alice.c.CreateGroup("club", bundle)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := alice.c.Invite(info.ID)
	missWhileOffline(t, alice, carol, text, n, func(int) group.ID { return info.ID })
	counted.read.Store(0)
	commits := carol.st.Commits()
	evs := catchUpAgain(t, carol, n)
	read := counted.read.Load()
	commits = carol.st.Commits() - commits
	t.Logf("read %d frames, %d transactions", read/wire.FrameSize, commits)
	got := carol.messages(info.Conversation)
	if len(got) != n {
		t.Fatalf("carol has %d messages, want %d", len(got), n)
	}
	for i, m := range got {
		if want := fmt.Sprintf("m%d", i); m.Body != want {
			t.Fatalf("carol's message %d is %q, want %q", i, m.Body, want)
		}
	}
	if w := count(evs, func(model.GroupWarning) bool { return true }); w != 0 {
		t.Errorf("%d warnings from an honest server", w)
	}
	return read, commits
}

// TestCatchUpPacked: a client catching up from a server that knows Blobs
// records gets its stored blobs several to a record, and reads about
// half the bytes a blob a record takes (150 blobs: ten Blobs records of 15
// in 8 frames each, where a Blob each would take 150 frames).
func TestCatchUpPacked(t *testing.T) {
	const n = 150
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	read, _ := catchUpAfter(t, tr, srv.Bundle(), n)
	// Beyond the blobs: two handshakes (the probe and the subscription,
	// three messages each), the probe's CaughtUp, the resubscription's
	// blobs read again (from up to 319 before carol's cursor: here
	// everything before, a few blobs) and the CaughtUp.
	if frames := read / wire.FrameSize; frames > n*6/10 {
		t.Errorf("caught up with %d blobs in %d frames (%d bytes)", n, frames, read)
	}
}

// TestCatchUpBatched: catching up, the client gathers the records that
// arrive close together and stores them in one transaction for every
// maxScan blobs (maxBatch of its own groups'), not one a record: 300
// blobs on the server, one in 20 of carol's group, the others of a group
// she is not in, in at most 3 transactions (2 here; 16 before, about one
// a record). The wait for more records is made longer than the test waits
// (waitTimeout), so that a loaded machine does not end batches early, and
// so that a batch that could not fill (the reader unable to queue what
// wakes the storer: it could not, with Blob records, before
// TestCatchUpBatchedFromOlderServer) fails the test rather than slow it.
func TestCatchUpBatched(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	catchUpBatched(t, tr, srv.Bundle())
}

// TestCatchUpBatchedFromOlderServer: the same from a server that sends a
// Blob record a blob (a proxy drops AcceptBlobs, as TestCatchUpFromOlderServer).
func TestCatchUpBatchedFromOlderServer(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	catchUpBatched(t, tr, px.bundle)
}

func catchUpBatched(t *testing.T, tr transport.Transport, bundle *invite.Bundle) {
	t.Helper()
	const n, every = 300, 20
	old := gatherWait
	gatherWait = 2 * waitTimeout
	defer func() { gatherWait = old }()
	alice, carol := newMember(t, tr, "alice"), newMember(t, tr, "carol")
	club, err := alice.c.CreateGroup("club", bundle)
	if err != nil {
		t.Fatal(err)
	}
	other, err := alice.c.CreateGroup("other", bundle)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := alice.c.Invite(club.ID)
	missWhileOffline(t, alice, carol, text, n, func(i int) group.ID {
		if i%every == 0 {
			return club.ID
		}
		return other.ID
	})
	commits := carol.st.Commits()
	catchUpAgain(t, carol, n/every)
	commits = carol.st.Commits() - commits
	got := carol.messages(club.Conversation)
	if len(got) != n/every {
		t.Fatalf("carol has %d messages, want %d", len(got), n/every)
	}
	for i, m := range got {
		if want := fmt.Sprintf("m%d", i*every); m.Body != want {
			t.Fatalf("carol's message %d is %q, want %q", i, m.Body, want)
		}
	}
	// ceil(n / maxScan) batches, and the blobs after the last full one.
	t.Logf("%d blobs caught up in %d transactions", n, commits)
	if max := uint64(n/maxScan + 2); commits > max {
		t.Errorf("caught up with %d blobs in %d transactions, want at most %d", n, commits, max)
	}
}

// TestCatchUpFromOlderServer: a server that predates Blobs records
// ignores the client's AcceptBlobs (the proxy drops it, as such a server
// skips a record type it does not know) and sends a Blob record a blob;
// the client sent AcceptBlobs and catches up all the same.
func TestCatchUpFromOlderServer(t *testing.T) {
	const n = 150
	tr, px, stop := proxiedServer(t)
	defer stop()
	read, _ := catchUpAfter(t, tr, px.bundle, n)
	if px.count(protocol.TypeAcceptBlobs) == 0 {
		t.Error("the client did not send AcceptBlobs")
	}
	px.mu.Lock()
	packed := px.packed
	px.mu.Unlock()
	if packed != 0 {
		t.Errorf("%d Blobs records from a server that got no AcceptBlobs", packed)
	}
	if frames := read / wire.FrameSize; frames < n {
		t.Errorf("caught up with %d blobs in %d frames, fewer than one a blob", n, frames)
	}
}

// TestProbeLeavesStreamingServer: a group server before
// TestSubscribePastHead's fix answered the client's probe of the head with
// every stored blob before CaughtUp. The client leaves such a probe at its
// first blob instead of downloading the history twice, and catches up.
func TestProbeLeavesStreamingServer(t *testing.T) {
	const n = 150
	tr, px, stop := proxiedServer(t)
	defer stop()
	px.mu.Lock()
	px.probeFromZero = true
	px.mu.Unlock()
	read, _ := catchUpAfter(t, tr, px.bundle, n)
	// The catch-up's n frames, its handshakes and the probe's: what the
	// probe read before leaving is at most the 64 KiB read buffer's worth.
	if frames := read / wire.FrameSize; frames > n+20 {
		t.Errorf("caught up with %d blobs in %d frames: the probe downloaded the history", n, frames)
	}
}
