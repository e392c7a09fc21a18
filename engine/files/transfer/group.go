package transfer

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"io"
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

	// errSource wraps what ends a fetch from one source: the source is
	// dropped for this file and the next one is tried.
	errSource = errors.New("file source dropped")
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
// (unless it cancelled it) or one it holds whole and verified.
func (r *record) servable() bool {
	if !r.Group {
		return false
	}
	if r.Outgoing {
		return r.State != model.FileCancelled && r.State != model.FileUnavailable
	}
	return r.State == model.FileComplete
}

// ServeGroup serves one fetch of a file of the group conv on c, a session
// accepted on the member's file service: the first record must be a
// FileFetch whose proof matches the file's key over c's channel binding;
// a file not held, or a wrong proof, is answered alike with FileStop
// unavailable. Then it sends the chunks each FileRequest asks for, in
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
	if err == nil && r.servable() {
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
		// The file may have been deleted meanwhile.
		if r, err = t.get(conv, f.ID); err != nil || !r.servable() {
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

// FetchGroup fetches an accepted group file from its sources, in order
// (the author, then the members whose holder notes arrived): from each
// it asks for what is not stored yet, checks every chunk against the
// announcement's chunk tree and stores it, and drops the source at the
// first chunk that does not verify, a stop, or a broken connection,
// keeping what arrived verified. It returns nil once the whole file is
// stored and its SHA-256 matched, ErrNoSource when every source was
// dropped first, ErrMismatch when the chunks matched the tree and the
// whole file not the announcement's SHA-256 (nothing is kept),
// ErrNotGroupFile when the transfer was stopped meanwhile, ErrNoSpace
// when it paused for lack of disk space, or the context's error.
func (t *Transfers) FetchGroup(ctx context.Context, conv model.ConversationID, id model.MessageID, sources []identity.Address, dial GroupDialer) error {
	for _, src := range sources {
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
		c, err := dial(ctx, src)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			t.cfg.Logger.Info("a group file's source could not be reached", "err", err)
			continue
		}
		stop := context.AfterFunc(ctx, func() { c.Close() })
		done, err := t.fetchFrom(conv, id, r, c)
		stop()
		c.Close()
		switch {
		case done:
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, errSource):
			t.cfg.Logger.Info("a group file's source was dropped", "err", err)
			continue
		case err != nil:
			return err
		}
		// Stopped here meanwhile (cancelled, deleted), or paused for
		// lack of disk space (the person was told).
		if r, err := t.get(conv, id); err == nil && r.State == model.FileTransferring {
			return ErrNoSpace
		}
		return ErrNotGroupFile
	}
	if r, err := t.get(conv, id); err == nil && r.State == model.FileTransferring {
		t.emit(conv, id, r, waitingSources)
	}
	return ErrNoSource
}

// waitingSources is the Problem of a group file none of whose sources
// could send it.
const waitingSources = "None of the members who have this file are online now. It arrives when one of them is."

// fetchFrom fetches what is missing of a group file from one source on
// c. done reports that the transfer ended (complete, or failed with
// ErrMismatch); an error wrapping errSource drops the source; false and
// nil mean the transfer was stopped or paused on this side.
func (t *Transfers) fetchFrom(conv model.ConversationID, id model.MessageID, r *record, c GroupConn) (done bool, err error) {
	source := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", errSource, fmt.Sprintf(format, args...))
	}
	if err := c.Send(&protocol.FileFetch{ID: id, Proof: FetchProof(r.FileKey, c.ChannelBinding())}); err != nil {
		return false, source("%v", err)
	}
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(r.HashState); err != nil {
		return false, fmt.Errorf("file transfer: %w", errCorrupt)
	}
	in := &incoming{r: r, h: h}
	n := r.chunks()
	want := r.Have // the first chunk not yet requested
	request := func(k uint32) error {
		count := min(k, n-want, protocol.MaxRequestChunks)
		if count == 0 {
			return nil
		}
		q := &protocol.FileRequest{ID: id, First: want, Count: uint16(count)}
		want += count
		return c.Send(q)
	}
	// What arrived verified and is not stored yet is kept when the
	// source goes.
	stored := false
	defer func() {
		if !stored && len(in.buf) > 0 {
			if _, serr := t.storeChunks(conv, id, in, false); serr != nil && err == nil {
				err = serr
			}
		}
	}()
	if err := request(window); err != nil {
		return false, source("%v", err)
	}
	for {
		rec, err := c.Recv()
		if err != nil {
			return false, source("%v", err)
		}
		switch m := rec.(type) {
		case *protocol.FileStop:
			if m.ID == id {
				return false, source("it stopped (reason %d)", m.Reason)
			}
		case *protocol.FileChunk:
			i := m.Index
			if m.ID != id || i != in.next() || i >= want {
				return false, source("chunk %d not asked for", i)
			}
			proof := make([]files.Hash, len(m.Proof))
			copy(proof, m.Proof)
			if len(m.Data) != r.chunkLen(i) || files.VerifyChunk(r.Root, int(n), int(i), m.Data, proof) != nil {
				return false, source("chunk %d does not match the file", i)
			}
			in.h.Write(m.Data)
			in.buf = append(in.buf, m.Data)
			last := in.next() == n
			if last {
				var sum [32]byte
				if in.h.Sum(sum[:0]); sum != r.SHA256 {
					stored = true
					return true, t.failGroup(conv, id)
				}
			}
			if len(in.buf) == batch || last {
				kept, err := t.storeChunks(conv, id, in, last)
				if err != nil || !kept {
					stored = true
					return false, err
				}
				r = in.r
			}
			if last {
				return true, nil
			}
			if want-in.next() <= window-batch {
				if err := request(batch); err != nil {
					return false, source("%v", err)
				}
			}
		}
	}
}

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

// maxSources bounds the sources kept per file.
const maxSources = 64

// AddSource records a source of a group file (the author's file service
// from the announcement, or a member's from its holder note), after
// those known; it reports whether it is new. A holder note that arrives
// before its announcement is kept all the same.
func (t *Transfers) AddSource(conv model.ConversationID, id model.MessageID, source identity.Address) (bool, error) {
	pub := source.PublicKey()
	if len(pub) != 32 {
		return false, fmt.Errorf("file transfer: %w: a source that is no onion address", protocol.ErrInvalid)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	v, err := t.b.Get(sourcesKey(conv, id))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	for i := 0; i+32 <= len(v); i += 32 {
		if string(v[i:i+32]) == string(pub) {
			return false, nil
		}
	}
	if len(v) >= maxSources*32 {
		return false, nil
	}
	return true, t.b.Put(sourcesKey(conv, id), append(append([]byte(nil), v...), pub...))
}

// Sources returns the sources of a group file, in the order they came.
func (t *Transfers) Sources(conv model.ConversationID, id model.MessageID) ([]identity.Address, error) {
	v, err := t.b.Get(sourcesKey(conv, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []identity.Address
	for i := 0; i+32 <= len(v); i += 32 {
		out = append(out, identity.AddressFromPublicKey(v[i:i+32]))
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

// GroupFiles lists the group files of the profile by conversation: those
// it serves (shared, or held whole) and the accepted ones still to
// fetch.
func (t *Transfers) GroupFiles() (serving map[model.ConversationID]bool, fetching map[model.ConversationID][]model.MessageID, err error) {
	serving, fetching = map[model.ConversationID]bool{}, map[model.ConversationID][]model.MessageID{}
	err = t.b.Iterate([]byte{'t'}, func(k, v []byte) error {
		conv, id, ok := parseRecordKey(k)
		if !ok {
			return nil
		}
		r, err := decodeRecord(v)
		if err != nil || !r.Group {
			return nil
		}
		if r.servable() {
			serving[conv] = true
		}
		if !r.Outgoing && r.State == model.FileTransferring {
			fetching[conv] = append(fetching[conv], id)
		}
		return nil
	})
	return serving, fetching, err
}
