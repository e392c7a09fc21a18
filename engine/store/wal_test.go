package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// walEntry is what Badger's write-ahead (memtable) log shows of an entry
// without the key: its header is plaintext, the key and value after it are
// encrypted.
type walEntry struct{ klen, vlen int }

// scanWAL parses the entry headers of a Badger memtable log: a 20-byte
// file header, then entries of meta(1) userMeta(1) uvarint klen, uvarint
// vlen, uvarint expiresAt, key, value and a 4-byte checksum, until zeros.
func scanWAL(t *testing.T, b []byte) []walEntry {
	t.Helper()
	var out []walEntry
	for off := 20; off+2 < len(b); {
		p := b[off+2:]
		klen, n1 := binary.Uvarint(p)
		vlen, n2 := binary.Uvarint(p[max(n1, 0):])
		_, n3 := binary.Uvarint(p[max(n1, 0)+max(n2, 0):])
		if n1 <= 0 || n2 <= 0 || n3 <= 0 || klen == 0 {
			break
		}
		out = append(out, walEntry{int(klen), int(vlen)})
		off += 2 + n1 + n2 + n3 + int(klen) + int(vlen) + 4
	}
	return out
}

// TestWALShowsOnlyPaddedLengths looks at what the raw write-ahead log of
// an open store shows someone who reads the disk without the key (finding
// L-1): entry lengths in plaintext. Messages whose bodies are 1 to 195
// bytes long must show one and the same value length, a multiple of
// messagePad; the conversation and the bodies do not appear. Key lengths
// do show (a message key's length tells a one-to-one conversation from a
// group), which docs/security.md says.
func TestWALShowsOnlyPaddedLengths(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Key: testKey(7), Create: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conv := model.ConversationID(strings.Repeat("q", 56))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	bodies := []string{"k", strings.Repeat("a", 37), strings.Repeat("longer message ", 13)}
	for i, body := range bodies {
		m := msg(conv, body, t0.Add(time.Duration(i)*time.Second))
		m.Author = string(conv)
		if _, err := s.AppendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	mems, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	if len(mems) == 0 {
		t.Fatal("no memtable log")
	}
	msgKey := len(seqKey(kindMessage, conv, 1)) + 8 // Badger appends the version
	var vlens []int
	for _, f := range mems {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, needle := range [][]byte{[]byte(conv), []byte("longer message"), []byte(strings.Repeat("a", 37))} {
			if bytes.Contains(b, needle) {
				t.Fatalf("%q in plaintext in the log", needle[:8])
			}
		}
		for _, e := range scanWAL(t, b) {
			if e.klen == msgKey {
				vlens = append(vlens, e.vlen)
			}
		}
	}
	if len(vlens) != len(bodies) {
		t.Fatalf("found %d message entries in the log, want %d", len(vlens), len(bodies))
	}
	t.Logf("message value lengths in the log: %v (bodies of %d, %d and %d bytes)", vlens, len(bodies[0]), len(bodies[1]), len(bodies[2]))
	for _, v := range vlens {
		if v != vlens[0] || v%messagePad != 0 {
			t.Fatalf("message value lengths %v: the body lengths show (want one multiple of %d)", vlens, messagePad)
		}
	}
}

// TestMessagePadding: message records are padded with zeros to a multiple
// of messagePad and decode as before; non-zero or overlong padding is
// damage; a record of the earlier, unpadded layout still decodes.
func TestMessagePadding(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := model.Message{ID: model.MessageID{1}, Author: "a", Sent: t0, Received: t0, Body: "hi", Status: model.StatusReceived}
	b := encodeMessage(m)
	if len(b)%messagePad != 0 {
		t.Fatalf("record of %d bytes", len(b))
	}
	if got, err := decodeMessage("c", 1, b); err != nil || got.Body != "hi" || got.Disappear != 0 || !got.ExpiresAt.IsZero() {
		t.Fatalf("decoded %+v, %v", got, err)
	}
	bad := bytes.Clone(b)
	bad[len(bad)-1] = 1
	if _, err := decodeMessage("c", 1, bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("non-zero padding: %v, want ErrCorrupt", err)
	}
	if _, err := decodeMessage("c", 1, append(bytes.Clone(b), make([]byte, messagePad)...)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("overlong padding: %v, want ErrCorrupt", err)
	}
	// The unpadded layout: flags without flagPadded, ending after
	// FailReason (no timer); m has none.
	if got, err := decodeMessage("c", 1, unpaddedMessage(m)); err != nil || got.Body != "hi" {
		t.Fatalf("unpadded record: %+v, %v", got, err)
	}
}
