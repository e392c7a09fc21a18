package groupserver

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/internal/crashtest"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/transport/loopback"
)

const crashChildEnv = "NOOK_GROUPSERVER_CRASH_CHILD"

// TestServerCrashChild is the server of TestCrashDuringPosts, run in a
// child process: synced commits, group commit on. It prints
//
//	READY <bundle in hex>       the server listens
//	STATS <head> <commits>      every 20 ms: the last seq and the store's commits
func TestServerCrashChild(t *testing.T) {
	if os.Getenv(crashChildEnv) == "" {
		t.Skip("runs only as the child of a crash test")
	}
	tr := loopback.New(loopback.FileDirectory{Path: os.Getenv("LOOPDIR")})
	cfg := testConfig(t, os.Getenv("DIR"), tr)
	cfg.NoSync = false // the test kills this process
	cfg.PostsPerDay = NoPostCap
	s := startServer(t, cfg)
	bundle, err := s.Bundle().MarshalBinary()
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	fmt.Println("READY", hex.EncodeToString(bundle))
	for range time.Tick(20 * time.Millisecond) { // until killed
		head, _ := s.blobs.bounds()
		fmt.Println("STATS", head, s.st.Commits())
	}
}

// TestCrashDuringPosts kills the group server (SIGKILL) while 16
// connections post at once, so that posts share commits (group commit),
// then opens its data dir again: every post the server acknowledged is
// stored under the seq it was acknowledged with, and no blob is stored
// twice. Posts in flight at the kill may or may not be there.
func TestCrashDuringPosts(t *testing.T) {
	const posters, each, killAt = 16, 100, 600
	dir, loopDir := t.TempDir(), t.TempDir()
	child := crashtest.Start(t, "TestServerCrashChild", crashChildEnv+"=1", "DIR="+dir, "LOOPDIR="+loopDir)
	raw, err := hex.DecodeString(strings.TrimPrefix(child.Expect(t, "READY ", time.Minute), "READY "))
	if err != nil {
		t.Fatal(err)
	}
	b, err := invite.ParseBundle(raw)
	if err != nil {
		t.Fatal(err)
	}
	tr := loopback.New(loopback.FileDirectory{Path: loopDir})
	cs := make([]*client, posters)
	toks := make([][]tokens.Token, posters)
	for i := range cs {
		cs[i] = dialBundle(t, tr, b)
		toks[i] = cs[i].tokens(each)
	}

	var (
		mu     sync.Mutex
		acked  = map[uint64][]byte{} // seq → the blob acknowledged under it
		count  atomic.Int64
		reach  = make(chan struct{})
		failed = make(chan error, posters)
		wg     sync.WaitGroup
	)
	for i := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range toks[i] {
				bl := make([]byte, protocol.BlobSize)
				rand.Read(bl)
				tok, _ := toks[i][j].MarshalBinary()
				r, err := postOnce(cs[i], bl, tok)
				if err != nil {
					return // the server is gone
				}
				if r.Status != protocol.PostOK {
					failed <- fmt.Errorf("poster %d: post %d: %v", i, j, r.Status)
					return
				}
				mu.Lock()
				if _, dup := acked[r.Seq]; dup {
					failed <- fmt.Errorf("seq %d acknowledged twice", r.Seq)
				}
				acked[r.Seq] = bl
				mu.Unlock()
				if count.Add(1) == killAt {
					close(reach)
				}
			}
		}()
	}
	select {
	case <-reach:
	case err := <-failed:
		t.Fatal(err)
	case <-time.After(2 * time.Minute):
		t.Fatalf("only %d posts acknowledged", count.Load())
	}
	rest := child.Kill(t)
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Error(err)
	}
	var head, commits uint64
	for _, l := range rest {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "STATS" {
			head, _ = strconv.ParseUint(f[1], 10, 64)
			commits, _ = strconv.ParseUint(f[2], 10, 64)
		}
	}

	cfg := testConfig(t, dir, newLoopback())
	s := startServer(t, cfg)
	sub := dial(t, cfg.Transport, s)
	sub.send(&protocol.Subscribe{})
	got, _ := sub.expectCatchUp()
	stored := map[uint64][]byte{}
	seen := map[string]uint64{}
	for _, bl := range got {
		stored[bl.Seq] = bl.Blob[:]
		if prev, dup := seen[string(bl.Blob[:])]; dup {
			t.Errorf("one blob stored twice, as %d and %d", prev, bl.Seq)
		}
		seen[string(bl.Blob[:])] = bl.Seq
	}
	mu.Lock()
	defer mu.Unlock()
	for seq, want := range acked {
		if have, ok := stored[seq]; !ok {
			t.Errorf("acknowledged seq %d lost", seq)
		} else if !bytes.Equal(have, want) {
			t.Errorf("seq %d holds another blob than the one acknowledged", seq)
		}
	}
	t.Logf("%d posts acknowledged before the kill, %d stored after it; last seen: head %d after %d commits (%.1f posts a commit)",
		len(acked), len(stored), head, commits, float64(head)/float64(max(commits, 1)))
	if len(stored) < len(acked) {
		t.Fatalf("%d stored, %d acknowledged", len(stored), len(acked))
	}
}

// postOnce posts blob with the token and waits for its result, returning
// the connection's error instead of failing the test (for goroutines).
func postOnce(c *client, blob, tok []byte) (*protocol.PostResult, error) {
	if err := c.sess.Send(&protocol.Post{Blob: blob, Token: tok}); err != nil {
		return nil, err
	}
	for {
		r, err := c.sess.Recv()
		if err != nil {
			return nil, err
		}
		if r, ok := r.(*protocol.PostResult); ok {
			return r, nil
		}
	}
}
