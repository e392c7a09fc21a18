package store

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestDamagedFilesNeverReadAsData damages the encrypted tables of a closed
// store (bytes flipped in the middle of every .sst file) and reads every
// message back: each read either fails or returns the message as written,
// never a silently altered one. AES-CTR alone would turn each flipped bit
// into a flipped bit of the plaintext; Badger's block checksums, verified on
// every block read, catch it. (The checksums detect damage; they are not a
// MAC, see docs/security.md.)
func TestDamagedFilesNeverReadAsData(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Key: testKey(7), Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	conv := model.ConversationID("damaged")
	var want []model.Message
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 400 {
		// Random letters: Snappy leaves them as literals, so a flipped
		// ciphertext bit would land in a body, not in compression metadata.
		b := make([]byte, 200)
		for j := range b {
			b[j] = 'a' + byte(rnd.IntN(26))
		}
		m := msg(conv, string(b), t0.Add(time.Duration(i)*time.Second))
		// Fixed IDs make the tables, and so where the flips land, the
		// same in every run (the ciphertext differs, its layout does not).
		for j := range m.ID {
			m.ID[j] = byte(rnd.Uint32())
		}
		m, err := s.AppendMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ssts, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(ssts) == 0 {
		t.Fatal("no table written")
	}
	for _, f := range ssts {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The data blocks come first; the index and footer at the end.
		for i := len(b) / 8; i < len(b)/2; i += len(b) / 40 {
			b[i] ^= 0x04
		}
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	s, err = Open(dir, Options{Key: testKey(7), NoSync: true, GCInterval: -1})
	if err != nil {
		t.Logf("Open refused the damaged database: %v", err)
		return
	}
	defer s.Close()
	failed := 0
	for _, w := range want {
		m, err := s.GetMessage(conv, w.ID)
		if err != nil {
			failed++
			continue
		}
		if m.Body != w.Body {
			t.Fatalf("message %d read back altered, without an error", m.Seq)
		}
	}
	if failed == 0 {
		t.Fatal("no read failed: the damage was not where the test meant it to be")
	}
	t.Logf("%d of %d reads failed, none returned altered data", failed, len(want))
	// A range read over the damaged blocks: an error or fewer messages,
	// never altered ones.
	got, err := s.LatestMessages(conv, len(want))
	for _, m := range got {
		if m.Body != want[m.Seq-1].Body {
			t.Fatalf("message %d listed altered, without an error", m.Seq)
		}
	}
	t.Logf("LatestMessages: %d of %d messages, error %v", len(got), len(want), err)
}
