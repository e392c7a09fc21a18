package groupclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/transport"
)

// proxy is a group server as the tests want it to behave: it is a real
// server (the groupserver library behind it does the storing, the tokens
// and the streaming) whose stream of blobs to subscribers passes through a
// mangle function, and which records everything clients send it. Its
// bundle is its own (signed with its own key) and carries the real
// server's token key, so tokens are issued and redeemed by the real server.
type proxy struct {
	t        testing.TB
	id       *identity.Identity
	bundle   *invite.Bundle
	upstream identity.Address
	tr       transport.Transport
	ln       net.Listener
	wg       sync.WaitGroup

	mu     sync.Mutex // guards everything below
	mangle func(*protocol.Blob) []*protocol.Blob
	posts  [][]byte           // every posted blob
	peers  []identity.Address // the dialler identity of every connection
	perCon map[int]int        // posts per connection
	seen   [][]byte           // every record a client sent, encoded
	conns  map[net.Conn]bool
	// dropResults is the number of PostResults still to be withheld (the
	// connection is closed instead): the server stored the post, the
	// client never learns it.
	dropResults int
	// dropGate, when set, holds a withheld PostResult's connection open
	// until it is closed: the connection closes after the client saw its
	// post come back through its subscription.
	dropGate chan struct{}
	// recorded is closed and replaced whenever a client record is recorded.
	recorded chan struct{}
	// paused makes the proxy close every new connection at once.
	paused bool
	// noCaughtUp makes the proxy drop every CaughtUp: the server stays
	// connected and never catches up.
	noCaughtUp bool
	// acceptBlobs passes the clients' AcceptBlobs on to the server; unset,
	// the proxy drops it, so the server behaves as one that predates Blobs
	// records (a Blob record a blob, which mangle sees one by one).
	acceptBlobs bool
	// probeFromZero turns a client's probe of the head (Subscribe from
	// 2^64-1) into a Subscribe from 0, as group servers before
	// TestSubscribePastHead's fix answered it: every stored blob first.
	probeFromZero bool
	// packed counts the Blobs records passed on to clients.
	packed int
	// label is attached to the subscriptions recorded while it is set.
	label string
	subs  []recordedSub
	sent  map[int]uint64 // per connection, the highest blob seq sent to the client
}

// recordedSub is a Subscribe a client sent (probes past every seq excluded).
type recordedSub struct {
	conn   int
	cursor uint64
	label  string
}

func startProxy(t testing.TB, tr transport.Transport, upstream *invite.Bundle) *proxy {
	t.Helper()
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b := &invite.Bundle{Version: invite.BundleVersion, Address: id.Address(), TokenKey: upstream.TokenKey,
		Created: time.Now().Truncate(time.Second)}
	if err := b.Sign(id); err != nil {
		t.Fatal(err)
	}
	ln, err := tr.Listen(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, id: id, bundle: b, upstream: upstream.Address, tr: tr, ln: ln,
		perCon: map[int]int{}, conns: map[net.Conn]bool{}, sent: map[int]uint64{}, recorded: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	return p
}

func (p *proxy) setMangle(f func(*protocol.Blob) []*protocol.Blob) {
	p.mu.Lock()
	p.mangle = f
	p.mu.Unlock()
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) track(c net.Conn, on bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
	return true
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for n := 0; ; n++ {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.track(c, true)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.track(c, false)
			defer c.Close()
			p.serve(n, c)
		}()
	}
}

// setPaused pauses or resumes the proxy.
func (p *proxy) setPaused(on bool) {
	p.mu.Lock()
	p.paused = on
	p.mu.Unlock()
}

// count returns the number of records of type typ clients sent.
func (p *proxy) count(typ protocol.Type) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.seen {
		if len(r) > 0 && protocol.Type(r[0]) == typ {
			n++
		}
	}
	return n
}

// waitCount waits until clients sent n records of type typ.
func (p *proxy) waitCount(t testing.TB, typ protocol.Type, n int) {
	t.Helper()
	waitChange(t, func() (bool, <-chan struct{}) {
		p.mu.Lock()
		changed := p.recorded
		p.mu.Unlock()
		return p.count(typ) >= n, changed
	}, func() string { return fmt.Sprintf("%d records of type %s", n, typ) })
}

func (p *proxy) serve(n int, raw net.Conn) {
	p.mu.Lock()
	paused := p.paused
	p.mu.Unlock()
	if paused {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	down, err := handshake.Server(ctx, raw, p.id, nil)
	if err != nil {
		return
	}
	defer down.Close()
	p.mu.Lock()
	p.peers = append(p.peers, down.Peer())
	p.mu.Unlock()
	upRaw, err := p.tr.Dial(ctx, p.upstream)
	if err != nil {
		return
	}
	p.track(upRaw, true)
	defer p.track(upRaw, false)
	throwaway, _ := identity.Generate(rand.Reader)
	up, err := handshake.Client(ctx, upRaw, throwaway, p.upstream, nil)
	if err != nil {
		upRaw.Close()
		return
	}
	defer up.Close()
	done := make(chan struct{})
	go func() { // server → client, through mangle
		defer close(done)
		defer down.Close()
		for {
			r, err := up.Recv()
			if err != nil {
				return
			}
			out := []protocol.Record{r}
			if _, ok := r.(*protocol.CaughtUp); ok {
				p.mu.Lock()
				drop := p.noCaughtUp
				p.mu.Unlock()
				if drop {
					continue
				}
			}
			if _, ok := r.(*protocol.PostResult); ok {
				p.mu.Lock()
				drop := p.dropResults > 0
				if drop {
					p.dropResults--
				}
				gate := p.dropGate
				p.mu.Unlock()
				if drop {
					if gate != nil {
						select {
						case <-gate:
						case <-ctx.Done():
						}
					}
					return
				}
			}
			if _, ok := r.(*protocol.Blobs); ok {
				p.mu.Lock()
				p.packed++
				p.mu.Unlock()
			}
			if b, ok := r.(*protocol.Blob); ok {
				p.mu.Lock()
				mangle := p.mangle
				p.sent[n] = max(p.sent[n], b.Seq)
				p.mu.Unlock()
				if mangle != nil {
					out = out[:0]
					for _, m := range mangle(b) {
						out = append(out, m)
					}
				}
			}
			for _, r := range out {
				if down.Send(r) != nil {
					return
				}
			}
		}
	}()
	for { // client → server, recorded
		r, err := down.Recv()
		if errors.Is(err, protocol.ErrMalformed) {
			continue
		}
		if err != nil {
			break
		}
		enc, _ := protocol.Encode(r)
		p.mu.Lock()
		p.seen = append(p.seen, enc)
		close(p.recorded)
		p.recorded = make(chan struct{})
		if post, ok := r.(*protocol.Post); ok {
			p.posts = append(p.posts, append([]byte(nil), post.Blob...))
			p.perCon[n]++
		}
		if sub, ok := r.(*protocol.Subscribe); ok && sub.Cursor != math.MaxUint64 {
			p.subs = append(p.subs, recordedSub{conn: n, cursor: sub.Cursor, label: p.label})
		}
		_, accept := r.(*protocol.AcceptBlobs)
		drop := accept && !p.acceptBlobs
		if sub, ok := r.(*protocol.Subscribe); ok && sub.Cursor == math.MaxUint64 && p.probeFromZero {
			r = &protocol.Subscribe{}
		}
		p.mu.Unlock()
		if drop {
			continue // as a server that does not know it ignores it
		}
		if up.Send(r) != nil {
			break
		}
	}
	up.Close()
	<-done
}

// dropNextResults has the proxy withhold the next n PostResults.
func (p *proxy) dropNextResults(n int) {
	p.mu.Lock()
	p.dropResults = n
	p.mu.Unlock()
}

// dropNextResultsAfter is dropNextResults, each withheld answer's
// connection closing only once gate is closed.
func (p *proxy) dropNextResultsAfter(n int, gate chan struct{}) {
	p.mu.Lock()
	p.dropResults, p.dropGate = n, gate
	p.mu.Unlock()
}

// firstPosts returns the first n blobs posted through the proxy.
func (p *proxy) firstPosts(n int) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts[:n])
}

// sharedRun returns where the first run of 8 bytes of b that also appears
// in a starts, or -1 when b shares no such run with a.
func sharedRun(a, b []byte) int {
	for i := 0; i+8 <= len(b); i++ {
		if bytes.Contains(a, b[i:i+8]) {
			return i
		}
	}
	return -1
}
