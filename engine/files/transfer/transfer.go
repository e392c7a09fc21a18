package transfer

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/files"
	"github.com/nookchat/nook/engine/internal/diskspace"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// Defaults.
const (
	// DefaultChunkSize is the sender's chunk size: a FileChunk of a file
	// up to the 1 TiB limit (an audit path of at most 25 hashes) fits 8
	// frames with 45 bytes to spare (docs/files.md §2).
	DefaultChunkSize = 63 << 10
	// DefaultSourceIdle is how long a group fetch waits for a chunk from
	// a source it asked before it drops the source (its ranges go to the
	// others). Over Tor a window of 32 chunks takes under a second at
	// the speeds measured (docs/files.md §11); a circuit that died
	// silently sends nothing.
	DefaultSourceIdle = time.Minute
	// DefaultMaxSize is the receiver's size limit when none is set.
	DefaultMaxSize = 2 << 30
	// window is how many chunks the receiver keeps requested and not yet
	// received (≈ 2 MiB): it asks for batch more each time batch of them
	// arrived, and stores batch chunks per transaction. A window of 64
	// was no faster over Tor (BenchmarkFileTor, docs/files.md §11).
	window = 32
	batch  = 16
	// leavesPerBlock is how many leaf hashes one stored value holds.
	leavesPerBlock = 2048
	// writeBatch is how many chunks Import stores per transaction (a
	// transaction holds at most about 629 KB of keys and small values; chunks go to the value log).
	writeBatch = 8
	// spaceMargin is kept free beyond a file being received or sent, as
	// the store's own guard does.
	spaceMargin = store.DefaultMinFree
	// progressEvery is the least time between two progress events of one
	// transfer.
	progressEvery = 200 * time.Millisecond
)

// bucketName is the store bucket of everything this package keeps.
const bucketName = "files"

// Errors of the facade methods; their texts are plain sentences.
var (
	ErrNotFound   = errors.New("there is no such file")
	ErrNotOffered = errors.New("this file is no longer waiting to be accepted")
	ErrFinished   = errors.New("this transfer has already ended")
	ErrNotReady   = errors.New("this file has not arrived completely yet")
	ErrEmpty      = errors.New("the file is empty")
	ErrTooLarge   = errors.New("the file is too large to send (the limit is 1 TiB)")
	ErrNoSpace    = errors.New("there is not enough free disk space for this file")
	ErrDamaged    = errors.New("the stored file is damaged")
)

// Config is what a Transfers needs. Store is required.
type Config struct {
	Store *store.Store
	// Dir is the profile's folder, for the free-space check before a
	// file is accepted or copied in ("": not checked).
	Dir string
	// Emit receives FileChanged events.
	Emit func(model.Event)
	// MaxSize returns the largest file this profile accepts, in bytes
	// (nil or ≤ 0: DefaultMaxSize).
	MaxSize func() int64
	// AutoAccept reports whether an offer is accepted without asking
	// (nil: never). An offer over the size limit or the free disk space
	// is never accepted.
	AutoAccept func(conv model.ConversationID, o *protocol.FileOffer) bool
	// Wake asks the contact's link to sync its session (a stop or an
	// acceptance to write).
	Wake func(model.ConversationID)
	// ServeFetched reports whether the profile serves the group files
	// it fetched to the members who ask (nil: it does). The files it
	// shared itself are served either way (docs/files.md §8, "Serving
	// what one fetched").
	ServeFetched func() bool
	// ChunkSize is the chunk size of files sent (0: DefaultChunkSize).
	ChunkSize int
	// SourceIdle is how long a group fetch waits for a chunk from a
	// source that was asked for some before it drops it (0:
	// DefaultSourceIdle).
	SourceIdle time.Duration
	// Logger receives diagnostics, never names or contents.
	Logger *slog.Logger
}

// Transfers holds the file transfers of one open profile.
type Transfers struct {
	cfg Config
	b   *store.Bucket
	// mu serialises every read-modify-write of a transfer record.
	mu sync.Mutex
	// progressMu guards lastProgress and sent.
	progressMu   sync.Mutex
	lastProgress map[model.MessageID]time.Time
	sent         map[model.MessageID]int64
}

// New returns the Transfers of the store in cfg.
func New(cfg Config) *Transfers {
	if cfg.Emit == nil {
		cfg.Emit = func(model.Event) {}
	}
	if cfg.Wake == nil {
		cfg.Wake = func(model.ConversationID) {}
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = DefaultChunkSize
	}
	if cfg.SourceIdle <= 0 {
		cfg.SourceIdle = DefaultSourceIdle
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Transfers{cfg: cfg, b: cfg.Store.Bucket(bucketName),
		lastProgress: map[model.MessageID]time.Time{}, sent: map[model.MessageID]int64{}}
}

func (t *Transfers) serveFetched() bool {
	return t.cfg.ServeFetched == nil || t.cfg.ServeFetched()
}

func (t *Transfers) maxSize() int64 {
	if t.cfg.MaxSize != nil {
		if n := t.cfg.MaxSize(); n > 0 {
			return n
		}
	}
	return DefaultMaxSize
}

// Keys (docs/files.md §6).
func recordKey(conv model.ConversationID, id model.MessageID) []byte {
	k := []byte{'t'}
	k = binary.BigEndian.AppendUint16(k, uint16(len(conv)))
	k = append(k, conv...)
	return append(k, id[:]...)
}

func convPrefix(conv model.ConversationID) []byte {
	k := []byte{'t'}
	k = binary.BigEndian.AppendUint16(k, uint16(len(conv)))
	return append(k, conv...)
}

func parseRecordKey(k []byte) (model.ConversationID, model.MessageID, bool) {
	var id model.MessageID
	if len(k) < 3+16 || k[0] != 't' {
		return "", id, false
	}
	n := int(binary.BigEndian.Uint16(k[1:3]))
	if len(k) != 3+n+16 {
		return "", id, false
	}
	copy(id[:], k[3+n:])
	return model.ConversationID(k[3 : 3+n]), id, true
}

func chunkKey(key [16]byte, i uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte{'c'}, key[:]...), i)
}

// vlogValue is the size from which the store keeps a value in its value
// log rather than in its LSM tree (store: ValueThreshold, 64 KiB).
// Chunks of at least padFrom bytes are stored padded with zeros to it:
// 50 MB of 60 KiB chunks inline made Badger build and compact tables of
// hundreds of MiB in memory (BenchmarkFileLoopback's peak heap went from
// about 0.8–1.3 GiB to tens of MiB with the padding), at 6.7 % more disk.
const (
	vlogValue = 64 << 10
	padFrom   = 16 << 10
)

// chunkValue is what is stored for a chunk.
func chunkValue(c []byte) []byte {
	if len(c) < padFrom || len(c) >= vlogValue {
		return c
	}
	v := make([]byte, vlogValue)
	copy(v, c)
	return v
}

// chunkData returns the chunk of want bytes stored as v.
func chunkData(v []byte, want int) ([]byte, error) {
	if len(v) < want || (len(v) != want && (want < padFrom || len(v) != vlogValue)) {
		return nil, ErrDamaged
	}
	return v[:want], nil
}

func leafKey(key [16]byte, block uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte{'l'}, key[:]...), block)
}

// get reads a transfer record.
func (t *Transfers) get(conv model.ConversationID, id model.MessageID) (*record, error) {
	v, err := t.b.Get(recordKey(conv, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return decodeRecord(v)
}

// change reads, changes and writes a record under t.mu; fn returns
// whether it changed anything. The new state is reported.
func (t *Transfers) change(conv model.ConversationID, id model.MessageID, fn func(r *record) (bool, error)) (*record, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, err := t.get(conv, id)
	if err != nil {
		return nil, err
	}
	changed, err := fn(r)
	if err != nil || !changed {
		return r, err
	}
	if err := t.b.Put(recordKey(conv, id), encodeRecord(r)); err != nil {
		return nil, err
	}
	t.emit(conv, id, r, "")
	return r, nil
}

// view is a record as the model shows it.
func (t *Transfers) view(conv model.ConversationID, id model.MessageID, r *record, problem string) model.FileTransfer {
	f := model.FileTransfer{
		Conversation: conv, ID: id, Outgoing: r.Outgoing, Name: r.Name, MediaType: r.MediaType,
		Size: int64(r.Size), SHA256: r.SHA256, State: r.State, ByContact: r.ByContact,
		Limit: int64(r.Limit), Problem: problem, Sent: r.Sent,
	}
	switch {
	case r.State == model.FileComplete:
		f.Done = f.Size
	case !r.Outgoing:
		f.Done = r.done()
	default:
		t.progressMu.Lock()
		f.Done = t.sent[id]
		t.progressMu.Unlock()
	}
	if r.State == model.FileFailed && problem == "" {
		f.Problem = model.ProblemMismatch
	}
	return f
}

func (t *Transfers) emit(conv model.ConversationID, id model.MessageID, r *record, problem string) {
	t.cfg.Emit(model.FileChanged{File: t.view(conv, id, r, problem)})
}

// progress reports progress, at most every progressEvery per transfer
// unless final.
func (t *Transfers) progress(conv model.ConversationID, id model.MessageID, r *record, final bool) {
	now := time.Now()
	t.progressMu.Lock()
	if !final && now.Sub(t.lastProgress[id]) < progressEvery {
		t.progressMu.Unlock()
		return
	}
	t.lastProgress[id] = now
	t.progressMu.Unlock()
	t.emit(conv, id, r, "")
}

// File returns one transfer.
func (t *Transfers) File(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	r, err := t.get(conv, id)
	if err != nil {
		return model.FileTransfer{}, err
	}
	return t.view(conv, id, r, ""), nil
}

// Files returns the transfers of a conversation, newest first.
func (t *Transfers) Files(conv model.ConversationID) ([]model.FileTransfer, error) {
	var out []model.FileTransfer
	err := t.b.Iterate(convPrefix(conv), func(k, v []byte) error {
		c, id, ok := parseRecordKey(k)
		if !ok || c != conv {
			return nil
		}
		r, err := decodeRecord(v)
		if err != nil {
			return err
		}
		out = append(out, t.view(conv, id, r, ""))
		return nil
	})
	slices.SortStableFunc(out, func(a, b model.FileTransfer) int { return b.Sent.Compare(a.Sent) })
	return out, err
}

// Import copies a file to send into the profile, chunk by chunk, and
// records it as offered under conv and id: the caller then queues the
// file message with that ID. It reads src to its end (size bytes, as
// stat said; a source that turns out longer or shorter is refused) and
// keeps at most one chunk and the tree's leaves in memory.
func (t *Transfers) Import(conv model.ConversationID, id model.MessageID, sent time.Time, src io.Reader, size int64, name, mediaType string) (model.FileTransfer, error) {
	_, ft, err := t.importFile(conv, id, sent, src, size, name, mediaType, nil)
	return ft, err
}

// importFile is Import; a group file has its file key.
func (t *Transfers) importFile(conv model.ConversationID, id model.MessageID, sent time.Time, src io.Reader, size int64, name, mediaType string, fileKey *[32]byte) (*record, model.FileTransfer, error) {
	if size <= 0 {
		return nil, model.FileTransfer{}, ErrEmpty
	}
	if size > protocol.MaxFileSize {
		return nil, model.FileTransfer{}, ErrTooLarge
	}
	if err := t.checkSpace(size); err != nil {
		return nil, model.FileTransfer{}, err
	}
	r := &record{Outgoing: true, State: model.FileOffered, Name: name, MediaType: mediaType,
		Size: uint64(size), ChunkSize: uint32(t.cfg.ChunkSize), Sent: sent.Truncate(time.Millisecond).UTC()}
	if fileKey != nil {
		r.Group, r.FileKey = true, *fileKey
	}
	if _, err := rand.Read(r.Key[:]); err != nil {
		return nil, model.FileTransfer{}, err
	}
	n := r.chunks()
	leaves := make([]files.Hash, 0, n)
	whole := sha256.New()
	buf := make([]byte, r.ChunkSize)
	var pending [][]byte
	flush := func(first uint32) error {
		err := t.b.Update(func(tx *store.BucketTx) error {
			for j, c := range pending {
				if err := tx.Put(chunkKey(r.Key, first+uint32(j)), c); err != nil {
					return err
				}
			}
			return nil
		})
		pending = pending[:0]
		return err
	}
	fail := func(err error) (*record, model.FileTransfer, error) {
		t.deleteData(r.Key, n, true)
		return nil, model.FileTransfer{}, err
	}
	for i := range n {
		c := buf[:r.chunkLen(i)]
		if _, err := io.ReadFull(src, c); err != nil {
			return fail(fmt.Errorf("the file changed while it was read: %w", err))
		}
		whole.Write(c)
		leaves = append(leaves, files.Leaf(c))
		pending = append(pending, chunkValue(bytes.Clone(c)))
		if len(pending) == writeBatch || i == n-1 {
			if err := flush(i + 1 - uint32(len(pending))); err != nil {
				return fail(err)
			}
		}
	}
	if k, _ := src.Read(buf[:1]); k != 0 {
		return fail(errors.New("the file changed while it was read: it grew"))
	}
	whole.Sum(r.SHA256[:0])
	r.Root = files.Root(leaves)
	r.Have = n
	err := t.b.Update(func(tx *store.BucketTx) error {
		for blk := uint32(0); blk*leavesPerBlock < n; blk++ {
			end := min(n, (blk+1)*leavesPerBlock)
			v := make([]byte, 0, (end-blk*leavesPerBlock)*files.HashSize)
			for _, h := range leaves[blk*leavesPerBlock : end] {
				v = append(v, h[:]...)
			}
			if err := tx.Put(leafKey(r.Key, blk), v); err != nil {
				return err
			}
		}
		return tx.Put(recordKey(conv, id), encodeRecord(r))
	})
	if err != nil {
		return fail(err)
	}
	return r, t.view(conv, id, r, ""), nil
}

// checkSpace refuses a file of size bytes when the profile's disk does not
// have room for it and the store's margin.
func (t *Transfers) checkSpace(size int64) error {
	if t.cfg.Dir == "" {
		return nil
	}
	if free, ok := diskspace.Free(t.cfg.Dir); ok && free < uint64(size)+spaceMargin {
		return ErrNoSpace
	}
	return nil
}

// Forget removes a transfer and its data: the caller could not queue its
// message.
func (t *Transfers) Forget(conv model.ConversationID, id model.MessageID) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, err := t.get(conv, id)
	if errors.Is(err, errCorrupt) {
		// Its chunks cannot be found without the record; the record goes.
		return t.b.Delete(recordKey(conv, id))
	}
	if err != nil {
		return err
	}
	t.deleteData(r.Key, r.chunks(), r.Outgoing || r.Group)
	if r.Group {
		if err := t.b.Delete(sourcesKey(conv, id)); err != nil {
			return err
		}
		if err := t.b.Delete(holderKey(conv, id)); err != nil {
			return err
		}
	}
	return t.b.Delete(recordKey(conv, id))
}

// deleteData removes a transfer's chunks (and leaves) in transactions of
// bounded size; failures are logged (the sweep retries at the next unlock
// only for transfers whose message is gone).
func (t *Transfers) deleteData(key [16]byte, n uint32, leaves bool) {
	const per = 512
	for first := uint32(0); first < n; first += per {
		err := t.b.Update(func(tx *store.BucketTx) error {
			for i := first; i < min(n, first+per); i++ {
				if err := tx.Delete(chunkKey(key, i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.cfg.Logger.Warn("deleting a file's chunks failed", "err", err)
			return
		}
	}
	if leaves {
		err := t.b.Update(func(tx *store.BucketTx) error {
			for blk := uint32(0); blk*leavesPerBlock < n; blk++ {
				if err := tx.Delete(leafKey(key, blk)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.cfg.Logger.Warn("deleting a file's tree failed", "err", err)
		}
	}
}

// Offered records a file offered by the contact of conv, once (an offer
// written again after a lost acknowledgement changes nothing). A file over
// the size limit is refused at once: the contact is told, with the limit.
// announce reports the new transfer (FileChanged): the caller calls it
// once the file's message is stored, so that the message comes first.
func (t *Transfers) Offered(conv model.ConversationID, o *protocol.FileOffer) (announce func(), err error) {
	return t.offered(conv, o, nil)
}

// offered is Offered; a group file has its file key, and a refusal
// is told to nobody (its sources keep no state).
func (t *Transfers) offered(conv model.ConversationID, o *protocol.FileOffer, fileKey *[32]byte) (announce func(), err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.get(conv, o.ID); err == nil {
		return nil, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	// The name is kept as it will be saved: shown and saved the same, with
	// no text-direction or invisible characters to disguise it.
	r := &record{State: model.FileOffered, Name: files.SafeName(o.Name), MediaType: o.MediaType, Size: o.Size,
		ChunkSize: o.ChunkSize, SHA256: o.SHA256, Root: o.Root, Sent: o.Sent}
	if _, err := rand.Read(r.Key[:]); err != nil {
		return nil, err
	}
	if fileKey != nil {
		r.Group, r.FileKey = true, *fileKey
	}
	if limit := t.maxSize(); o.Size > uint64(limit) {
		r.State, r.Pending, r.Reason, r.Limit = model.FileTooLarge, pendStop, protocol.StopTooLarge, uint64(limit)
		if r.Group {
			r.Pending = pendNone
		}
	} else if t.cfg.AutoAccept != nil && t.cfg.AutoAccept(conv, o) && t.checkSpace(int64(o.Size)) == nil {
		r.State = model.FileTransferring
	}
	h := sha256.New()
	st, err := h.(interface{ MarshalBinary() ([]byte, error) }).MarshalBinary()
	if err != nil {
		return nil, err
	}
	r.HashState = st
	if err := t.b.Put(recordKey(conv, o.ID), encodeRecord(r)); err != nil {
		return nil, err
	}
	return func() { t.emit(conv, o.ID, r, "") }, nil
}

// Offer returns the record that carries the outgoing file message msg.
func (t *Transfers) Offer(msg model.Message) (protocol.Record, error) {
	r, err := t.get(msg.Conversation, msg.ID)
	if err != nil {
		return nil, err
	}
	return &protocol.FileOffer{ID: msg.ID, Sent: msg.Sent, Disappear: msg.Disappear, Size: r.Size,
		ChunkSize: r.ChunkSize, SHA256: r.SHA256, Root: r.Root, MediaType: r.MediaType, Name: r.Name}, nil
}

// Accept accepts an offered file: its chunks are requested as soon as
// the contact is online. It refuses when the disk lacks room for it.
// Accepting a transfer already accepted wakes its session, which asks
// again for what is missing if it was paused for lack of disk space.
func (t *Transfers) Accept(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	r, err := t.change(conv, id, func(r *record) (bool, error) {
		if !r.Outgoing && r.State == model.FileTransferring {
			return false, t.checkSpace(int64(r.Size) - r.done())
		}
		if r.Outgoing || r.State != model.FileOffered {
			return false, ErrNotOffered
		}
		if err := t.checkSpace(int64(r.Size) - r.done()); err != nil {
			return false, err
		}
		r.State = model.FileTransferring
		return true, nil
	})
	if err != nil {
		return model.FileTransfer{}, err
	}
	t.cfg.Wake(conv)
	return t.view(conv, id, r, ""), nil
}

// Decline declines an offered file; the contact is told.
func (t *Transfers) Decline(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	return t.stop(conv, id, model.FileDeclined, protocol.StopDeclined, func(r *record) error {
		if r.Outgoing || r.State != model.FileOffered {
			return ErrNotOffered
		}
		return nil
	})
}

// Cancel stops a transfer from either side; the contact is told. A
// receiver's partial file is deleted; a sender keeps its copy.
func (t *Transfers) Cancel(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	return t.stop(conv, id, model.FileCancelled, protocol.StopCancelled, func(r *record) error {
		if r.State.Final() {
			return ErrFinished
		}
		return nil
	})
}

func (t *Transfers) stop(conv model.ConversationID, id model.MessageID, state model.FileState, reason protocol.StopReason, check func(*record) error) (model.FileTransfer, error) {
	r, err := t.change(conv, id, func(r *record) (bool, error) {
		if err := check(r); err != nil {
			return false, err
		}
		r.State, r.ByContact, r.Pending, r.Reason, r.Limit = state, false, pendStop, reason, 0
		if r.Group {
			r.Pending = pendNone // a group file's sources are told nothing
		}
		t.dropPartial(r)
		return true, nil
	})
	if err != nil {
		return model.FileTransfer{}, err
	}
	t.cfg.Wake(conv)
	return t.view(conv, id, r, ""), nil
}

// dropPartial deletes a receiver's chunks when its transfer ends without
// the whole file; a sender keeps its copy.
func (t *Transfers) dropPartial(r *record) {
	if r.Outgoing || r.State == model.FileComplete {
		return
	}
	t.deleteData(r.Key, r.Have, false)
	r.Have, r.HashState = 0, nil
}

// WriteTo writes a file's bytes to w: a received file only once complete
// (verified), a sent one always. It checks the whole file's SHA-256 again
// as it writes, and returns ErrDamaged (after writing) if it differs.
func (t *Transfers) WriteTo(conv model.ConversationID, id model.MessageID, w io.Writer) (int64, error) {
	r, err := t.get(conv, id)
	if err != nil {
		return 0, err
	}
	if !r.Outgoing && r.State != model.FileComplete {
		return 0, ErrNotReady
	}
	h := sha256.New()
	var n int64
	for i := range r.chunks() {
		v, err := t.b.Get(chunkKey(r.Key, i))
		if err != nil {
			return n, ErrDamaged
		}
		c, err := chunkData(v, r.chunkLen(i))
		if err != nil {
			return n, err
		}
		h.Write(c)
		k, err := w.Write(c)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	var sum [32]byte
	if h.Sum(sum[:0]); sum != r.SHA256 {
		return n, ErrDamaged
	}
	return n, nil
}

// Sweep removes every transfer, with its data, whose message no longer
// exists (it expired, or its conversation was deleted).
func (t *Transfers) Sweep(exists func(model.ConversationID, model.MessageID) bool) error {
	type gone struct {
		conv model.ConversationID
		id   model.MessageID
	}
	var drop []gone
	err := t.b.Iterate([]byte{'t'}, func(k, v []byte) error {
		if conv, id, ok := parseRecordKey(k); ok && !exists(conv, id) {
			drop = append(drop, gone{conv, id})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, g := range drop {
		if err := t.Forget(g.conv, g.id); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}
