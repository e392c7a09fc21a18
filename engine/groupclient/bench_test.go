package groupclient

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/wire"
)

// streamServer serves a subscription of n blobs over the loopback
// transport: every ourEvery-th blob is one of ours (sealed), the others
// random bytes (drawn once, 256 of them in turn), which to a client are
// indistinguishable from other groups' blobs. It sends them eight to a
// write, as the group server does. It measures the client's catch-up, not
// a server's storage.
type streamServer struct {
	id     *identity.Identity
	bundle *invite.Bundle
	ln     net.Listener
	n      int
	every  int
	ours   [][]byte
	others [256][protocol.BlobSize]byte
	done   chan struct{}
}

func (s *streamServer) blob(seq int, dst *[protocol.BlobSize]byte) {
	if seq%s.every == 0 {
		copy(dst[:], s.ours[seq/s.every-1])
		return
	}
	*dst = s.others[seq%len(s.others)]
}

func (s *streamServer) serve() {
	defer close(s.done)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			sess, err := handshake.Server(context.Background(), c, s.id, nil)
			if err != nil {
				return
			}
			defer sess.Close()
			r, err := sess.Recv()
			sub, ok := r.(*protocol.Subscribe)
			if err != nil || !ok {
				return
			}
			if sub.Cursor != math.MaxUint64 {
				var batch []protocol.Record
				for seq := int(sub.Cursor) + 1; seq <= s.n; seq++ {
					out := &protocol.Blob{Seq: uint64(seq)}
					s.blob(seq, &out.Blob)
					if batch = append(batch, out); len(batch) == 8 || seq == s.n {
						if sess.SendAll(batch) != nil {
							return
						}
						batch = batch[:0]
					}
				}
			}
			sess.Send(&protocol.CaughtUp{Head: uint64(s.n), Oldest: 1})
			sess.Recv() // until the client leaves
		}()
	}
}

// BenchmarkCatchUp catches up with 100 000 blobs over loopback, 1 % of them
// the member's own group's, and measures, in the same run, the floor of a
// catch-up: opening the 100 000 authenticated 8 KiB frames the blobs arrive
// in (engine/wire's ChaCha20-Poly1305, one frame per blob), reported as
// frames/s and as the ratio catchup/frames (issue 20's target: at least
// 0.5). It also reports what failed AEAD opens of the same blobs cost (the
// trial decryption a client without tags would do).
func BenchmarkCatchUp(b *testing.B) {
	const n, every = 100_000, 100
	tr := network()
	srvID, _ := identity.Generate(rand.Reader)
	bundle := &invite.Bundle{Version: invite.BundleVersion, Address: srvID.Address(), Created: time.Now().Truncate(time.Second)}
	ik, err := tokens.GenerateIssuerKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	bundle.TokenKey = ik.Public()
	if err := bundle.Sign(srvID); err != nil {
		b.Fatal(err)
	}
	var key [group.KeySize]byte
	rand.Read(key[:])
	g, err := group.New(key, bundle.SigningKey)
	if err != nil {
		b.Fatal(err)
	}
	author := seedIdentity(b, "author")
	s := &streamServer{id: srvID, bundle: bundle, n: n, every: every, done: make(chan struct{})}
	rnd := mrand.NewChaCha8([32]byte{1})
	for i := range s.others {
		rnd.Read(s.others[i][:])
	}
	var prev group.MessageID
	for i := 1; i <= n/every; i++ {
		m := group.Message{Seq: uint64(i), Sent: time.Now(), Kind: group.KindText, Prev: prev,
			Text: fmt.Sprintf("message %d of a benchmark, about a sentence long.", i)}
		blob, err := g.Seal(nil, author, &m)
		if err != nil {
			b.Fatal(err)
		}
		prev = m.ID
		s.ours = append(s.ours, blob)
	}
	if s.ln, err = tr.Listen(context.Background(), srvID); err != nil {
		b.Fatal(err)
	}
	go s.serve()
	defer func() { s.ln.Close(); <-s.done }()
	inv, err := invite.NewGroupInvite("bench", key, bundle)
	if err != nil {
		b.Fatal(err)
	}

	// A sealed frame to open, as the session's receiving side does.
	var frameKey [chacha20poly1305.KeySize]byte
	rand.Read(frameKey[:])
	fa, err := chacha20poly1305.New(frameKey[:])
	if err != nil {
		b.Fatal(err)
	}
	frame := fa.Seal(nil, make([]byte, chacha20poly1305.NonceSize), make([]byte, wire.PlaintextSize), nil)
	if len(frame) != wire.FrameSize {
		b.Fatalf("frame of %d bytes", len(frame))
	}
	plain := make([]byte, 0, wire.PlaintextSize)
	var nonce [chacha20poly1305.NonceSize]byte

	var catchUp, aead, frames time.Duration
	for b.Loop() {
		m := newBenchMember(b, tr)
		start := time.Now()
		if _, err := m.c.JoinGroup(inv); err != nil {
			b.Fatal(err)
		}
		m.ev.waitFor(b, "caught up", func(evs []model.Event) bool {
			return count(evs, func(e model.GroupSync) bool { return e.CaughtUp }) > 0
		})
		catchUp += time.Since(start)
		if got := len(m.messages(g.ID().Conversation())); got != n/every {
			b.Fatalf("stored %d messages, want %d", got, n/every)
		}
		m.stop()
		m.st.Close()

		// Failed AEAD opens of the same blobs, under a key that is not theirs.
		var wrong [32]byte
		rand.Read(wrong[:])
		x, _ := chacha20poly1305.NewX(wrong[:])
		var blob [protocol.BlobSize]byte
		dst := make([]byte, 0, protocol.BlobSize)
		start = time.Now()
		for seq := 1; seq <= n; seq++ {
			s.blob(seq, &blob)
			if _, err := x.Open(dst, blob[16:40], blob[40:], nil); err == nil {
				b.Fatal("opened")
			}
		}
		aead += time.Since(start)

		// The floor: opening one authenticated frame per blob.
		start = time.Now()
		for range n {
			if _, err := fa.Open(plain, nonce[:], frame, nil); err != nil {
				b.Fatal(err)
			}
		}
		frames += time.Since(start)
	}
	iters := float64(b.N)
	b.ReportMetric(n*iters/catchUp.Seconds(), "blobs/s")
	b.ReportMetric(n*iters/frames.Seconds(), "frames/s")
	b.ReportMetric(frames.Seconds()/catchUp.Seconds(), "catchup/frames")
	b.ReportMetric(n*iters/aead.Seconds(), "failed-aead/s")
}

func newBenchMember(b *testing.B, tr transport.Transport) *member {
	b.Helper()
	m := newMember(b, tr, "bench")
	return m
}
