package group

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/nookchat/nook/engine/identity"
)

// chain makes opened messages as a member's client would write them.
type chain struct {
	t    *testing.T
	g    *Group
	id   *identity.Identity
	seq  uint64
	prev MessageID
}

func (c *chain) next(text string) *Message {
	c.seq++
	m := &Message{Seq: c.seq, Sent: t0, Kind: KindText, Text: text, Prev: c.prev}
	if _, err := c.g.Seal(nil, c.id, m); err != nil {
		c.t.Fatal(err)
	}
	c.prev = m.ID
	return m
}

func kinds(fs []Finding) []FindingKind {
	var out []FindingKind
	for _, f := range fs {
		out = append(out, f.Kind)
	}
	return out
}

func TestTimelineHonestOrder(t *testing.T) {
	g := testGroup(t, "g")
	a := &chain{t: t, g: g, id: testIdentity(t, "a")}
	b := &chain{t: t, g: g, id: testIdentity(t, "b")}
	tl := NewTimeline(TimelineOptions{})
	for i := range 20 {
		w := a
		if i%3 == 0 {
			w = b
		}
		m := w.next(fmt.Sprint(i))
		// Both see each other's messages: prev is the shared head.
		a.prev, b.prev = m.ID, m.ID
		if dup, fs := tl.Observe(m); dup || len(fs) != 0 {
			t.Fatalf("message %d: dup %v, findings %v", i, dup, fs)
		}
	}
	if s := tl.Stats(); s.Messages != 20 || s.Duplicates != 0 {
		t.Fatalf("stats %+v", s)
	}
	if tl.LastSeq(a.id.Address()) != a.seq || len(tl.Authors()) != 2 {
		t.Fatal("authors not tracked")
	}
}

func TestTimelineFindings(t *testing.T) {
	g := testGroup(t, "g")
	a := &chain{t: t, g: g, id: testIdentity(t, "a")}
	b := &chain{t: t, g: g, id: testIdentity(t, "b")}
	m := make([]*Message, 6)
	for i := range m {
		m[i] = a.next(fmt.Sprint(i))
	}
	check := func(name string, tl *Timeline, msg *Message, wantDup bool, want ...FindingKind) {
		t.Helper()
		dup, fs := tl.Observe(msg)
		if dup != wantDup || !slices.Equal(kinds(fs), want) {
			t.Errorf("%s: dup %v findings %v, want dup %v findings %v", name, dup, kinds(fs), wantDup, want)
		}
		for _, f := range fs {
			if f.String() == "" || f.Author != msg.Author {
				t.Errorf("%s: finding %+v", name, f)
			}
		}
	}

	tl := NewTimeline(TimelineOptions{})
	check("first", tl, m[0], false)
	check("replay", tl, m[0], true)
	// m[1] dropped: m[2] skips a sequence number and refers to a message
	// never seen.
	check("drop", tl, m[2], false, FindingGap, FindingUnknownRef)
	// m[1] delivered late: the sequence goes backwards, and it is the
	// message m[2] referred to.
	check("late", tl, m[1], false, FindingReordered, FindingLate)
	check("in order again", tl, m[3], false)
	if tl.Stats().Duplicates != 1 {
		t.Errorf("duplicates %d", tl.Stats().Duplicates)
	}

	// A new member's first view starts at seq 5 with an unseen reference:
	// findings marked Start.
	tl2 := NewTimeline(TimelineOptions{})
	dup, fs := tl2.Observe(m[5])
	if dup || !slices.Equal(kinds(fs), []FindingKind{FindingGap, FindingUnknownRef}) || !fs[0].Start || !fs[1].Start || fs[0].Missing != 5 {
		t.Errorf("joined late: %+v", fs)
	}

	// Equivocation: a second message with the same author and seq.
	tl3 := NewTimeline(TimelineOptions{})
	check("b1", tl3, b.next("one"), false)
	b.seq--
	b.prev = MessageID{}
	check("b1 again, other text", tl3, b.next("two"), false, FindingEquivocation)

	// Injected blobs.
	if f := tl3.Reject(fmt.Errorf("x: %w", ErrTampered)); f.Kind != FindingInjected || !errors.Is(f.Err, ErrTampered) || f.String() == "" {
		t.Errorf("Reject: %+v", f)
	}
	if f := tl3.Reject(ErrVersion); f.Kind != FindingUnreadable {
		t.Errorf("Reject(ErrVersion): %+v", f)
	}
	if tl3.Stats().Rejected != 2 {
		t.Errorf("rejected %d", tl3.Stats().Rejected)
	}
}

// TestTimelineWindowAndKnown: IDs beyond the window are answered by Known.
func TestTimelineWindowAndKnown(t *testing.T) {
	g := testGroup(t, "g")
	a := &chain{t: t, g: g, id: testIdentity(t, "a")}
	stored := map[MessageID]bool{}
	tl := NewTimeline(TimelineOptions{Window: 4, Known: func(id MessageID) bool { return stored[id] }})
	var ms []*Message
	for i := range 10 {
		m := a.next(fmt.Sprint(i))
		ms = append(ms, m)
		if dup, fs := tl.Observe(m); dup || len(fs) != 0 {
			t.Fatalf("%d: %v %v", i, dup, fs)
		}
		stored[m.ID] = true
	}
	if dup, _ := tl.Observe(ms[0]); !dup {
		t.Error("old replay beyond the window not recognised through Known")
	}
	delete(stored, ms[0].ID)
	if dup, fs := tl.Observe(ms[0]); dup || !slices.Equal(kinds(fs), []FindingKind{FindingReordered}) {
		t.Errorf("without Known: %v %v", dup, kinds(fs))
	}
}

// memBucket is a map with the Putter and Iterator methods.
type memBucket map[string][]byte

func (b memBucket) Put(k, v []byte) error { b[string(k)] = append([]byte(nil), v...); return nil }

func (b memBucket) Iterate(prefix []byte, fn func(k, v []byte) error) error {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn([]byte(k), b[k]); err != nil {
			return err
		}
	}
	return nil
}

func TestTimelinePersistence(t *testing.T) {
	g := testGroup(t, "g")
	a := &chain{t: t, g: g, id: testIdentity(t, "a")}
	b := &chain{t: t, g: g, id: testIdentity(t, "b")}
	bucket := memBucket{}
	const window = 8
	tl := NewTimeline(TimelineOptions{Window: window})
	var all []*Message
	for i := range 13 { // wraps the ring
		w := a
		if i%2 == 1 {
			w = b
		}
		m := w.next(fmt.Sprint(i))
		all = append(all, m)
		tl.Observe(m)
		if err := tl.Save(bucket); err != nil {
			t.Fatal(err)
		}
		tl.Saved()
	}
	tl.Observe(all[3]) // an old one, beyond the window: counted as new (reordered)
	tl.Reject(ErrTampered)
	tl.Save(bucket)
	tl.Saved()

	re, err := LoadTimeline(bucket, TimelineOptions{Window: window})
	if err != nil {
		t.Fatal(err)
	}
	if re.Stats() != tl.Stats() || re.Head() != tl.Head() {
		t.Fatalf("stats %+v head %v, want %+v %v", re.Stats(), re.Head(), tl.Stats(), tl.Head())
	}
	for _, w := range []*chain{a, b} {
		if re.LastSeq(w.id.Address()) != w.seq {
			t.Errorf("last seq %d, want %d", re.LastSeq(w.id.Address()), w.seq)
		}
	}
	for i, m := range all {
		if re.Seen(m.ID) != tl.Seen(m.ID) {
			t.Errorf("message %d: seen %v after load, %v before", i, re.Seen(m.ID), tl.Seen(m.ID))
		}
	}
	// Continues where it stopped, and saves and loads again.
	if dup, fs := re.Observe(a.next("more")); dup || len(fs) != 0 {
		t.Fatalf("after load: %v %v", dup, fs)
	}
	re.Save(bucket)
	re.Saved()
	again, err := LoadTimeline(bucket, TimelineOptions{Window: window})
	if err != nil {
		t.Fatal(err)
	}
	if again.Head() != re.Head() || !again.Seen(re.Head()) || again.Stats() != re.Stats() {
		t.Fatal("second load lost state")
	}

	bucket["m"] = []byte{9}
	if _, err := LoadTimeline(bucket, TimelineOptions{}); !errors.Is(err, ErrState) {
		t.Errorf("damaged state: %v", err)
	}
}
