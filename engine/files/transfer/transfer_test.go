package transfer

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/files"
	"github.com/nookchat/nook/engine/internal/leaktest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

func TestMain(m *testing.M) { os.Exit(leaktest.Check(m.Run())) }

const conv = model.ConversationID("contact")

// events collects FileChanged events.
type events chan model.FileTransfer

func (ev events) emit(e model.Event) {
	if f, ok := e.(model.FileChanged); ok {
		select {
		case ev <- f.File:
		default:
		}
	}
}

// newTransfers opens a real Badger store in a temporary folder.
func newTransfers(t *testing.T, chunkSize int, limit int64) (*Transfers, events) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	st, err := store.Open(t.TempDir(), store.Options{Key: key, Create: true, NoSync: true, MinFree: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev := make(events, 4096)
	return New(Config{Store: st, Emit: ev.emit, ChunkSize: chunkSize, MaxSize: func() int64 { return limit }}), ev
}

// sent is a file imported on the sender's side and its offer.
type sent struct {
	data  []byte
	id    model.MessageID
	offer *protocol.FileOffer
}

func importFile(t *testing.T, tr *Transfers, n int) sent {
	t.Helper()
	data := make([]byte, n)
	rand.Read(data)
	id := model.NewMessageID()
	if _, err := tr.Import(conv, id, time.Now(), bytes.NewReader(data), int64(n), "data.bin", "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	rec, err := tr.Offer(model.Message{ID: id, Conversation: conv, Sent: time.UnixMilli(1000).UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return sent{data, id, rec.(*protocol.FileOffer)}
}

// recorder is the peer of a session under test: it keeps what the
// session sends.
type recorder struct{ recs chan protocol.Record }

func newRecorder() *recorder { return &recorder{recs: make(chan protocol.Record, 1<<12)} }

func (r *recorder) send(rec protocol.Record) error {
	r.recs <- rec
	return nil
}

// next returns the next record sent, or fails after a while.
func (r *recorder) next(t *testing.T) protocol.Record {
	t.Helper()
	select {
	case rec := <-r.recs:
		return rec
	case <-time.After(10 * time.Second):
		t.Fatal("nothing sent")
		return nil
	}
}

// none checks that nothing is waiting to be read.
func (r *recorder) none(t *testing.T) {
	t.Helper()
	select {
	case rec := <-r.recs:
		t.Fatalf("unexpected %T %+v", rec, rec)
	default:
	}
}

// chunksStored counts the chunk keys of the bucket.
func chunksStored(t *testing.T, tr *Transfers) int {
	t.Helper()
	n := 0
	if err := tr.b.Iterate([]byte{'c'}, func(k, v []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// chunkOf builds chunk i of data as an honest sender would.
func chunkOf(id model.MessageID, data []byte, chunkSize, i int) *protocol.FileChunk {
	var leaves []files.Hash
	for off := 0; off < len(data); off += chunkSize {
		leaves = append(leaves, files.Leaf(data[off:min(len(data), off+chunkSize)]))
	}
	p := files.Proof(leaves, i)
	proof := make([][32]byte, len(p))
	copy(proof, p)
	return &protocol.FileChunk{ID: id, Index: uint32(i), Proof: proof, Data: data[i*chunkSize : min(len(data), (i+1)*chunkSize)]}
}

// relay links a session of alice's and one of bob's for conv, each
// sending to the other over a channel, and carries their records until
// files FileDone have reached alice (30 s at most). see is shown each
// record before it is handled, with whether it goes to bob.
func relay(t *testing.T, alice, bob *Transfers, files int, see func(toBob bool, r protocol.Record)) {
	t.Helper()
	toAlice, toBob := make(chan protocol.Record, 1024), make(chan protocol.Record, 1024)
	as := alice.Session(conv, func(r protocol.Record) error { toBob <- r; return nil })
	bs := bob.Session(conv, func(r protocol.Record) error { toAlice <- r; return nil })
	defer as.Close()
	defer bs.Close()
	if err := bs.Sync(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for done := 0; done < files; {
		select {
		case r := <-toAlice:
			see(false, r)
			if err := as.Handle(r); err != nil {
				t.Fatal(err)
			}
			if _, ok := r.(*protocol.FileDone); ok {
				done++
			}
		case r := <-toBob:
			see(true, r)
			if err := bs.Handle(r); err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatalf("%d of %d transfers finished", done, files)
		}
	}
}

// TestTransferBetweenSessions runs both sides' sessions against each
// other, over channels, with real stores.
func TestTransferBetweenSessions(t *testing.T) {
	alice, _ := newTransfers(t, protocol.MinChunkSize, 0)
	bob, bobEv := newTransfers(t, 0, 0)
	f := importFile(t, alice, 100*1024+17) // 101 chunks of 1 KiB, the last 17 bytes
	if _, err := bob.Offered(conv, f.offer); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Accept(conv, f.id); err != nil {
		t.Fatal(err)
	}
	requests := 0
	relay(t, alice, bob, 1, func(toBob bool, r protocol.Record) {
		if _, ok := r.(*protocol.FileRequest); ok && !toBob {
			requests++
		}
	})
	var buf bytes.Buffer
	if _, err := bob.WriteTo(conv, f.id, &buf); err != nil || !bytes.Equal(buf.Bytes(), f.data) {
		t.Fatalf("received file differs (%v)", err)
	}
	if got, _ := alice.File(conv, f.id); got.State != model.FileComplete || got.Done != int64(len(f.data)) {
		t.Fatalf("Alice: %+v", got)
	}
	// 101 chunks: a first request of a window, then one of a batch per
	// batch of chunks arrived.
	if want := 1 + (101-window+batch-1)/batch; requests != want {
		t.Fatalf("%d requests for 101 chunks, want %d", requests, want)
	}
	var last model.FileTransfer
	for len(bobEv) > 0 {
		last = <-bobEv
	}
	if last.State != model.FileComplete || last.Done != last.Size {
		t.Fatalf("Bob's last event %+v", last)
	}
}

// receiving sets up Bob's side of an accepted incoming file described by
// offer and returns his session (synced: its first request is read).
func receiving(t *testing.T, bob *Transfers, offer *protocol.FileOffer) (*Session, *recorder) {
	t.Helper()
	if _, err := bob.Offered(conv, offer); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Accept(conv, offer.ID); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	s := bob.Session(conv, rec.send)
	t.Cleanup(s.Close)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	q, ok := rec.next(t).(*protocol.FileRequest)
	if !ok || q.First != 0 || int(q.Count) != min(window, int(offer.Chunks())) {
		t.Fatalf("first request %+v", q)
	}
	return s, rec
}

// failedWith checks that Bob's transfer failed, that Alice was told and
// that no chunk is kept.
func failedWith(t *testing.T, bob *Transfers, rec *recorder, id model.MessageID) {
	t.Helper()
	f, err := bob.File(conv, id)
	if err != nil || f.State != model.FileFailed || f.Problem == "" {
		t.Fatalf("Bob's transfer %+v, %v", f, err)
	}
	if st, ok := rec.next(t).(*protocol.FileStop); !ok || st.Reason != protocol.StopFailed {
		t.Fatalf("Alice was told %+v", st)
	}
	if n := chunksStored(t, bob); n != 0 {
		t.Fatalf("%d chunks kept of a failed file", n)
	}
	if _, err := bob.WriteTo(conv, id, &bytes.Buffer{}); !errors.Is(err, ErrNotReady) {
		t.Fatalf("a failed file can be read: %v", err)
	}
}

// TestHostileSender plays senders that lie: about the whole file's hash,
// about its size (longer and shorter), with a chunk not in the tree, and
// with chunks nobody asked for.
func TestHostileSender(t *testing.T) {
	const cs = protocol.MinChunkSize
	data := make([]byte, 5*cs+100)
	rand.Read(data)
	var leaves []files.Hash
	for off := 0; off < len(data); off += cs {
		leaves = append(leaves, files.Leaf(data[off:min(len(data), off+cs)]))
	}
	honest := func() *protocol.FileOffer {
		return &protocol.FileOffer{ID: model.NewMessageID(), Sent: time.UnixMilli(1).UTC(), Size: uint64(len(data)),
			ChunkSize: cs, SHA256: sha256.Sum256(data), Root: files.Root(leaves), Name: "x"}
	}
	feed := func(t *testing.T, s *Session, o *protocol.FileOffer, n int) {
		for i := range n {
			c := chunkOf(o.ID, data, cs, i)
			c.ID = o.ID
			if err := s.Handle(c); err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("hash", func(t *testing.T) {
		bob, _ := newTransfers(t, 0, 0)
		o := honest()
		o.SHA256[0] ^= 1
		s, rec := receiving(t, bob, o)
		feed(t, s, o, 6)
		failedWith(t, bob, rec, o.ID)
	})
	t.Run("longer than said", func(t *testing.T) {
		bob, _ := newTransfers(t, 0, 0)
		o := honest()
		o.Size -= 50 // the last chunk has 100 bytes, the offer says 50
		s, rec := receiving(t, bob, o)
		feed(t, s, o, 6)
		failedWith(t, bob, rec, o.ID)
	})
	t.Run("shorter than said", func(t *testing.T) {
		bob, _ := newTransfers(t, 0, 0)
		o := honest()
		o.Size += 10 * cs // ten chunks more than exist
		s, rec := receiving(t, bob, o)
		feed(t, s, o, 6)
		failedWith(t, bob, rec, o.ID)
	})
	t.Run("not in the tree", func(t *testing.T) {
		bob, _ := newTransfers(t, 0, 0)
		o := honest()
		s, rec := receiving(t, bob, o)
		feed(t, s, o, 2)
		bad := chunkOf(o.ID, data, cs, 2)
		bad.Data = bytes.Clone(bad.Data)
		bad.Data[7] ^= 0x80
		if err := s.Handle(bad); err != nil {
			t.Fatal(err)
		}
		failedWith(t, bob, rec, o.ID)
	})
	t.Run("never-ending and out of range", func(t *testing.T) {
		bob, _ := newTransfers(t, 0, 0)
		o := honest()
		o.Size = uint64(len(data)) + 100*cs // room for chunks past the window
		s, rec := receiving(t, bob, o)
		// Out of order, past the window, past the file, and a thousand
		// more of one index: all dropped, nothing stored or counted.
		for _, i := range []uint32{3, window, window + 1, 1 << 20, 1<<32 - 1} {
			if err := s.Handle(&protocol.FileChunk{ID: o.ID, Index: i, Data: make([]byte, cs)}); err != nil {
				t.Fatal(err)
			}
		}
		for range 1000 {
			if err := s.Handle(&protocol.FileChunk{ID: o.ID, Index: 5, Data: make([]byte, cs)}); err != nil {
				t.Fatal(err)
			}
		}
		// A chunk for a file never offered.
		if err := s.Handle(&protocol.FileChunk{ID: model.NewMessageID(), Index: 0, Data: []byte{1}}); err != nil {
			t.Fatal(err)
		}
		if n := chunksStored(t, bob); n != 0 {
			t.Fatalf("%d unrequested chunks stored", n)
		}
		if f, _ := bob.File(conv, o.ID); f.State != model.FileTransferring || f.Done != 0 {
			t.Fatalf("after unrequested chunks: %+v", f)
		}
		rec.none(t)
	})
}

// TestRequestFlood: a receiver asking far beyond the window is
// disconnected; requests out of range are ignored.
func TestRequestFlood(t *testing.T) {
	alice, _ := newTransfers(t, protocol.MinChunkSize, 0)
	f := importFile(t, alice, 70*protocol.MinChunkSize)
	// A session whose sends block: its pump never drains the queue.
	block := make(chan struct{})
	s := alice.Session(conv, func(protocol.Record) error { <-block; return errors.New("closed") })
	defer s.Close()
	defer close(block)
	if err := s.Handle(&protocol.FileRequest{ID: f.id, First: 69, Count: 2}); err != nil {
		t.Fatalf("out of range: %v", err)
	}
	var err error
	for i := 0; i < 2*maxQueuedRequests && err == nil; i++ {
		err = s.Handle(&protocol.FileRequest{ID: f.id, First: 0, Count: 1})
	}
	if !errors.Is(err, errRequestFlood) {
		t.Fatalf("flood: %v", err)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	r := &record{Outgoing: true, ByContact: true, State: model.FileTooLarge, Key: [16]byte{1}, Name: "ü.txt",
		MediaType: "text/plain", Size: 12345, ChunkSize: 2048, SHA256: [32]byte{2}, Root: [32]byte{3}, Have: 7,
		HashState: []byte("state"), Pending: pendStop, Reason: protocol.StopTooLarge, Limit: 1 << 30,
		Sent: time.UnixMilli(1_780_000_000_123).UTC()}
	got, err := decodeRecord(encodeRecord(r))
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	g := *r
	g.Group, g.FileKey = true, [32]byte{4, 31: 5}
	if got, err := decodeRecord(encodeRecord(&g)); err != nil || !reflect.DeepEqual(got, &g) {
		t.Fatalf("round trip of a group file: %+v, %v", got, err)
	}
	v1 := encodeRecord(&g)
	v1[0] = 1
	if _, err := decodeRecord(v1); err == nil {
		t.Fatal("a layout 1 record with the group flag decoded")
	}
	b := encodeRecord(&g)
	for i := range b {
		if _, err := decodeRecord(b[:i]); err == nil {
			t.Fatalf("a record cut to %d bytes decoded", i)
		}
	}
	if _, err := decodeRecord(append(b, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(encodeRecord(&record{State: model.FileOffered, Name: "a", Size: 1, ChunkSize: 1024}))
	f.Add(encodeRecord(&record{Outgoing: true, State: model.FileComplete, Name: "b", Size: 1 << 30, ChunkSize: 61440, Have: 17477, Pending: pendDone}))
	f.Add(encodeRecord(&record{State: model.FileTransferring, Name: "c", Size: 5000, ChunkSize: 1024, Have: 2, Group: true, FileKey: [32]byte{9}}))
	if v1, err := os.ReadFile(filepath.Join("testdata", "record-v1.bin")); err == nil {
		f.Add(v1) // written by layout 1's code
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b)
		if err != nil {
			return
		}
		if r.Have > r.chunks() || r.ChunkSize < protocol.MinChunkSize {
			t.Fatalf("decoded an impossible record %+v", r)
		}
		again := encodeRecord(r)
		if b[0] == 1 { // layout 1 is layout 2 without groups
			again[0] = 1
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs")
		}
	})
}

// TestOfferedNameCleaned: an offered name that would display as another
// ("invoice\u202efdp.exe" shows as "invoiceexe.pdf") is kept, shown and
// saved cleaned.
func TestOfferedNameCleaned(t *testing.T) {
	bob, _ := newTransfers(t, 0, 0)
	o := &protocol.FileOffer{ID: model.NewMessageID(), Size: 10, ChunkSize: protocol.MinChunkSize, Name: "invoice\u202efdp.exe"}
	if _, err := bob.Offered(conv, o); err != nil {
		t.Fatal(err)
	}
	f, err := bob.File(conv, o.ID)
	if err != nil || f.Name != "invoicefdp.exe" {
		t.Fatalf("name %q, %v", f.Name, err)
	}
}
