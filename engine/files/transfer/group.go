package transfer

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/nookchat/nook/engine/files"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// Files in groups (docs/files.md §8): the author imports a file with a
// random file key and announces it in the group; a member records the
// announcement (OfferedGroup), and once it is accepted fetches it
// (FetchGroup) from the author's file service or any member's that holds
// it, under a throwaway identity, proving membership with the file key.
// A member serves (ServeGroup) the files of the group it sent or holds
// whole.

// labelFetch is the label of a fetch's membership proof.
const labelFetch = "nook group file fetch v1\x00"

// Errors of group files.
var (
	// ErrNoSource is returned by FetchGroup when no source served the
	// rest of the file: what arrived verified is kept.
	ErrNoSource = errors.New("none of the members who have this file could send it now; it will be fetched when one of them is online")
	// ErrMismatch is returned by FetchGroup for a file whose every chunk
	// matched the announcement's chunk tree but whose whole SHA-256 did
	// not: the announcement itself was wrong. Nothing of it is kept.
	ErrMismatch = errors.New("the file did not match what was offered, so nothing of it was kept")
	// ErrNotGroupFile is returned for a transfer that is not a group
	// file received and accepted.
	ErrNotGroupFile = errors.New("this is not a group file waiting to be fetched")

	// errNotFetch ends a served session whose first record is not a
	// FileFetch, or which asks for another file or out of range.
	errNotFetch = errors.New("the fetcher broke the group file protocol")
)

// GroupConn is an authenticated session between a fetcher and a member's
// file service (handshake.Session).
type GroupConn interface {
	Send(protocol.Record) error
	Recv() (protocol.Record, error)
	// ChannelBinding is a value unique to the session, known to both
	// sides, to which the membership proof is bound.
	ChannelBinding() []byte
	Close() error
}

// FetchProof is the membership proof of a fetch over a session: an HMAC
// under the file key over the session's channel binding.
func FetchProof(key [32]byte, binding []byte) [32]byte {
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(labelFetch))
	m.Write(binding)
	var p [32]byte
	m.Sum(p[:0])
	return p
}

// GroupOffer is what a group's file announcement (group.FileOffer) says
// of a file.
type GroupOffer struct {
	ID        model.MessageID
	Sent      time.Time
	Size      uint64
	ChunkSize uint32
	SHA256    [32]byte
	Root      [32]byte
	MediaType string
	Name      string
	Key       [32]byte
}

// ImportGroup copies a file to share in the group conv into the profile,
// as Import does, with a random file key, and returns what its
// announcement says.
func (t *Transfers) ImportGroup(conv model.ConversationID, id model.MessageID, sent time.Time, src io.Reader, size int64, name, mediaType string) (model.FileTransfer, GroupOffer, error) {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return model.FileTransfer{}, GroupOffer{}, err
	}
	r, ft, err := t.importFile(conv, id, sent, src, size, name, mediaType, &key)
	if err != nil {
		return ft, GroupOffer{}, err
	}
	return ft, GroupOffer{ID: id, Sent: r.Sent, Size: r.Size, ChunkSize: r.ChunkSize, SHA256: r.SHA256, Root: r.Root,
		MediaType: r.MediaType, Name: r.Name, Key: key}, nil
}

// OfferedGroup records a file announced in the group conv, once, as
// Offered does for a contact's offer: refused at once above the size
// limit, accepted by itself when Config.AutoAccept says so.
func (t *Transfers) OfferedGroup(conv model.ConversationID, o GroupOffer) (announce func(), err error) {
	if err := protocol.CheckFileFields(o.Size, o.ChunkSize, o.MediaType, o.Name); err != nil {
		return nil, fmt.Errorf("file transfer: %w: %w", protocol.ErrInvalid, err)
	}
	return t.offered(conv, &protocol.FileOffer{ID: o.ID, Sent: o.Sent, Size: o.Size, ChunkSize: o.ChunkSize,
		SHA256: o.SHA256, Root: o.Root, MediaType: o.MediaType, Name: o.Name}, &o.Key)
}

// servable reports whether a member serves the file of r: one it shared
// (unless it cancelled it), or one it holds whole and verified when it
// serves what it fetched (fetched: Config.ServeFetched).
func (r *record) servable(fetched bool) bool {
	if !r.Group {
		return false
	}
	if r.Outgoing {
		return r.State != model.FileCancelled && r.State != model.FileUnavailable
	}
	return fetched && r.State == model.FileComplete
}

// ServeGroup serves one fetch of a file of the group conv on c, a session
// accepted on the member's file service: the first record must be a
// FileFetch whose proof matches the file's key over c's channel binding;
// a file not held, one fetched while Config.ServeFetched says no, or a
// wrong proof, is answered alike with FileStop unavailable. Then it sends the chunks each FileRequest asks for, in
// order, until the fetcher closes. It returns nil when the fetcher
// closed, and does not close c.
func (t *Transfers) ServeGroup(conv model.ConversationID, c GroupConn) error {
	rec, err := c.Recv()
	if err != nil {
		return err
	}
	f, ok := rec.(*protocol.FileFetch)
	if !ok {
		return errNotFetch
	}
	r, err := t.get(conv, f.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	member := false
	if err == nil && r.servable(t.serveFetched()) {
		want := FetchProof(r.FileKey, c.ChannelBinding())
		member = hmac.Equal(f.Proof[:], want[:])
	}
	if !member { // a file not held and a wrong proof look alike
		return c.Send(&protocol.FileStop{ID: f.ID, Reason: protocol.StopUnavailable})
	}
	tree, err := t.groupTree(r)
	if err != nil {
		t.cfg.Logger.Warn("reading a group file's tree failed", "err", err)
		return c.Send(&protocol.FileStop{ID: f.ID, Reason: protocol.StopUnavailable})
	}
	n := r.chunks()
	for {
		rec, err := c.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		q, ok := rec.(*protocol.FileRequest)
		if !ok || q.ID != f.ID || uint64(q.First)+uint64(q.Count) > uint64(n) {
			return errNotFetch
		}
		// The file may have been deleted meanwhile, or serving what was
		// fetched turned off.
		if r, err = t.get(conv, f.ID); err != nil || !r.servable(t.serveFetched()) {
			return c.Send(&protocol.FileStop{ID: f.ID, Reason: protocol.StopUnavailable})
		}
		for i := q.First; i < q.First+uint32(q.Count); i++ {
			v, err := t.b.Get(chunkKey(r.Key, i))
			var data []byte
			if err == nil {
				data, err = chunkData(v, r.chunkLen(i))
			}
			if err != nil {
				t.cfg.Logger.Warn("reading a group file's chunk failed", "err", err)
				return c.Send(&protocol.FileStop{ID: f.ID, Reason: protocol.StopUnavailable})
			}
			proof := tree.Proof(int(i))
			p := make([][32]byte, len(proof))
			copy(p, proof)
			if err := c.Send(&protocol.FileChunk{ID: f.ID, Index: i, Proof: p, Data: data}); err != nil {
				return err
			}
		}
	}
}

// groupTree returns the chunk tree of a group file held: the author's
// stored leaves, or for a file received whole the leaves read from its
// chunks once and stored.
func (t *Transfers) groupTree(r *record) (*files.Tree, error) {
	ls, err := t.leaves(r)
	if err == nil || r.Outgoing || !errors.Is(err, store.ErrNotFound) {
		return files.NewTree(ls), err
	}
	n := r.chunks()
	ls = make([]files.Hash, 0, n)
	for i := range n {
		v, err := t.b.Get(chunkKey(r.Key, i))
		if err != nil {
			return nil, err
		}
		c, err := chunkData(v, r.chunkLen(i))
		if err != nil {
			return nil, err
		}
		ls = append(ls, files.Leaf(c))
	}
	if files.Root(ls) != r.Root {
		return nil, ErrDamaged
	}
	if err := t.b.Update(func(tx *store.BucketTx) error {
		for blk := uint32(0); blk*leavesPerBlock < n; blk++ {
			v := make([]byte, 0, leavesPerBlock*files.HashSize)
			for _, h := range ls[blk*leavesPerBlock : min(n, (blk+1)*leavesPerBlock)] {
				v = append(v, h[:]...)
			}
			if err := tx.Put(leafKey(r.Key, blk), v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.cfg.Logger.Warn("storing a group file's tree failed", "err", err)
	}
	return files.NewTree(ls), nil
}

// GroupDialer opens a session with the file service at a source's
// address, under a throwaway identity (a fresh key per connection).
type GroupDialer func(ctx context.Context, source identity.Address) (GroupConn, error)

// FetchGroup fetches an accepted group file from its sources (the
// author, then the members whose holder notes arrived), from up to
// fetchSources of them at once, each under a throwaway identity, each
// asked for different ranges (fetch.go). Every chunk is checked against
// the announcement's chunk tree whoever sends it; a source is dropped at
// its first chunk that does not verify or was not asked for, a stop, or
// a broken connection, its ranges asked of the others, and the next
// source in the list is dialled. The chunks verified are stored in order
// by a writer of their own, off the loop that reads them. It returns nil
// once the whole file is stored and its SHA-256 matched, ErrNoSource
// when every source was dropped first (what arrived verified and in
// order is kept), ErrMismatch when the chunks matched the tree and the
// whole file not the announcement's SHA-256 (nothing is kept),
// ErrNotGroupFile when the transfer was stopped meanwhile, ErrNoSpace
// when it paused for lack of disk space, or the context's error.
func (t *Transfers) FetchGroup(ctx context.Context, conv model.ConversationID, id model.MessageID, sources []identity.Address, dial GroupDialer) error {
	return t.fetchGroup(ctx, conv, id, sources, nil, dial)
}

// FetchGroupLive is FetchGroup from the sources the profile knows of the
// file (Sources), read again each time more receives: a member whose
// holder note arrives during the fetch is dialled then, if fewer than
// fetchSources are connected, not at the next try.
func (t *Transfers) FetchGroupLive(ctx context.Context, conv model.ConversationID, id model.MessageID, more <-chan struct{}, dial GroupDialer) error {
	sources, err := t.Sources(conv, id)
	if err != nil {
		return err
	}
	return t.fetchGroup(ctx, conv, id, sources, more, dial)
}

func (t *Transfers) fetchGroup(ctx context.Context, conv model.ConversationID, id model.MessageID, sources []identity.Address, more <-chan struct{}, dial GroupDialer) error {
	r, err := t.get(conv, id)
	if err != nil {
		return err
	}
	if !r.Group || r.Outgoing {
		return ErrNotGroupFile
	}
	switch r.State {
	case model.FileComplete:
		return nil
	case model.FileFailed:
		return ErrMismatch
	case model.FileTransferring:
	default:
		return ErrNotGroupFile
	}
	f, err := newFetch(t, conv, id, r, sources, dial)
	if err != nil {
		return err
	}
	f.more = more
	err = f.run(ctx)
	if errors.Is(err, ErrNoSource) {
		if r, gerr := t.get(conv, id); gerr == nil && r.State == model.FileTransferring {
			t.emit(conv, id, r, waitingSources)
		}
	}
	return err
}

// waitingSources is the Problem of a group file none of whose sources
// could send it.
const waitingSources = "None of the members who have this file are online now. It arrives when one of them is."

// failGroup ends a group file whose chunks matched its tree and whose
// whole SHA-256 did not: nothing of it is kept.
func (t *Transfers) failGroup(conv model.ConversationID, id model.MessageID) error {
	_, err := t.change(conv, id, func(r *record) (bool, error) {
		if r.State != model.FileTransferring {
			return false, nil
		}
		r.State, r.Reason = model.FileFailed, protocol.StopFailed
		t.dropPartial(r)
		return true, nil
	})
	if err != nil {
		return err
	}
	return ErrMismatch
}

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
