package main

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
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
// by their tag) to the server of bundle, from 4 connections at once.
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
// obtains on it.
func postRandom(ctx context.Context, tr transport.Transport, bundle *invite.Bundle, n int) error {
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		return err
	}
	raw, err := tr.Dial(ctx, bundle.Address)
	if err != nil {
		return err
	}
	sess, err := handshake.Client(ctx, raw, id, bundle.Address, nil)
	if err != nil {
		raw.Close()
		return err
	}
	defer sess.Close()
	recv := func() (protocol.Record, error) { return sess.Recv() }
	blob := make([]byte, protocol.BlobSize)
	for done := 0; done < n; {
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
		req, err := tokens.NewRequest(tokens.PublicKey(bundle.TokenKey), min(n-done, tokens.MaxBatch), rand.Reader)
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
		for i := range toks {
			tok, _ := toks[i].MarshalBinary()
			rand.Read(blob)
			if err := sess.Send(&protocol.Post{Blob: blob, Token: tok}); err != nil {
				return err
			}
			if r, err = recv(); err != nil {
				return err
			}
			if res, ok := r.(*protocol.PostResult); !ok || res.Status != protocol.PostOK {
				return errUnexpected(r)
			}
			done++
		}
	}
	return nil
}

type unexpectedRecord struct{ t protocol.Type }

func (u unexpectedRecord) Error() string { return "unexpected record " + u.t.String() }

func errUnexpected(r protocol.Record) error { return unexpectedRecord{r.Type()} }
