package transfer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/transport/loopback"
)

const gconv = model.ConversationID("g:newsroom")

// groupChunk is the chunk size of the group tests' files: small, so that
// a file of a few hundred KiB spans several windows.
const groupChunk = 4 << 10

// member is one profile of a group test: its transfers on a real Badger
// store, its transport on a loopback network and its file service's
// identity.
type member struct {
	tr      *Transfers
	net     *loopback.Transport
	service *identity.Identity
}

func newMembers(t *testing.T, n int) []*member {
	t.Helper()
	nets := loopback.NewNetwork(n)
	out := make([]*member, n)
	for i := range out {
		tr, _ := newTransfers(t, groupChunk, 0)
		id, err := identity.Generate(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = &member{tr: tr, net: nets[i], service: id}
	}
	return out
}

// serve starts m's file service; it stops at the end of the test, or
// when the returned function is called.
func (m *member) serve(t *testing.T) (stop func()) {
	t.Helper()
	s, err := m.tr.StartFileService(context.Background(), m.net, gconv, m.service, nil)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { s.Close() }) }
	t.Cleanup(stop)
	return stop
}

// share imports n random bytes as a group file of m.
func (m *member) share(t *testing.T, n int) ([]byte, GroupOffer) {
	t.Helper()
	data := make([]byte, n)
	rand.Read(data)
	_, o, err := m.tr.ImportGroup(gconv, model.NewMessageID(), time.Now(), bytes.NewReader(data), int64(n), "minutes.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	return data, o
}

// offered has m record the announcement o: the file is offered.
func (m *member) offered(t *testing.T, o GroupOffer) {
	t.Helper()
	if _, err := m.tr.OfferedGroup(gconv, o); err != nil {
		t.Fatal(err)
	}
}

// newOnion is the onion address of a new identity, as of a member or a
// file service a test names.
func newOnion(t *testing.T) identity.Address {
	t.Helper()
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return id.Address()
}

// fetch records the announcement o, accepts it and fetches it from
// sources.
func (m *member) fetch(t *testing.T, o GroupOffer, sources ...identity.Address) error {
	t.Helper()
	if _, err := m.tr.File(gconv, o.ID); errors.Is(err, ErrNotFound) {
		if _, err := m.tr.OfferedGroup(gconv, o); err != nil {
			t.Fatal(err)
		}
		if _, err := m.tr.Accept(gconv, o.ID); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return m.tr.FetchGroup(ctx, gconv, o.ID, sources, Dialer(m.net, nil))
}

// holds checks that m holds data, complete and verified, under o.
func (m *member) holds(t *testing.T, o GroupOffer, data []byte) {
	t.Helper()
	ft, err := m.tr.File(gconv, o.ID)
	if err != nil || ft.State != model.FileComplete || ft.SHA256 != sha256.Sum256(data) {
		t.Fatalf("file %+v, %v; want it complete", ft, err)
	}
	var got bytes.Buffer
	if _, err := m.tr.WriteTo(gconv, o.ID, &got); err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("stored file differs (%d of %d bytes, %v)", got.Len(), len(data), err)
	}
}

// TestGroupFetchAfterAuthorLeaves: the test, between three
// profiles' transfers on real stores over the loopback transport. Alice
// shares a file; Bob fetches it from her file service; Alice goes
// offline; Carol, given both sources, gets it from Bob, verified.
func TestGroupFetchAfterAuthorLeaves(t *testing.T) {
	m := newMembers(t, 3)
	alice, bob, carol := m[0], m[1], m[2]
	data, o := alice.share(t, 300_000) // 74 chunks: several windows
	aliceOff := alice.serve(t)
	if err := bob.fetch(t, o, alice.service.Address()); err != nil {
		t.Fatalf("Bob's fetch from Alice: %v", err)
	}
	bob.holds(t, o, data)
	bob.serve(t)
	aliceOff()
	if err := carol.fetch(t, o, alice.service.Address(), bob.service.Address()); err != nil {
		t.Fatalf("Carol's fetch after Alice left: %v", err)
	}
	carol.holds(t, o, data)
	// Without Bob either, a fresh member gets nothing and is told why.
	dave := newMembers(t, 1)[0]
	dave.net = carol.net
	if err := dave.fetch(t, o, alice.service.Address()); !errors.Is(err, ErrNoSource) {
		t.Fatalf("fetch with no source online: %v", err)
	}
}

// hostile is a file service that serves data as an honest one would,
// except what lie changes: it returns the chunk to send for chunk i (nil:
// a FileStop instead).
func hostile(t *testing.T, tr *loopback.Transport, id model.MessageID, data []byte, lie func(c *protocol.FileChunk) *protocol.FileChunk) identity.Address {
	addr, _ := hostileSeeing(t, tr, id, data, lie)
	return addr
}

// hostileSeeing is hostile, and also returns the identities that fetched
// from it so far.
func hostileSeeing(t *testing.T, tr *loopback.Transport, id model.MessageID, data []byte, lie func(c *protocol.FileChunk) *protocol.FileChunk) (identity.Address, func() []identity.Address) {
	t.Helper()
	var mu sync.Mutex
	var peers []identity.Address
	addr := fakeService(t, tr, func(s *handshake.Session) {
		mu.Lock()
		peers = append(peers, s.Peer())
		mu.Unlock()
		for {
			q, ok := nextRequest(s)
			if !ok {
				return
			}
			for i := q.First; i < q.First+uint32(q.Count); i++ {
				c := lie(chunkOf(id, data, groupChunk, int(i)))
				if c == nil {
					s.Send(&protocol.FileStop{ID: id, Reason: protocol.StopUnavailable})
					// Until the fetcher closes: closing with its
					// requests unread would reset the connection
					// and lose the chunks still on their way.
					for {
						if _, err := s.Recv(); err != nil {
							return
						}
					}
				}
				if s.Send(c) != nil {
					return
				}
			}
		}
	})
	return addr, func() []identity.Address {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(peers)
	}
}

// TestGroupFetchHostileSource: a source that serves a chunk not in the
// tree, a chunk of a lying length, a chunk nobody asked for, or stops,
// is dropped at once; what it sent verified before is kept, and the next
// source completes the file. With no honest source the fetch ends with
// ErrNoSource and nothing unverified is stored.
func TestGroupFetchHostileSource(t *testing.T) {
	const bad = 40 // the chunk the hostile sources lie about
	lies := map[string]func(c *protocol.FileChunk) *protocol.FileChunk{
		"wrong bytes": func(c *protocol.FileChunk) *protocol.FileChunk {
			if c.Index == bad {
				c.Data = bytes.Clone(c.Data)
				c.Data[7] ^= 1
			}
			return c
		},
		"longer than the size": func(c *protocol.FileChunk) *protocol.FileChunk {
			if c.Index == bad {
				c.Data = append(bytes.Clone(c.Data), 0)
			}
			return c
		},
		"shorter than the size": func(c *protocol.FileChunk) *protocol.FileChunk {
			if c.Index == bad {
				c.Data = c.Data[:len(c.Data)-1]
			}
			return c
		},
		"another chunk's proof": func(c *protocol.FileChunk) *protocol.FileChunk {
			if c.Index == bad {
				c.Index = bad + 1
			}
			return c
		},
		"stops": func(c *protocol.FileChunk) *protocol.FileChunk {
			if c.Index == bad {
				return nil
			}
			return c
		},
	}
	for name, lie := range lies {
		t.Run(name, func(t *testing.T) {
			m := newMembers(t, 3)
			alice, bob, carol := m[0], m[1], m[2]
			data, o := alice.share(t, 300_000)
			liar, seen := hostileSeeing(t, bob.net, o.ID, data, lie)
			if err := carol.fetch(t, o, liar); !errors.Is(err, ErrNoSource) {
				t.Fatalf("fetch from the liar alone: %v", err)
			}
			ft, err := carol.tr.File(gconv, o.ID)
			if err != nil || ft.State != model.FileTransferring || ft.Done != bad*groupChunk {
				t.Fatalf("after the liar: %+v, %v; want the %d chunks verified before its lie kept", ft, err, bad)
			}
			// Tried again alone, it is dropped at the same chunk.
			if err := carol.fetch(t, o, liar); !errors.Is(err, ErrNoSource) {
				t.Fatalf("fetch from the liar alone again: %v", err)
			}
			// The source saw two fetches from two throwaway identities,
			// neither Carol's file service.
			if p := seen(); len(p) != 2 || p[0] == p[1] || slices.Contains(p, carol.service.Address()) {
				t.Fatalf("the source saw the fetcher as %v", p)
			}
			alice.serve(t)
			if err := carol.fetch(t, o, liar, alice.service.Address()); err != nil {
				t.Fatalf("fetch from the liar and Alice: %v", err)
			}
			carol.holds(t, o, data)
			// Asked at once, the liar may or may not have been reached
			// before Alice sent the rest: never under an identity seen
			// before.
			p := seen()
			slices.Sort(p)
			if len(p) < 2 || len(slices.Compact(p)) != len(seen()) || slices.Contains(p, carol.service.Address()) {
				t.Fatalf("the source saw the fetcher as %v", seen())
			}
		})
	}
}

// TestGroupFetchProof: a member's file service answers a fetch without
// the file key, with a proof made for another session, or for a file it
// does not hold, alike (FileStop unavailable), and serves nothing; with
// the right proof it serves. A member removed by a rotation never reads
// the key of a file announced after it, so it is in the first case.
func TestGroupFetchProof(t *testing.T) {
	m := newMembers(t, 2)
	alice, eve := m[0], m[1]
	_, o := alice.share(t, 10_000)
	alice.serve(t)
	dial := Dialer(eve.net, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	other, err := dial(ctx, alice.service.Address())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	unknown := model.NewMessageID()
	cases := map[string]func(c GroupConn) *protocol.FileFetch{
		"no key": func(c GroupConn) *protocol.FileFetch {
			return &protocol.FileFetch{ID: o.ID, Proof: FetchProof([32]byte{1}, c.ChannelBinding())}
		},
		"other session": func(GroupConn) *protocol.FileFetch {
			return &protocol.FileFetch{ID: o.ID, Proof: FetchProof(o.Key, other.ChannelBinding())}
		},
		"unknown file": func(c GroupConn) *protocol.FileFetch {
			return &protocol.FileFetch{ID: unknown, Proof: FetchProof(o.Key, c.ChannelBinding())}
		},
		"member": func(c GroupConn) *protocol.FileFetch {
			return &protocol.FileFetch{ID: o.ID, Proof: FetchProof(o.Key, c.ChannelBinding())}
		},
	}
	for name, fetch := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := dial(ctx, alice.service.Address())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			f := fetch(c)
			if err := c.Send(f); err != nil {
				t.Fatal(err)
			}
			if err := c.Send(&protocol.FileRequest{ID: f.ID, Count: 1}); err != nil {
				t.Fatal(err)
			}
			rec, err := c.Recv()
			if err != nil {
				t.Fatal(err)
			}
			switch r := rec.(type) {
			case *protocol.FileStop:
				if name == "member" || r.Reason != protocol.StopUnavailable || r.ID != f.ID {
					t.Fatalf("got %+v", r)
				}
			case *protocol.FileChunk:
				if name != "member" || r.Index != 0 {
					t.Fatalf("served chunk %d", r.Index)
				}
			default:
				t.Fatalf("got %T", rec)
			}
		})
	}
}

// TestGroupFetchCancelled: a fetch whose file the person cancels while it
// arrives ends with ErrNotGroupFile, keeps nothing and never reports the
// file as here.
func TestGroupFetchCancelled(t *testing.T) {
	m := newMembers(t, 3)
	alice, bob, carol := m[0], m[1], m[2]
	data, o := alice.share(t, 300_000)
	var once sync.Once
	src := hostile(t, bob.net, o.ID, data, func(c *protocol.FileChunk) *protocol.FileChunk {
		if c.Index == 20 {
			once.Do(func() {
				if _, err := carol.tr.Cancel(gconv, o.ID); err != nil {
					t.Error(err)
				}
			})
		}
		return c
	})
	if err := carol.fetch(t, o, src); !errors.Is(err, ErrNotGroupFile) {
		t.Fatalf("a cancelled fetch ended with %v", err)
	}
	if ft, err := carol.tr.File(gconv, o.ID); err != nil || ft.State != model.FileCancelled || ft.Done != 0 {
		t.Fatalf("after the cancel: %+v, %v", ft, err)
	}
	if n := chunksStored(t, carol.tr); n != 0 {
		t.Fatalf("%d chunks kept of a cancelled file", n)
	}
}

// TestGroupSourcesPerMember: a hostile member names one invented source
// after another; each replaces the one before, so the file has one source
// of theirs besides the author's and an honest holder's, and a note that
// repeats another member's source does not take it over. Sources stored
// by the version before (addresses without their members) still read,
// and a new source goes after them.
func TestGroupSourcesPerMember(t *testing.T) {
	m := newMembers(t, 2)
	alice, carol := m[0], m[1]
	_, o := alice.share(t, 10_000)
	carol.offered(t, o)
	author, hostile, honest := newOnion(t), newOnion(t), newOnion(t)
	if added, err := carol.tr.AddSource(gconv, o.ID, author, alice.service.Address()); err != nil || !added {
		t.Fatalf("the author's source: %v, %v", added, err)
	}
	var last identity.Address
	for range 2 * maxSources {
		last = newOnion(t)
		if added, err := carol.tr.AddSource(gconv, o.ID, hostile, last); err != nil || !added {
			t.Fatalf("the hostile member's note: %v, %v", added, err)
		}
	}
	if added, err := carol.tr.AddSource(gconv, o.ID, honest, alice.service.Address()); err != nil || added {
		t.Fatalf("a note naming the author's source: %v, %v", added, err)
	}
	bob := newOnion(t)
	if added, err := carol.tr.AddSource(gconv, o.ID, honest, bob); err != nil || !added {
		t.Fatalf("the honest member's note: %v, %v", added, err)
	}
	got, err := carol.tr.Sources(gconv, o.ID)
	if want := []identity.Address{alice.service.Address(), last, bob}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("sources %v, %v; want %v", got, err, want)
	}

	// The layout before: 32-byte addresses, no members.
	old := append(append([]byte(nil), alice.service.Address().PublicKey()...), last.PublicKey()...)
	if err := carol.tr.b.Put(sourcesKey(gconv, o.ID), old); err != nil {
		t.Fatal(err)
	}
	if added, err := carol.tr.AddSource(gconv, o.ID, honest, bob); err != nil || !added {
		t.Fatalf("a note after sources of the layout before: %v, %v", added, err)
	}
	got, err = carol.tr.Sources(gconv, o.ID)
	if want := []identity.Address{alice.service.Address(), last, bob}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("sources after the layout before %v, %v; want %v", got, err, want)
	}
	if err := carol.tr.b.Put(sourcesKey(gconv, o.ID), []byte{sourcesVersion, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.tr.Sources(gconv, o.ID); !errors.Is(err, errCorrupt) {
		t.Fatalf("a damaged sources record: %v", err)
	}
}
