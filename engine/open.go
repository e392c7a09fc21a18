package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/nookchat/nook/engine/files/transfer"
	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/peer"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/store"
)

// openProfile is an unlocked profile: its database, identity and the
// running peer manager.
type openProfile struct {
	e      *Engine
	prof   *profile.Profile
	id     *identity.Identity
	st     *store.Store
	peers  *peer.Manager
	groups *groupclient.Client
	files  *transfer.Transfers
	// gfiles runs files in groups: file services and fetches.
	gfiles *groupFiles
	sweep  *sweeper  // deletes disappearing messages when due
	notify *notifier // reports conversations that changed

	// secretsMu guards secrets, our outstanding one-time invite secrets.
	secretsMu sync.Mutex
	secrets   *invite.SecretSet

	// mu guards prefs.
	mu    sync.Mutex
	prefs Settings

	// joinMu is held by a join from the check of whether the profile is
	// in the group (rejoin) to the join's end, so that a second join of
	// the same group (an invite accepted twice at once) never forgets
	// the files of the membership the first one began.
	joinMu sync.Mutex
	// joinWaits and joinChecked, when set (tests), run when a join waits
	// for another to end, and when rejoin found the profile not in the
	// group, before it forgets the group's files.
	joinWaits, joinChecked func()

	// setMu is held by SetSettings while it stores and applies.
	setMu sync.Mutex
	// settingsWait and settingsStored, when set (tests), run when
	// SetSettings waits for another call to end, and once it stored the
	// settings, before it applies them.
	settingsWait, settingsStored func()
}

// displayName is the name this profile advertises. A name stored by an
// older version of Nook may hold characters names may no longer hold
// (model.ForbiddenInName); they are left out, so that records and invites
// carrying it are still valid.
func (op *openProfile) displayName() string { return model.CleanName(op.prof.DisplayName()) }

func (op *openProfile) settings() Settings {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.prefs
}

// start opens the profile's runtime over an unlocked store: it loads the
// settings and starts the peer manager (publishing the onion service).
func (e *Engine) start(p *profile.Profile) (*openProfile, error) {
	st, id := p.Store(), p.Identity()
	prefs, err := loadSettings(st)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	op := &openProfile{e: e, prof: p, id: id, st: st, prefs: prefs}
	if err := adoptLegacyUnread(st); err != nil {
		return nil, fmt.Errorf("read unread counts: %w", err)
	}
	if err := op.loadSecrets(); err != nil {
		return nil, fmt.Errorf("read invite secrets: %w", err)
	}
	if err := op.migrateVerified(); err != nil {
		return nil, fmt.Errorf("update verified contacts: %w", err)
	}
	op.files = transfer.New(transfer.Config{
		Store:      st,
		Dir:        p.Info().Dir,
		Emit:       op.onPeerEvent,
		MaxSize:    op.fileLimit,
		AutoAccept: op.autoAccept,
		Wake: func(conv model.ConversationID) {
			if _, ok := group.ParseConversation(conv); ok {
				op.gfiles.wake(conv)
			} else if addr, err := contactOf(conv); err == nil && op.peers != nil {
				op.peers.Wake(addr)
			}
		},
		ServeFetched: func() bool { return op.settings().ServeFetchedFiles },
		Logger:       e.cfg.Logger,
	})
	if err := op.sweepFiles(); err != nil {
		return nil, fmt.Errorf("read file transfers: %w", err)
	}
	op.gfiles = newGroupFiles(op)
	pc := peer.Config{
		Identity:     id,
		Store:        st,
		Transport:    e.transport(),
		DisplayName:  op.displayName,
		BlockUnknown: func() bool { return op.settings().BlockUnknown },
		ExpectingInvite: func() bool {
			op.secretsMu.Lock()
			defer op.secretsMu.Unlock()
			return op.secrets.Len() > 0
		},
		Emit:         op.onPeerEvent,
		ProofFor:     op.proofFor,
		CheckProof:   op.checkProof,
		CheckConfirm: op.checkConfirm,
		Now:          e.cfg.Now,
		Logger:       e.cfg.Logger,
		MinBackoff:   e.cfg.PeerBackoff[0],
		MaxBackoff:   e.cfg.PeerBackoff[1],
		Files:        filesPeer{op.files},
	}
	op.peers = peer.New(pc)
	op.sweep = startSweeper(op)
	op.notify = startNotifier(op)
	started := false
	defer func() {
		if !started {
			op.sweep.close()
			op.notify.close()
		}
	}()
	groups, err := groupclient.New(groupclient.Config{
		Store:     st,
		Transport: e.transport(),
		Self:      id,
		Name:      op.displayName,
		Emit:      op.onPeerEvent,
		Now:       e.cfg.Now,
		Contacts: func() []identity.Address {
			cs, err := st.Contacts()
			if err != nil {
				return nil
			}
			var out []identity.Address
			for _, c := range cs {
				if c.State == model.ContactAccepted || c.State == model.ContactBlocked {
					out = append(out, identity.Address(c.Address))
				}
			}
			return out
		},
		Blocked: func(a identity.Address) bool {
			c, err := st.GetContact(string(a))
			return err == nil && c.State == model.ContactBlocked
		},
		FileOffered: op.gfiles.offered,
		FileHolder:  op.gfiles.holder,
	})
	if err != nil {
		return nil, err
	}
	op.groups = groups
	if err := op.peers.Start(); err != nil {
		return nil, err
	}
	if err := op.groups.Start(); err != nil {
		op.peers.Close()
		return nil, err
	}
	if err := op.gfiles.start(); err != nil {
		op.gfiles.close()
		op.groups.Close()
		op.peers.Close()
		return nil, fmt.Errorf("read group files: %w", err)
	}
	started = true
	return op, nil
}

// stop stops the profile's runtime (the sweeper, groups and peers) but
// leaves the profile open.
func (op *openProfile) stop() error {
	op.sweep.close()
	op.gfiles.close()
	err := errors.Join(op.groups.Close(), op.peers.Close())
	op.notify.close()
	return err
}

// close stops the runtime and locks the profile.
func (op *openProfile) close() error {
	return errors.Join(op.stop(), op.prof.Close())
}

// onPeerEvent forwards an event of the peer manager or the group client,
// followed for an incoming message by the conversation's unread count,
// which the store counted in the transaction that stored the message. It
// writes nothing: it runs in the emitter's goroutine (inside the group
// client's lock during a catch-up).
func (op *openProfile) onPeerEvent(ev model.Event) {
	m, ok := ev.(model.MessageAdded)
	if ok && !m.Message.ExpiresAt.IsZero() {
		op.sweep.poke()
	}
	if gl, left := ev.(model.GroupLeft); left && op.gfiles != nil {
		op.gfiles.leave(gl.Conversation) // its file service stops before GroupLeft is told
	}
	op.e.emit(ev)
	if cc, isContact := ev.(model.ContactChanged); isContact && cc.Contact.State == model.ContactAccepted && op.groups != nil {
		// Tell the new contact which member the profile is in its groups
		// (docs/groups.md, "Per-group identities"); a failure is retried
		// at the contact's next change.
		_ = op.groups.ContactAccepted(identity.Address(cc.Contact.Address))
	}
	if ok && !m.Message.Outgoing {
		if info, err := op.st.Conversation(m.Message.Conversation); err == nil {
			op.e.emit(model.UnreadChanged{Conversation: m.Message.Conversation, Unread: int(info.Unread)})
		}
	}
	if conv, ok := conversationOf(ev); ok {
		op.notify.changed(conv)
	}
}

// legacyUnreadBucket is where the engine kept unread counts (8 bytes,
// big-endian, per conversation) before the store kept them in each
// conversation's summary.
const legacyUnreadBucket = "unread"

// adoptLegacyUnread moves the counts of the legacy bucket into the
// conversations' summaries, one transaction per conversation (each moves
// its count and deletes the bucket entry, so an interrupted move resumes).
func adoptLegacyUnread(st *store.Store) error {
	type entry struct {
		conv model.ConversationID
		n    uint64
	}
	var old []entry
	err := st.Bucket(legacyUnreadBucket).Iterate(nil, func(k, v []byte) error {
		e := entry{conv: model.ConversationID(k)}
		if len(v) == 8 {
			e.n = binary.BigEndian.Uint64(v)
		}
		old = append(old, e)
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range old {
		err := st.Update(func(tx *store.Tx) error {
			if e.n > 0 {
				if err := tx.SetUnread(e.conv, e.n); err != nil {
					return err
				}
			}
			return tx.Bucket(legacyUnreadBucket).Delete([]byte(e.conv))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Unread returns how many incoming messages of a conversation are unread.
//
// Deprecated: use Conversation (its Unread) or the conversation events.
func (e *Engine) Unread(conv model.ConversationID) (int, error) {
	op, err := e.current()
	if err != nil {
		return 0, err
	}
	info, err := op.st.Conversation(conv)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return int(info.Unread), err
}

// MarkRead marks every message of a conversation read: its unread count
// goes to zero and the timers of its disappearing messages start.
func (e *Engine) MarkRead(conv model.ConversationID) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	if changed, err := op.st.MarkRead(conv); err != nil {
		return err
	} else if changed {
		e.emit(model.UnreadChanged{Conversation: conv})
		op.notify.changed(conv)
	}
	// Seen now: the timers of its disappearing messages start.
	if n, err := op.st.StartTimers(conv, e.cfg.Now()); err != nil {
		return err
	} else if n > 0 {
		op.sweep.poke()
	}
	return nil
}
