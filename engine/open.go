package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

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
	sweep  *sweeper // deletes disappearing messages when due
	unread *store.Bucket
	// unreadMu serialises changes of the unread counts.
	unreadMu sync.Mutex

	// secretsMu guards secrets, our outstanding one-time invite secrets.
	secretsMu sync.Mutex
	secrets   *invite.SecretSet

	// mu guards prefs.
	mu    sync.Mutex
	prefs Settings
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
func (e *Engine) start(ctx context.Context, p *profile.Profile) (*openProfile, error) {
	st, id := p.Store(), p.Identity()
	prefs, err := loadSettings(st)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	op := &openProfile{e: e, prof: p, id: id, st: st, prefs: prefs, unread: st.Bucket("unread")}
	if err := op.loadSecrets(); err != nil {
		return nil, fmt.Errorf("read invite secrets: %w", err)
	}
	if err := op.migrateVerified(); err != nil {
		return nil, fmt.Errorf("update verified contacts: %w", err)
	}
	pc := peer.Config{
		Identity:     id,
		Store:        st,
		Transport:    e.transport(),
		DisplayName:  op.displayName,
		BlockUnknown: func() bool { return op.settings().BlockUnknown },
		Emit:         op.onPeerEvent,
		ProofFor:     op.proofFor,
		CheckProof:   op.checkProof,
		CheckConfirm: op.checkConfirm,
		Now:          e.cfg.Now,
		Logger:       e.cfg.Logger,
		MinBackoff:   e.cfg.PeerBackoff[0],
		MaxBackoff:   e.cfg.PeerBackoff[1],
	}
	op.peers = peer.New(pc)
	op.sweep = startSweeper(op)
	started := false
	defer func() {
		if !started {
			op.sweep.close()
		}
	}()
	groups, err := groupclient.New(groupclient.Config{
		Store:     st,
		Transport: e.transport(),
		Self:      id,
		Name:      op.displayName,
		Emit:      op.onPeerEvent,
		Now:       e.cfg.Now,
	})
	if err != nil {
		return nil, err
	}
	op.groups = groups
	if err := op.peers.Start(ctx); err != nil {
		return nil, err
	}
	if err := op.groups.Start(ctx); err != nil {
		op.peers.Close()
		return nil, err
	}
	started = true
	return op, nil
}

// stop stops the profile's runtime (the sweeper, groups and peers) but
// leaves the profile open.
func (op *openProfile) stop() error {
	op.sweep.close()
	return errors.Join(op.groups.Close(), op.peers.Close())
}

// close stops the runtime and locks the profile.
func (op *openProfile) close() error {
	return errors.Join(op.stop(), op.prof.Close())
}

// onPeerEvent keeps the unread counts and forwards the event.
func (op *openProfile) onPeerEvent(ev model.Event) {
	if m, ok := ev.(model.MessageAdded); ok && !m.Message.ExpiresAt.IsZero() {
		op.sweep.poke()
	}
	if m, ok := ev.(model.MessageAdded); ok && !m.Message.Outgoing {
		n, err := op.addUnread(m.Message.Conversation, 1)
		if err == nil {
			defer op.e.emit(model.UnreadChanged{Conversation: m.Message.Conversation, Unread: n})
		}
	}
	op.e.emit(ev)
}

// addUnread adds delta to a conversation's unread count (reset when delta
// is negative) and returns the new count.
func (op *openProfile) addUnread(conv model.ConversationID, delta int) (int, error) {
	op.unreadMu.Lock()
	defer op.unreadMu.Unlock()
	var n int
	err := op.unread.Update(func(tx *store.BucketTx) error {
		v, err := tx.Get([]byte(conv))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if len(v) == 8 {
			n = int(binary.BigEndian.Uint64(v))
		}
		if delta < 0 {
			n = 0
		} else {
			n += delta
		}
		return tx.Put([]byte(conv), binary.BigEndian.AppendUint64(nil, uint64(n)))
	})
	return n, err
}

// Unread returns how many incoming messages of a conversation are unread.
func (e *Engine) Unread(conv model.ConversationID) (int, error) {
	op, err := e.current()
	if err != nil {
		return 0, err
	}
	v, err := op.unread.Get([]byte(conv))
	if errors.Is(err, store.ErrNotFound) || len(v) != 8 {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint64(v)), nil
}

// MarkRead marks every message of a conversation read.
func (e *Engine) MarkRead(conv model.ConversationID) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	if _, err := op.addUnread(conv, -1); err != nil {
		return err
	}
	e.emit(model.UnreadChanged{Conversation: conv})
	// Seen now: the timers of its disappearing messages start.
	if n, err := op.st.StartTimers(conv, e.cfg.Now()); err != nil {
		return err
	} else if n > 0 {
		op.sweep.poke()
	}
	return nil
}
