package transfer

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// What the profile keeps about its groups' files beside the file records:
// each file's sources, its own file service's seed per group, the holder
// notes settled, and how a group left is forgotten (ForgetGroup,
// SweepGroups).

// sourcesKey holds the sources of a group file: the author's file service,
// then each member's whose holder note arrived (32-byte public keys).
func sourcesKey(conv model.ConversationID, id model.MessageID) []byte {
	k := recordKey(conv, id)
	k[0] = 's'
	return k
}

// serviceKey holds the seed of the profile's file service in a group.
func serviceKey(conv model.ConversationID) []byte {
	k := convPrefix(conv)
	k[0] = 'k'
	return k
}

// holderKey marks a group file received whole whose holder note is
// settled: posted, or left out because enough members were known to
// hold it (docs/files.md §8). Its value is empty.
func holderKey(conv model.ConversationID, id model.MessageID) []byte {
	k := recordKey(conv, id)
	k[0] = 'h'
	return k
}

// maxSources bounds the sources kept per file: one per member who told of
// one (the author's announcement, each holder note's author).
const maxSources = 64

// sourcesVersion is the layout of the sources record this version
// writes: version ‖ n × (author [32] ‖ source [32]), the author being the
// member (per-group key) whose announcement or holder note named the
// source. The layout before it, n × source [32] with no author, is read
// as sources of unknown authors, each counted as one; its length is a
// multiple of 32, which a versioned record's never is.
const sourcesVersion = 2

// source is a group file's source and the member who named it.
type source struct {
	author, addr [32]byte
}

// decodeSources reads a sources record of either layout.
func decodeSources(v []byte) ([]source, error) {
	var out []source
	switch {
	case len(v)%32 == 0: // before authors were kept
		for i := 0; i < len(v); i += 32 {
			var s source
			copy(s.addr[:], v[i:i+32])
			out = append(out, s)
		}
	case v[0] == sourcesVersion && (len(v)-1)%64 == 0:
		for i := 1; i < len(v); i += 64 {
			var s source
			copy(s.author[:], v[i:i+32])
			copy(s.addr[:], v[i+32:i+64])
			out = append(out, s)
		}
	default:
		return nil, fmt.Errorf("file transfer: a group file's sources: %w", errCorrupt)
	}
	return out, nil
}

func encodeSources(srcs []source) []byte {
	b := []byte{sourcesVersion}
	for _, s := range srcs {
		b = append(append(b, s.author[:]...), s.addr[:]...)
	}
	return b
}

// AddSource records a source of a group file named by a member, author
// (the author's file service from the announcement, or a member's from
// its holder note), after those known; it reports whether the sources
// changed. A member names at most one source per file: a later note of
// theirs replaces their earlier one, so that one member cannot fill the
// list with invented addresses (docs/files.md §8). A holder note that
// arrives before its announcement is kept all the same.
func (t *Transfers) AddSource(conv model.ConversationID, id model.MessageID, author, addr identity.Address) (bool, error) {
	pub, who := addr.PublicKey(), author.PublicKey()
	if len(pub) != 32 || len(who) != 32 {
		return false, fmt.Errorf("file transfer: %w: a source or member that is no onion address", protocol.ErrInvalid)
	}
	var s source
	copy(s.addr[:], pub)
	copy(s.author[:], who)
	t.mu.Lock()
	defer t.mu.Unlock()
	v, err := t.b.Get(sourcesKey(conv, id))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	srcs, err := decodeSources(v)
	if err != nil {
		return false, err
	}
	if i := slices.IndexFunc(srcs, func(x source) bool { return x.author == s.author }); i >= 0 {
		if srcs[i].addr == s.addr {
			return false, nil
		}
		srcs = slices.Delete(srcs, i, i+1)
	}
	if slices.ContainsFunc(srcs, func(x source) bool { return x.addr == s.addr }) {
		// Another member named it first: the source stays theirs.
		return false, t.b.Put(sourcesKey(conv, id), encodeSources(srcs))
	}
	if len(srcs) >= maxSources {
		return false, nil
	}
	return true, t.b.Put(sourcesKey(conv, id), encodeSources(append(srcs, s)))
}

// Sources returns the sources of a group file, in the order they came:
// one per member who named one.
func (t *Transfers) Sources(conv model.ConversationID, id model.MessageID) ([]identity.Address, error) {
	v, err := t.b.Get(sourcesKey(conv, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	srcs, err := decodeSources(v)
	if err != nil {
		return nil, err
	}
	var out []identity.Address
	for _, s := range srcs {
		out = append(out, identity.AddressFromPublicKey(s.addr[:]))
	}
	return out, nil
}

// Rename moves a group file's record and sources from the ID it was
// imported under to the ID of its announcement (a group message's ID is
// known only once it is sealed, after the file was read).
func (t *Transfers) Rename(conv model.ConversationID, from, to model.MessageID) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, err := t.b.Get(recordKey(conv, from))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		return err
	}
	src, err := t.b.Get(sourcesKey(conv, from))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return t.b.Update(func(tx *store.BucketTx) error {
		if err := tx.Put(recordKey(conv, to), v); err != nil {
			return err
		}
		if src != nil {
			if err := tx.Put(sourcesKey(conv, to), src); err != nil {
				return err
			}
			if err := tx.Delete(sourcesKey(conv, from)); err != nil {
				return err
			}
		}
		return tx.Delete(recordKey(conv, from))
	})
}

// ServiceIdentity returns the identity of the profile's file service in
// the group conv, made and stored on first use (docs/files.md §8).
func (t *Transfers) ServiceIdentity(conv model.ConversationID) (*identity.Identity, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, err := t.b.Get(serviceKey(conv))
	if err == nil {
		return identity.FromSeed(v)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := t.b.Put(serviceKey(conv), id.Seed()); err != nil {
		return nil, err
	}
	return id, nil
}

// HolderDue lists, by conversation, the group files received whole and
// verified whose holder note is not settled yet (SettleHolder).
func (t *Transfers) HolderDue() (map[model.ConversationID][]model.MessageID, error) {
	var held []fileID
	err := t.b.Iterate([]byte{'t'}, func(k, v []byte) error {
		conv, id, ok := parseRecordKey(k)
		if !ok {
			return nil
		}
		if r, err := decodeRecord(v); err == nil && r.Group && !r.Outgoing && r.State == model.FileComplete {
			held = append(held, fileID{conv, id})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	due := map[model.ConversationID][]model.MessageID{}
	for _, f := range held {
		_, err := t.b.Get(holderKey(f.conv, f.id))
		switch {
		case errors.Is(err, store.ErrNotFound):
			due[f.conv] = append(due[f.conv], f.id)
		case err != nil:
			return nil, err
		}
	}
	return due, nil
}

// fileID names a transfer.
type fileID struct {
	conv model.ConversationID
	id   model.MessageID
}

// SettleHolder records that the holder note of a group file is settled
// (posted, or not needed): it is not due again.
func (t *Transfers) SettleHolder(conv model.ConversationID, id model.MessageID) error {
	return t.b.Put(holderKey(conv, id), []byte{})
}

// ForgetGroup removes what the profile kept to take part in the files
// of a group it left or was removed from: the key of its file service
// there, every file's list of sources (those of files it never had
// too: a holder note can come before its announcement) and every
// holder note's mark (were the profile to join the group again, a file
// it has is announced from its new file service); then files offered or
// accepted and not yet here end as unavailable (their chunks are
// deleted, a FileChanged reports each). Files here stay, as the group's
// messages stay as history.
func (t *Transfers) ForgetGroup(conv model.ConversationID) error {
	var ids []model.MessageID
	err := t.b.Iterate(convPrefix(conv), func(k, v []byte) error {
		c, id, ok := parseRecordKey(k)
		if ok && c == conv {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var drop [][]byte
	for _, tag := range []byte{'s', 'h'} {
		p := convPrefix(conv)
		p[0] = tag
		err := t.b.Iterate(p, func(k, v []byte) error {
			if c, _, ok := parseKey(k, tag); ok && c == conv {
				drop = append(drop, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	t.mu.Lock()
	err = t.b.Update(func(tx *store.BucketTx) error {
		for _, k := range drop {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		return tx.Delete(serviceKey(conv))
	})
	t.mu.Unlock()
	if err != nil {
		return err
	}
	for _, id := range ids {
		_, err := t.change(conv, id, func(r *record) (bool, error) {
			if !r.Group || r.Outgoing || (r.State != model.FileOffered && r.State != model.FileTransferring) {
				return false, nil
			}
			r.State, r.Pending = model.FileUnavailable, pendNone
			t.dropPartial(r)
			return true, nil
		})
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, errCorrupt) {
			return err
		}
	}
	return nil
}

// parseKey reads the conversation and file ID of a key tag ‖ length u16
// ‖ conversation ‖ id [16] (a record, sources or holder mark).
func parseKey(k []byte, tag byte) (model.ConversationID, model.MessageID, bool) {
	if len(k) == 0 || k[0] != tag {
		return "", model.MessageID{}, false
	}
	return parseRecordKey(append([]byte{'t'}, k[1:]...))
}

// SweepGroups forgets (ForgetGroup) what the profile still keeps of the
// files of each group it is no longer in (member says which it is in):
// a file service's key, sources, holder marks, or files offered or
// accepted and not yet here. Leaving a group forgets it at once since
// the version that made ForgetGroup; a group left or deleted under the
// version before kept all of it, and its file service's key (a secret)
// for good. It is idempotent: a group with nothing left to forget costs
// no write, so it runs at every unlock. It returns how many groups it
// forgot.
func (t *Transfers) SweepGroups(member func(model.ConversationID) bool) (int, error) {
	stale := map[model.ConversationID]bool{}
	note := func(conv model.ConversationID) {
		if !member(conv) {
			stale[conv] = true
		}
	}
	err := t.b.Iterate([]byte{'k'}, func(k, v []byte) error {
		if len(k) >= 3 {
			if n := int(binary.BigEndian.Uint16(k[1:3])); len(k) == 3+n {
				note(model.ConversationID(k[3:]))
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, tag := range []byte{'s', 'h'} {
		err := t.b.Iterate([]byte{tag}, func(k, v []byte) error {
			if conv, _, ok := parseKey(k, tag); ok {
				note(conv)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	err = t.b.Iterate([]byte{'t'}, func(k, v []byte) error {
		conv, _, ok := parseRecordKey(k)
		if !ok {
			return nil
		}
		if r, err := decodeRecord(v); err == nil && r.Group && !r.Outgoing &&
			(r.State == model.FileOffered || r.State == model.FileTransferring) {
			note(conv)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for conv := range stale {
		if err := t.ForgetGroup(conv); err != nil {
			return 0, err
		}
	}
	return len(stale), nil
}

// GroupFiles lists the group files of the profile by conversation: those
// it serves (shared, or held whole unless Config.ServeFetched says no)
// and the accepted ones still to fetch.
func (t *Transfers) GroupFiles() (serving map[model.ConversationID]bool, fetching map[model.ConversationID][]model.MessageID, err error) {
	serving, fetching = map[model.ConversationID]bool{}, map[model.ConversationID][]model.MessageID{}
	fetched := t.serveFetched()
	err = t.b.Iterate([]byte{'t'}, func(k, v []byte) error {
		conv, id, ok := parseRecordKey(k)
		if !ok {
			return nil
		}
		r, err := decodeRecord(v)
		if err != nil || !r.Group {
			return nil
		}
		if r.servable(fetched) {
			serving[conv] = true
		}
		if !r.Outgoing && r.State == model.FileTransferring {
			fetching[conv] = append(fetching[conv], id)
		}
		return nil
	})
	return serving, fetching, err
}
