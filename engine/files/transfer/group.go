package transfer

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
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
