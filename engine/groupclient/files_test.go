package groupclient

import (
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// fileHooks records what a client tells its file side.
type fileHooks struct {
	offered chan fileEffect
	holders chan fileEffect
}

func (h *fileHooks) tune(c *Config) {
	c.FileOffered = func(conv model.ConversationID, id model.MessageID, author identity.Address, sent time.Time, f *group.FileOffer) {
		h.offered <- fileEffect{conv, id, author, sent, f}
	}
	c.FileHolder = func(conv model.ConversationID, offer model.MessageID, author, source identity.Address) {
		h.holders <- fileEffect{conv, offer, author, time.Time{}, &group.FileOffer{Role: group.FileRoleHolder, Source: source}}
	}
}

func next(t *testing.T, ch chan fileEffect, what string) fileEffect {
	t.Helper()
	select {
	case f := <-ch:
		return f
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s", what)
		return fileEffect{}
	}
}

// TestFileAnnouncements: a file announced in a group is stored at every
// member as a file message named by the file and handed to the file side
// with all its fields (once, and never to its author); a holder note is
// stored as no message and handed to the others with its source and
// author; the holder note of a member the profile blocked is not.
func TestFileAnnouncements(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	ah := &fileHooks{offered: make(chan fileEffect, 8), holders: make(chan fileEffect, 8)}
	bh := &fileHooks{offered: make(chan fileEffect, 8), holders: make(chan fileEffect, 8)}
	var blocked atomic.Pointer[identity.Address] // whom Alice blocked
	for _, m := range []struct {
		m *member
		h *fileHooks
	}{{alice, ah}, {bob, bh}} {
		m.m.stop()
		m.m.tune = m.h.tune
		if m.m == alice {
			m.m.tune = func(c *Config) {
				ah.tune(c)
				c.Blocked = func(a identity.Address) bool { b := blocked.Load(); return b != nil && *b == a }
			}
		}
		m.m.start()
	}
	info, err := alice.c.CreateGroup("files", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, err := alice.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	bob.join(t, text)
	f := &group.FileOffer{Size: 300_000, ChunkSize: 60 << 10, SHA256: [32]byte{1}, Root: [32]byte{2}, Key: [32]byte{3},
		Source: seedIdentity(t, "alice's file service").Address(), MediaType: "application/pdf", Name: "minutes.pdf"}
	sent, err := alice.c.PostFile(info.ID, f)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Kind != model.KindFile || sent.Body != "minutes.pdf" {
		t.Fatalf("posted %+v", sent)
	}
	got := next(t, bh.offered, "offer at Bob")
	want := *f
	want.Role = group.FileRoleOffer
	if got.conv != info.Conversation || got.id != sent.ID || got.author != alice.as(info.ID) || !got.sent.Equal(sent.Sent) || !reflect.DeepEqual(*got.file, want) {
		t.Fatalf("Bob was told %+v %+v", got, got.file)
	}
	bob.ev.waitFor(t, "the file message", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageAdded) bool {
			return e.Message.ID == sent.ID && e.Message.Kind == model.KindFile && e.Message.Body == "minutes.pdf"
		}) == 1
	})
	bobService := seedIdentity(t, "bob's file service").Address()
	if err := bob.c.PostHolder(info.ID, sent.ID, bobService); err != nil {
		t.Fatal(err)
	}
	h := next(t, ah.holders, "holder note at Alice")
	if h.conv != info.Conversation || h.id != sent.ID || h.author != bob.as(info.ID) || h.file.Source != bobService {
		t.Fatalf("Alice was told %+v %+v", h, h.file)
	}
	// Alice blocks Bob: his next note (a source of his choosing) is
	// dropped at her side.
	bobAs := bob.as(info.ID)
	blocked.Store(&bobAs)
	if err := bob.c.PostHolder(info.ID, sent.ID, seedIdentity(t, "somewhere else").Address()); err != nil {
		t.Fatal(err)
	}
	// A text after both: once it arrived, nothing else was told.
	after, err := bob.c.Post(info.ID, "got it", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*member{alice, bob} {
		m.ev.waitFor(t, "the text", func(evs []model.Event) bool {
			return count(evs, func(e model.MessageAdded) bool { return e.Message.ID == after.ID }) == 1
		})
	}
	if len(ah.offered) != 0 || len(ah.holders) != 0 || len(bh.holders) != 0 || len(bh.offered) != 0 {
		t.Fatalf("told again (or a blocked member's note told): %d offers and %d holders at Alice, %d holders and %d offers at Bob",
			len(ah.offered), len(ah.holders), len(bh.holders), len(bh.offered))
	}
	for _, m := range bob.messages(info.Conversation) {
		if m.Kind != model.KindFile && m.Body != "got it" && m.Kind != model.KindNote {
			t.Fatalf("Bob stored %+v", m)
		}
	}
}
