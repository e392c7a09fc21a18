package store

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestReactions sets, replaces and removes reactions on a stored message:
// each change is one commit, is kept in the message's record (read back
// by GetMessage and LatestMessages, and after reopening), leaves the
// conversation's summary alone, and goes with the message when it
// disappears. A reaction on a message that is not there is ErrNotFound.
func TestReactions(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const conv = model.ConversationID("carol")
	m, err := s.AppendMessage(msg(conv, "react to me", t0))
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Conversation(conv)
	if err != nil {
		t.Fatal(err)
	}

	commits := s.Commits()
	got, changed, err := s.SetReaction(conv, m.ID, "alice", "👍")
	if err != nil || !changed || !slices.Equal(got.Reactions, []model.Reaction{{Author: "alice", Emoji: "👍"}}) {
		t.Fatalf("SetReaction = %+v, %v, %v", got.Reactions, changed, err)
	}
	if n := s.Commits() - commits; n != 1 {
		t.Fatalf("a reaction took %d commits, want 1", n)
	}
	if _, changed, err := s.SetReaction(conv, m.ID, "alice", "👍"); changed || err != nil {
		t.Fatalf("the same reaction again: changed %v, %v", changed, err)
	}
	if _, _, err := s.SetReaction(conv, m.ID, "bob", "❤\ufe0f"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetReaction(conv, m.ID, "alice", "🎉"); err != nil {
		t.Fatal(err)
	}
	want := []model.Reaction{{Author: "alice", Emoji: "🎉"}, {Author: "bob", Emoji: "❤\ufe0f"}}
	if got, err := s.GetMessage(conv, m.ID); err != nil || !slices.Equal(got.Reactions, want) || got.Body != m.Body {
		t.Fatalf("GetMessage = %+v, %v; want reactions %v", got, err, want)
	}
	if _, _, err := s.SetReaction(conv, m.ID, "bob", "not an emoji"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a reaction that is no emoji: %v, want ErrInvalid", err)
	}
	if _, _, err := s.SetReaction(conv, model.NewMessageID(), "bob", "👍"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a reaction on a missing message: %v, want ErrNotFound", err)
	}
	if after, err := s.Conversation(conv); err != nil || after != before {
		t.Fatalf("the summary changed: %+v → %+v, %v", before, after, err)
	}
	s.Close()
	s = openTest(t, dir)
	page, err := s.LatestMessages(conv, 10)
	if err != nil || len(page) != 1 || !slices.Equal(page[0].Reactions, want) {
		t.Fatalf("after reopening: %+v, %v", page, err)
	}
	if got, _, err := s.SetReaction(conv, m.ID, "alice", ""); err != nil || !slices.Equal(got.Reactions, want[1:]) {
		t.Fatalf("removing: %+v, %v", got.Reactions, err)
	}

	// A disappearing message takes its reactions with it.
	d := msg(conv, "soon gone", t0)
	d.Outgoing, d.Status, d.Disappear, d.ExpiresAt = true, model.StatusDelivered, time.Minute, t0.Add(time.Minute)
	if d, err = s.AppendMessage(d); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetReaction(conv, d.ID, "bob", "👍"); err != nil {
		t.Fatal(err)
	}
	if gone, err := s.DeleteExpired(t0.Add(time.Minute)); err != nil || len(gone) != 1 {
		t.Fatalf("DeleteExpired = %v, %v", gone, err)
	}
	if _, _, err := s.SetReaction(conv, d.ID, "bob", "❤"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a reaction on a disappeared message: %v, want ErrNotFound", err)
	}
}

// TestMessagesBeforeReactions reads testdata/messages-v1.hex, message
// records written by the code before reactions (commit 1008836): a
// received text, an outgoing reply with a running timer, a failed group
// invite. Each decodes, and encoding it again gives the same bytes (the
// format of a message without reactions did not change).
func TestMessagesBeforeReactions(t *testing.T) {
	f, err := os.Open("testdata/messages-v1.hex")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	want := []model.Message{
		{ID: fixtureID(1), Author: "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx", Sent: t0, Received: t0.Add(time.Second), Body: "hello", Status: model.StatusReceived},
		{ID: fixtureID(2), Author: "me", Outgoing: true, Sent: t0, Received: t0, Body: "a reply", ReplyTo: fixtureID(1), Status: model.StatusDelivered, Disappear: time.Hour, ExpiresAt: t0.Add(time.Hour)},
		{ID: fixtureID(3), Kind: model.KindGroupInvite, Author: "me", Outgoing: true, Sent: t0, Received: t0, Body: "NOOK:G1:x", Status: model.StatusFailed, FailReason: "gone"},
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	i := 0
	for ; sc.Scan(); i++ {
		b, err := hex.DecodeString(sc.Text())
		if err != nil {
			t.Fatal(err)
		}
		m, err := decodeMessage("c", 1, b)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		w := want[i]
		w.Conversation, w.Seq = "c", 1
		if !messageEqual(m, w) {
			t.Fatalf("record %d = %+v, want %+v", i, m, w)
		}
		if !bytes.Equal(encodeMessage(m), b) {
			t.Fatalf("record %d encodes differently now", i)
		}
	}
	if i != len(want) {
		t.Fatalf("%d records, want %d", i, len(want))
	}
}

// TestReactionRecordsRefused checks that the message decoder refuses
// reactions it would not have written.
func TestReactionRecordsRefused(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	base := model.Message{ID: fixtureID(1), Author: "a", Sent: t0, Received: t0, Body: "x", Status: model.StatusReceived}
	with := func(rs ...model.Reaction) []byte {
		m := base
		m.Reactions = rs
		return encodeMessage(m)
	}
	good := with(model.Reaction{Author: "a", Emoji: "👍"})
	if _, err := decodeMessage("c", 1, good); err != nil {
		t.Fatal(err)
	}
	// The flags byte follows the version, the ID and the author.
	flagsAt := 1 + 16 + 1 + len(base.Author)
	unpadded := bytes.Clone(good)
	unpadded[flagsAt] &^= flagPadded
	for name, b := range map[string][]byte{
		"two by one author": with(model.Reaction{Author: "a", Emoji: "👍"}, model.Reaction{Author: "a", Emoji: "❤"}),
		"not an emoji":      with(model.Reaction{Author: "a", Emoji: "no"}),
		"empty emoji":       with(model.Reaction{Author: "a"}),
		"no author":         with(model.Reaction{Emoji: "👍"}),
		"unpadded":          unpadded,
	} {
		if _, err := decodeMessage("c", 1, b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

func messageEqual(a, b model.Message) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.Conversation == b.Conversation && a.Seq == b.Seq &&
		a.Author == b.Author && a.Outgoing == b.Outgoing && a.Sent.Equal(b.Sent) && a.Received.Equal(b.Received) &&
		a.Body == b.Body && a.ReplyTo == b.ReplyTo && a.Status == b.Status && a.FailReason == b.FailReason &&
		a.Disappear == b.Disappear && a.ExpiresAt.Equal(b.ExpiresAt) && slices.Equal(a.Reactions, b.Reactions)
}
