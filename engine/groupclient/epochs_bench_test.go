package groupclient

import (
	"fmt"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/transport"
)

// benchOwner returns Alice, the owner of a group of n members on srv's
// bundle whose other n-1 members (Bob among them) are authors fed to her
// timeline, and the group's invite. Her transport reaches no server:
// nothing is sent.
func benchOwner(b *testing.B, tr transport.Transport, srv *groupserver.Server, n int) (*member, GroupInfo, string) {
	alice := newMember(b, tr, "alice")
	info, err := alice.c.CreateGroup("bench", srv.Bundle())
	if err != nil {
		b.Fatal(err)
	}
	text, err := alice.c.Invite(info.ID)
	if err != nil {
		b.Fatal(err)
	}
	alice.c.mu.Lock()
	defer alice.c.mu.Unlock()
	g := alice.c.groups[info.ID]
	for i := range n - 1 {
		name := fmt.Sprint("member ", i)
		if i == 0 {
			name = "bob"
		}
		blob, err := g.cur().g.Seal(nil, seedIdentity(b, name), &group.Message{Seq: 1, Sent: time.Now(), Kind: group.KindText, Text: "hello"})
		if err != nil {
			b.Fatal(err)
		}
		m, err := g.cur().g.Open(blob)
		if err != nil {
			b.Fatal(err)
		}
		g.tl.Observe(m)
	}
	return alice, info, text
}

// BenchmarkRotationThroughClient measures a rotation through the client
// for groups of 50 and 200 members (docs/groups.md, "Cost"): admin is the
// owner's SetAdmin (the rotation made, its parts sealed, stored and
// queued with the new epoch in one transaction); member is a member's
// client storing the parts as its subscription delivers them (trial,
// open, verify, unwrap, and the transaction that stores the new epoch).
func BenchmarkRotationThroughClient(b *testing.B) {
	srv := startServer(b, serverConfig(b.TempDir(), network()))
	defer srv.Close()
	bob := seedIdentity(b, "bob").Address()
	for _, n := range []int{50, 200} {
		alone := network()
		b.Run(fmt.Sprintf("admin/%d", n), func(b *testing.B) {
			alice, info, _ := benchOwner(b, alone, srv, n)
			admin := false
			for b.Loop() {
				admin = !admin
				if err := alice.c.SetAdmin(info.ID, bob, admin); err != nil {
					b.Fatal(err)
				}
			}
		})

		// One rotation out of epoch 0, as the server would deliver it.
		alice, info, text := benchOwner(b, alone, srv, n)
		if err := alice.c.SetAdmin(info.ID, bob, true); err != nil {
			b.Fatal(err)
		}
		alice.c.mu.Lock()
		g := alice.c.groups[info.ID]
		first, salt := g.at(0).g, g.cur().salt
		alice.c.mu.Unlock()
		ids, err := alice.st.Outbox(info.Conversation)
		if err != nil {
			b.Fatal(err)
		}
		var blobs []protocol.BlobRef
		for _, id := range ids {
			v, err := alice.c.bucket.Get(queueKey(id))
			if err != nil {
				b.Fatal(err)
			}
			if m, err := first.Open(v); err == nil && m.Kind == group.KindRotate && m.Rotation.Salt == salt {
				blobs = append(blobs, protocol.BlobRef{Seq: uint64(len(blobs) + 1), Blob: v})
			}
		}
		if want := (n - 1 + group.MaxWraps - 1) / group.MaxWraps; len(blobs) != want {
			b.Fatalf("%d parts for %d members, want %d", len(blobs), n, want)
		}
		b.Run(fmt.Sprintf("member/%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				m := newMember(b, alone, "bob")
				m.join(b, text)
				sub := &subscription{s: m.c.servers[srv.Bundle().SigningKey]}
				b.StartTimer()
				if err := sub.store(blobs); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if evs, _ := m.ev.snapshot(); count(evs, func(e model.GroupRekeyed) bool { return e.Conversation == info.Conversation }) != 1 {
					b.Fatal("bob did not take the new key")
				}
				m.stop()
				m.st.Close()
				b.StartTimer()
			}
		})
	}
}
