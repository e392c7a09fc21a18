package transfer

import (
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// TestSweepGroups: Carol keeps, of a group she is no longer in, a file
// offered with its source, a holder note's source for a file never
// announced, a holder mark and her file service's key; of a group she
// is in, her file service's key. SweepGroups forgets the first group
// alone: the key, every source and mark go, the file offered ends
// unavailable; the second keeps its key; a second sweep forgets
// nothing.
func TestSweepGroups(t *testing.T) {
	m := newMembers(t, 2)
	alice, carol := m[0], m[1]
	_, o := alice.share(t, 10_000)
	carol.offered(t, o)
	if _, err := carol.tr.AddSource(gconv, o.ID, newOnion(t), alice.service.Address()); err != nil {
		t.Fatal(err)
	}
	unknown := model.NewMessageID()
	if _, err := carol.tr.AddSource(gconv, unknown, newOnion(t), newOnion(t)); err != nil {
		t.Fatal(err)
	}
	if err := carol.tr.SettleHolder(gconv, model.NewMessageID()); err != nil {
		t.Fatal(err)
	}
	const stays = model.ConversationID("g:still-in")
	for _, conv := range []model.ConversationID{gconv, stays} {
		if _, err := carol.tr.ServiceIdentity(conv); err != nil {
			t.Fatal(err)
		}
	}
	count := func(tag byte, conv model.ConversationID) int {
		p := convPrefix(conv)
		p[0] = tag
		n := 0
		if err := carol.tr.b.Iterate(p, func(k, v []byte) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count('s', gconv) != 2 || count('h', gconv) != 1 || count('k', gconv) != 1 {
		t.Fatal("the test's state was not written")
	}
	member := func(c model.ConversationID) bool { return c == stays }
	if n, err := carol.tr.SweepGroups(member); err != nil || n != 1 {
		t.Fatalf("SweepGroups forgot %d groups, %v; want 1", n, err)
	}
	for _, tag := range []byte{'s', 'h', 'k'} {
		if n := count(tag, gconv); n != 0 {
			t.Fatalf("%d keys %q kept of the group left", n, tag)
		}
	}
	if f, err := carol.tr.File(gconv, o.ID); err != nil || f.State != model.FileUnavailable {
		t.Fatalf("the file offered: %+v, %v", f, err)
	}
	if _, err := carol.tr.b.Get(serviceKey(stays)); err != nil {
		t.Fatalf("the key of the group Carol is in: %v", err)
	}
	if n, err := carol.tr.SweepGroups(member); err != nil || n != 0 {
		t.Fatalf("a second sweep forgot %d groups, %v", n, err)
	}
	if _, err := carol.tr.b.Get(serviceKey(gconv)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the key of the group left: %v", err)
	}
}
