package engine

import (
	"crypto/rand"
	"math/big"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// When a member that fetched a group file tells the group it holds it
// (docs/files.md §8, "Holder notes"): after a random delay, not at the
// end of the fetch, so that the member who served the fetch cannot pair
// the two; and not at all when enough members are known to hold it.
const (
	HolderDelayMin = 15 * time.Minute
	HolderDelayMax = 4 * time.Hour
	// HolderEnough is how many sources of a file (the author and the
	// members whose notes arrived, one source per member) make a holder
	// note unnecessary.
	HolderEnough = 4
)

// HolderNoteConfig tunes holder notes; the zero value is production's.
type HolderNoteConfig struct {
	// Delay returns how long a holder note waits, drawn afresh for each
	// note and at each unlock for a note still due (nil: holderDelay,
	// uniform between HolderDelayMin and HolderDelayMax).
	Delay func() time.Duration
	// AfterFunc runs f after d and returns a function that stops it
	// (nil: time.AfterFunc). Tests inject their clock here.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	// Enough is the number of known sources at which no note is posted
	// (≤ 0: HolderEnough).
	Enough int
}

// holderDelay draws a holder note's delay, uniform between
// HolderDelayMin and HolderDelayMax, from crypto/rand.
func holderDelay() time.Duration {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(HolderDelayMax-HolderDelayMin)+1))
	if err != nil {
		return HolderDelayMax
	}
	return HolderDelayMin + time.Duration(n.Int64())
}

func (c HolderNoteConfig) delay() time.Duration {
	if c.Delay != nil {
		return c.Delay()
	}
	return holderDelay()
}

func (c HolderNoteConfig) after(d time.Duration, f func()) func() bool {
	if c.AfterFunc != nil {
		return c.AfterFunc(d, f)
	}
	return time.AfterFunc(d, f).Stop
}

func (c HolderNoteConfig) enough() int {
	if c.Enough > 0 {
		return c.Enough
	}
	return HolderEnough
}

func (g *groupFiles) holders() HolderNoteConfig { return g.op.e.cfg.HolderNotes }

// armDue arms the holder notes still due in the groups of member, unless
// the profile does not serve what it fetched.
func (g *groupFiles) armDue(member map[model.ConversationID]bool) error {
	if !g.serveFetched() {
		return nil
	}
	due, err := g.op.files.HolderDue()
	if err != nil {
		return err
	}
	for conv, ids := range due {
		if !member[conv] {
			continue
		}
		for _, id := range ids {
			g.scheduleHolder(conv, id)
		}
	}
	return nil
}

// scheduleHolder arms the holder note of a file held whole, after a
// delay drawn afresh (HolderNoteConfig): not tied to the end of the
// fetch, and, for a note still due at unlock, not to the unlock's
// time either.
func (g *groupFiles) scheduleHolder(conv model.ConversationID, id model.MessageID) {
	ref := fileRef{conv, id}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.left[conv] || g.notes[ref] != nil {
		return
	}
	cfg := g.holders()
	g.notes[ref] = cfg.after(cfg.delay(), func() {
		g.mu.Lock()
		if g.closed || g.notes[ref] == nil {
			g.mu.Unlock()
			return
		}
		delete(g.notes, ref)
		g.wg.Add(1)
		g.mu.Unlock()
		defer g.wg.Done()
		g.postHolder(conv, id)
	})
}

// postHolder tells the group that the profile holds a file whole, unless
// enough members are known to hold it already (the sources kept one per
// member: transfer.AddSource); either way the note is settled and not
// due again. Nothing is posted or settled while the profile does not
// serve what it fetched (Settings.ServeFetchedFiles): the setting is
// read again under noteMu right before posting, which servingChanged
// holds while it turns serving off.
func (g *groupFiles) postHolder(conv model.ConversationID, id model.MessageID) {
	gid, ok := group.ParseConversation(conv)
	g.mu.Lock()
	gone := g.left[conv]
	g.mu.Unlock()
	if !ok || gone || !g.serveFetched() {
		return
	}
	if g.beforePost != nil {
		g.beforePost()
	}
	g.noteMu.Lock()
	defer g.noteMu.Unlock()
	g.mu.Lock()
	gone = g.left[conv]
	g.mu.Unlock()
	if gone || !g.serveFetched() {
		return
	}
	ft, err := g.op.files.File(conv, id)
	if err != nil || ft.Outgoing || ft.State != model.FileComplete {
		return // deleted meanwhile
	}
	srcs, err := g.op.files.Sources(conv, id)
	if err != nil {
		g.op.e.cfg.Logger.Warn("reading a group file's sources failed", "err", err)
		return
	}
	if len(srcs) < g.holders().enough() {
		svc, err := g.op.files.ServiceIdentity(conv)
		if err != nil {
			g.op.e.cfg.Logger.Warn("a group's file service has no key", "err", err)
			return
		}
		if err := g.op.groups.PostHolder(gid, id, svc.Address()); err != nil {
			if g.ctx.Err() == nil {
				g.op.e.cfg.Logger.Warn("telling a group that a file is here failed", "err", err)
			}
			return
		}
	}
	if err := g.op.files.SettleHolder(conv, id); err != nil {
		g.op.e.cfg.Logger.Warn("recording a holder note failed", "err", err)
	}
}

// holder records a member's holder note: a source of a file, replacing
// the one the member named before.
func (g *groupFiles) holder(conv model.ConversationID, offer model.MessageID, author, source identity.Address) {
	added, err := g.op.files.AddSource(conv, offer, author, source)
	if err != nil {
		g.op.e.cfg.Logger.Warn("recording a group file's source failed", "err", err)
		return
	}
	ft, err := g.op.files.File(conv, offer)
	if !added || err != nil {
		return
	}
	// Reported again: one more member has it.
	g.op.onPeerEvent(model.FileChanged{File: ft})
	if ft.State == model.FileTransferring {
		g.fetch(conv, offer)
	}
}
