package group

import (
	"errors"

	"github.com/nookchat/nook/engine/identity"
)

// DefaultWindow is how many recent message IDs a Timeline remembers when
// TimelineOptions.Window is zero.
const DefaultWindow = 1024

// maxWaiting bounds the referenced-but-unseen IDs a Timeline watches for.
const maxWaiting = 1024

// TimelineOptions configure a Timeline.
type TimelineOptions struct {
	// Window is how many recent message IDs are kept (DefaultWindow if 0).
	Window int
	// Known, if set, is asked about IDs outside the window: whether the
	// message was delivered by the server before (the client answers from
	// its message store). Without it, IDs outside the window are unknown.
	Known func(MessageID) bool
}

// Stats counts what a Timeline has seen.
type Stats struct {
	Messages   uint64 // distinct messages observed
	Duplicates uint64 // replays dropped
	Rejected   uint64 // blobs with our tag that failed to open
}

// authorState is what a Timeline keeps per author.
type authorState struct {
	lastSeq uint64
	lastID  MessageID
	count   uint64
}

// Timeline follows one group's messages in the order the server delivers
// them and reports what that order reveals (see FindingKind). Its state
// persists through Save and LoadTimeline. It belongs to one goroutine.
type Timeline struct {
	known   func(MessageID) bool
	authors map[identity.Address]*authorState
	ring    []MessageID // recent IDs; ring[next] is the oldest once full
	next    int
	seen    map[MessageID]struct{} // the IDs in ring
	waiting map[MessageID]MessageID
	head    MessageID
	stats   Stats

	dirtyAuthors map[identity.Address]struct{}
	dirtySlots   map[int]struct{}
	dirtyMeta    bool
}

// NewTimeline returns an empty timeline.
func NewTimeline(opts TimelineOptions) *Timeline {
	w := opts.Window
	if w <= 0 {
		w = DefaultWindow
	}
	return &Timeline{
		known:        opts.Known,
		authors:      map[identity.Address]*authorState{},
		ring:         make([]MessageID, 0, w),
		seen:         make(map[MessageID]struct{}, w),
		waiting:      map[MessageID]MessageID{},
		dirtyAuthors: map[identity.Address]struct{}{},
		dirtySlots:   map[int]struct{}{},
	}
}

// Head returns the last new message observed: what a member posting now
// has "seen last" (Message.Prev).
func (t *Timeline) Head() MessageID { return t.head }

// Stats returns the counts so far.
func (t *Timeline) Stats() Stats { return t.stats }

// LastSeq returns the highest sequence number observed from author.
func (t *Timeline) LastSeq(author identity.Address) uint64 {
	if a := t.authors[author]; a != nil {
		return a.lastSeq
	}
	return 0
}

// Authors returns every author observed, with the number of their messages
// (join and leave notices not counted; an author seen only by a notice has
// 0).
func (t *Timeline) Authors() map[identity.Address]uint64 {
	out := make(map[identity.Address]uint64, len(t.authors))
	for addr, a := range t.authors {
		out[addr] = a.count
	}
	return out
}

// Seen reports whether id was observed (in the window, or per Known).
func (t *Timeline) Seen(id MessageID) bool {
	if _, ok := t.seen[id]; ok {
		return true
	}
	return t.known != nil && t.known(id)
}

// Observe consumes the next opened message in server order. It reports
// dup for a message observed before (a replay: drop it; it is counted in
// Stats, not reported), and otherwise the findings it raises, if any.
func (t *Timeline) Observe(m *Message) (dup bool, findings []Finding) {
	a := t.authors[m.Author]
	// An author's last message is a duplicate even once it left the
	// window: messages the client does not store (leave notices, unknown
	// kinds) are not Known, and a replay of one must not read as the
	// author signing two messages with one number.
	if t.Seen(m.ID) || a != nil && a.lastSeq == m.Seq && a.lastID == m.ID {
		t.stats.Duplicates++
		t.dirtyMeta = true
		return true, nil
	}
	f := Finding{Author: m.Author, Message: m.ID, Seq: m.Seq}
	start := a == nil
	if a != nil {
		f.Last = a.lastSeq
	}
	switch {
	case a == nil && m.Seq > 1:
		f.Kind, f.Missing, f.Start = FindingGap, m.Seq-1, true
	case a == nil, m.Seq == a.lastSeq+1:
	case m.Seq > a.lastSeq+1:
		f.Kind, f.Missing = FindingGap, m.Seq-a.lastSeq-1
	case m.Seq == a.lastSeq:
		f.Kind = FindingEquivocation
	default:
		f.Kind = FindingReordered
	}
	if f.Kind != 0 {
		findings = append(findings, f)
	}
	if a == nil {
		a = &authorState{}
		t.authors[m.Author] = a
	}
	if m.Seq > a.lastSeq {
		a.lastSeq, a.lastID = m.Seq, m.ID
	}
	if !m.Kind.Notice() && m.Kind != KindKnownTo {
		a.count++ // a join or leave notice, or contact tags, is not a message they wrote
	}
	t.dirtyAuthors[m.Author] = struct{}{}

	if !m.Prev.IsZero() && m.Prev != m.ID && !t.Seen(m.Prev) {
		findings = append(findings, Finding{Kind: FindingUnknownRef, Author: m.Author, Message: m.ID,
			Ref: m.Prev, Seq: m.Seq, Start: start})
		if len(t.waiting) >= maxWaiting {
			for k := range t.waiting {
				delete(t.waiting, k)
				break
			}
		}
		t.waiting[m.Prev] = m.ID
	}
	if referrer, ok := t.waiting[m.ID]; ok {
		delete(t.waiting, m.ID)
		findings = append(findings, Finding{Kind: FindingLate, Author: m.Author, Message: m.ID,
			Ref: referrer, Seq: m.Seq})
	}
	t.remember(m.ID)
	t.head = m.ID
	t.stats.Messages++
	t.dirtyMeta = true
	return false, findings
}

// Reject records a blob that carried the group's tag but failed to open
// (err from Open) and returns the finding to report: FindingUnreadable for
// a newer layout version, FindingInjected otherwise.
func (t *Timeline) Reject(err error) Finding {
	t.stats.Rejected++
	t.dirtyMeta = true
	if errors.Is(err, ErrVersion) {
		return Finding{Kind: FindingUnreadable, Err: err}
	}
	return Finding{Kind: FindingInjected, Err: err}
}

func (t *Timeline) remember(id MessageID) {
	slot := t.next
	if len(t.ring) < cap(t.ring) {
		t.ring = append(t.ring, id)
	} else {
		delete(t.seen, t.ring[slot])
		t.ring[slot] = id
	}
	t.next = (slot + 1) % cap(t.ring)
	t.seen[id] = struct{}{}
	t.dirtySlots[slot] = struct{}{}
}
