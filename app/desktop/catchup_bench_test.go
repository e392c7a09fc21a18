package main

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/transport"
)

// startBenchServer starts a group server on tr, without proof of work,
// synced writes or a post cap (a benchmark's server), closed when b ends.
func startBenchServer(b *testing.B, ctx context.Context, dir string, tr transport.Transport) *groupserver.Server {
	b.Helper()
	s, err := groupserver.New(groupserver.Config{DataDir: dir, Transport: tr, PoWBits: groupserver.NoPoW,
		NoSync: true, PostsPerDay: groupserver.NoPostCap, RecordRate: 1e6, RecordBurst: 1e6, MaxBlobs: 1_000_000, MaxBytes: 8 << 30})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// fillServer posts n random blobs (no group's: every member rejects them
// by their tag) to the server of bundle, from 4 connections at once:
// through the server's own post path, each blob with a token the server
// issued and then redeems, so the catch-up reads what members' posts
// would have left.
func fillServer(b *testing.B, ctx context.Context, tr transport.Transport, bundle *invite.Bundle, n int) {
	b.Helper()
	const conns = 4
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := postRandom(ctx, tr, bundle, n/conns+min(1, max(0, n%conns-i))); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// postRandom posts n random blobs over one connection, with tokens it
// obtains on it. It does not wait for each post's result before sending
// the next: a batch of tokens' posts goes out in one write, the next
// batch's tokens are asked for behind it, and a goroutine reads the
// answers as they come (a post a round trip made 100 000 blobs take
// minutes on the shared machine). Every post's result is still checked.
func postRandom(ctx context.Context, tr transport.Transport, bundle *invite.Bundle, n int) error {
	sess, err := enginetest.DialServer(ctx, tr, bundle.Address)
	if err != nil {
		return err
	}
	// The reader: each post's result is checked here, every other record
	// is handed on in order. Closing the session ends it.
	records := make(chan protocol.Record, 4)
	readErr := make(chan error, 1)
	results := make(chan struct{}, n)
	done, readerDone := make(chan struct{}), make(chan struct{})
	defer func() {
		close(done)
		sess.Close()
		<-readerDone
	}()
	go func() {
		defer close(readerDone)
		defer close(records)
		for {
			r, err := sess.Recv()
			if err != nil {
				readErr <- err
				return
			}
			if res, ok := r.(*protocol.PostResult); ok {
				if res.Status != protocol.PostOK {
					readErr <- errUnexpected(r)
					return
				}
				results <- struct{}{}
				continue
			}
			select {
			case records <- r:
			case <-done:
				return
			}
		}
	}()
	recv := func() (protocol.Record, error) {
		select {
		case r, ok := <-records:
			if !ok {
				return nil, <-readErr
			}
			return r, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	posts := make([]protocol.Record, 0, tokens.MaxBatch)
	for sent := 0; sent < n; {
		if err := sess.Send(&protocol.TokenChallengeRequest{}); err != nil {
			return err
		}
		r, err := recv()
		if err != nil {
			return err
		}
		ch, ok := r.(*protocol.TokenChallenge)
		if !ok {
			return errUnexpected(r)
		}
		req, err := tokens.NewRequest(tokens.PublicKey(bundle.TokenKey), min(n-sent, tokens.MaxBatch), rand.Reader)
		if err != nil {
			return err
		}
		nonce, err := tokens.SolvePoW(ctx, ch.Challenge, ch.Bits, req.Blinded())
		if err != nil {
			return err
		}
		if err := sess.Send(&protocol.TokenRequest{Challenge: ch.Challenge, Blinded: req.Blinded(), Nonce: nonce}); err != nil {
			return err
		}
		if r, err = recv(); err != nil {
			return err
		}
		resp, ok := r.(*protocol.TokenResponse)
		if !ok {
			return errUnexpected(r)
		}
		toks, err := req.Finalize(resp.Evaluated, resp.Proof)
		if err != nil {
			return err
		}
		posts = posts[:0]
		for i := range toks {
			tok, _ := toks[i].MarshalBinary()
			blob := make([]byte, protocol.BlobSize)
			rand.Read(blob)
			posts = append(posts, &protocol.Post{Blob: blob, Token: tok})
		}
		if err := sess.SendAll(posts); err != nil {
			return err
		}
		sent += len(posts)
	}
	for range n {
		select {
		case <-results:
		case err := <-readErr:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

type unexpectedRecord struct{ t protocol.Type }

func (u unexpectedRecord) Error() string { return "unexpected record " + u.t.String() }

func errUnexpected(r protocol.Record) error { return unexpectedRecord{r.Type()} }
