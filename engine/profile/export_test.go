package profile

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/files/transfer"
	"github.com/nookchat/nook/engine/model"
)

func TestStreamRoundTrip(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	for _, size := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3 * chunkSize} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			plain := make([]byte, size)
			for i := range plain {
				plain[i] = byte(i * 7)
			}
			var enc bytes.Buffer
			w, _ := newStreamWriter(key, &enc)
			// Write in odd pieces.
			for p := plain; len(p) > 0; {
				n := min(len(p), 1000)
				w.Write(p[:n])
				p = p[n:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			r, _ := newStreamReader(key, bytes.NewReader(enc.Bytes()))
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("round trip: %d bytes, %v", len(got), err)
			}
			if size > chunkSize {
				// Cut at a chunk boundary: detected as truncation.
				r, _ := newStreamReader(key, bytes.NewReader(enc.Bytes()[:encChunkSize]))
				if _, err := io.ReadAll(r); !errors.Is(err, ErrExportTruncated) {
					t.Fatalf("cut at boundary: %v", err)
				}
				// Cut inside a chunk.
				r, _ = newStreamReader(key, bytes.NewReader(enc.Bytes()[:encChunkSize+100]))
				if _, err := io.ReadAll(r); !errors.Is(err, ErrExportCorrupt) {
					t.Fatalf("cut inside: %v", err)
				}
			}
			if size > 2*chunkSize {
				// Chunks swapped.
				b := enc.Bytes()
				sw := append(append(bytes.Clone(b[encChunkSize:2*encChunkSize]), b[:encChunkSize]...), b[2*encChunkSize:]...)
				r, _ = newStreamReader(key, bytes.NewReader(sw))
				if _, err := io.ReadAll(r); !errors.Is(err, ErrExportCorrupt) {
					t.Fatalf("swapped: %v", err)
				}
			}
			// Data appended after the last chunk.
			r, _ = newStreamReader(key, bytes.NewReader(append(bytes.Clone(enc.Bytes()), 0)))
			if _, err := io.ReadAll(r); !errors.Is(err, ErrExportCorrupt) {
				t.Fatalf("appended: %v", err)
			}
		})
	}
}

func TestExportImport(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "pw")
	m := fill(t, p)
	for i := range 200 { // several chunks of backup
		if _, err := p.Store().AppendMessage(model.Message{ID: model.NewMessageID(), Conversation: "bulk",
			Body: fmt.Sprintf("%0500d", i), Status: model.StatusReceived}); err != nil {
			t.Fatal(err)
		}
	}
	addr, created := p.Identity().Address(), p.Info().Created
	file := filepath.Join(t.TempDir(), "alice.nookexport")
	if err := p.ExportFile(file, "export-pw"); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)
	data, _ := os.ReadFile(file)

	dest := t.TempDir()
	if _, err := Import(dest, bytes.NewReader(data), "nope", "new", testOpts); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong export password: %v", err)
	}
	q, err := Import(dest, bytes.NewReader(data), "export-pw", "new", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if q.Identity().Address() != addr || q.DisplayName() != "Alice" || !q.Info().Created.Equal(created) {
		t.Fatalf("imported: %s %q %v", q.Identity().Address(), q.DisplayName(), q.Info().Created)
	}
	checkFilled(t, q, m)
	if info, err := q.Store().Conversation("bulk"); err != nil || info.Messages != 200 {
		t.Fatalf("bulk conversation: %+v, %v", info, err)
	}
	dir := q.Info().Dir
	closeP(t, q)
	q, err = Unlock(dir, "new", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	closeP(t, q)

	// Importing into the same root again makes a second, separate profile.
	q, err = Import(root, bytes.NewReader(data), "export-pw", "pw", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	closeP(t, q)
	if l, _ := List(root); len(l) != 2 || l[0].ID == l[1].ID {
		t.Fatalf("List = %+v", l)
	}

	// Damaged files: a clear error, and nothing left in the root.
	bad := t.TempDir()
	flip := func(i int) []byte { b := bytes.Clone(data); b[i] ^= 1; return b }
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrExportTruncated},
		{"not an export", []byte("hello, world, this is not an export file at all; no, it is not........."), ErrNotExport},
		{"header only", data[:exportHeaderSize], ErrExportTruncated},
		{"header cut", data[:40], ErrExportTruncated},
		{"cut at chunk boundary", data[:exportHeaderSize+encChunkSize], ErrExportTruncated},
		{"cut inside last chunk", data[:len(data)-1], ErrExportCorrupt},
		{"payload bit", flip(exportHeaderSize + 10), ErrExportCorrupt},
		{"last byte", flip(len(data) - 1), ErrExportCorrupt},
		{"header salt", flip(30), ErrWrongPassword},
		{"header mac", flip(60), ErrWrongPassword},
		{"newer", func() []byte { b := bytes.Clone(data); b[9] = 9; return b }(), ErrNewerFormat},
		{"trailing", append(bytes.Clone(data), 1, 2, 3), ErrExportCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Import(bad, bytes.NewReader(c.data), "export-pw", "x", testOpts); !errors.Is(err, c.want) {
				t.Fatalf("Import: %v, want %v", err, c.want)
			}
			if entries, _ := os.ReadDir(bad); len(entries) != 0 {
				t.Fatalf("left behind: %v", entries)
			}
		})
	}
}

// TestNoPlaintextOnDisk writes distinctive data (also an attachment, as
// file transfers store it), closes the profile, and scans every byte of
// every file of the profile and of an export for it.
func TestNoPlaintextOnDisk(t *testing.T) {
	root := t.TempDir()
	const (
		name     = "Zebulon-Quixotic-Display-7731"
		nickname = "Nick-Marmalade-Xylophone-4412"
		address  = "contactaddrqwertyuiopasdfghjklzxcvbnmqwertyuiopasdfgh"
		body     = "The eagle lands at midnight, bring the periwinkle umbrella 9081"
		setting  = "setting-value-Obsidian-Lantern-5520"
		fileText = "attachment-text-Periwinkle-Walrus-6612 "
		fileName = "Attachment-Name-Heron-3390.pdf"
	)
	p := create(t, root, name, "pw")
	st := p.Store()
	if err := st.PutContact(model.Contact{Address: address, Nickname: nickname, DisplayName: name}); err != nil {
		t.Fatal(err)
	}
	for range 50 { // enough to flush more than one memtable? no; closing writes tables
		if _, err := st.QueueMessage(model.Message{ID: model.NewMessageID(), Conversation: address,
			Author: address, Body: body, Status: model.StatusQueued, Sent: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutSetting("s", []byte(setting)); err != nil {
		t.Fatal(err)
	}
	// An attachment, stored as file transfers store them (docs/files.md §6).
	attachment := bytes.Repeat([]byte(fileText), 4000)
	if _, err := transfer.New(transfer.Config{Store: st}).Import(address, model.NewMessageID(), time.Now(),
		bytes.NewReader(attachment), int64(len(attachment)), fileName, "text/plain"); err != nil {
		t.Fatal(err)
	}
	seed := bytes.Clone(p.Identity().Seed())
	export := filepath.Join(t.TempDir(), "export")
	if err := p.ExportFile(export, "pw2"); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)

	needles := map[string][]byte{
		"display name": []byte(name), "nickname": []byte(nickname), "address": []byte(address),
		"address prefix": []byte(address[:16]), "body": []byte(body), "setting": []byte(setting),
		"attachment": []byte(fileText), "attachment name": []byte(fileName),
		"seed": seed, "seed hex": []byte(hex.EncodeToString(seed)),
	}
	files := 0
	scan := func(path string) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files++
		for what, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s found in %s", what, path)
			}
		}
	}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			scan(path)
		}
		return err
	})
	scan(export)
	if files < 4 {
		t.Fatalf("scanned only %d files", files)
	}
}
