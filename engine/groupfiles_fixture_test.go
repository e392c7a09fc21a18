package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// deletedGroupFixture is the conversation of the group Bob left deleting
// its history in testdata/profile-groupfiles-v1 (README.md there).
const deletedGroupFixture model.ConversationID = "g:c55aea3e291e37798def42bf7f606d8e6cfd4c92c60179cae53af0f8c89f6733"

// fileKeys counts the keys of the files bucket that begin with tag and
// conv (tag ‖ length u16 ‖ conversation), as transfer lays them out: a
// file service's key ('k'), a file's sources ('s'), a record ('t').
func fileKeys(t *testing.T, op *openProfile, tag byte, conv model.ConversationID) int {
	t.Helper()
	p := binary.BigEndian.AppendUint16([]byte{tag}, uint16(len(conv)))
	n := 0
	if err := op.st.Bucket("files").Iterate(append(p, conv...), func(k, v []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// groupFilesOf returns the files of conv's history by name.
func groupFilesOf(t *testing.T, te *testEngine, conv model.ConversationID) map[string]model.FileTransfer {
	t.Helper()
	msgs, err := te.Messages(conv, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.FileTransfer{}
	for _, m := range msgs {
		if m.Kind != model.KindFile {
			continue
		}
		f, err := te.File(conv, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = f
	}
	return out
}

// TestLeftGroupFilesFixture opens testdata/profile-groupfiles-v1, Bob's
// profile as the version before leaving forgot a group's files wrote it
// (testdata/README.md): a group he is in ("Kept", a file fetched), one
// he left keeping its history ("Left": a file fetched, one offered, one
// accepted and waiting for a source) and one he left deleting it
// ("Deleted": a file fetched). At unlock, the file service keys, the
// sources and the files not yet here of the two groups left are
// forgotten (transfer.SweepGroups): the files offered and accepted end
// unavailable, the file fetched in "Left" stays and saves, "Kept" keeps
// everything; a second unlock finds nothing left to forget.
func TestLeftGroupFilesFixture(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "profiles"), os.DirFS(filepath.Join("testdata", "profile-groupfiles-v1"))); err != nil {
		t.Fatal(err)
	}
	te := newTestEngine(t, dir, loopback.New(loopback.NewMemoryDirectory()))
	if _, err := te.UnlockAny(context.Background(), "bob pw"); err != nil {
		t.Fatal(err)
	}
	gs := te.op().groups.Groups()
	if len(gs) != 1 || gs[0].Name != "Kept" {
		t.Fatalf("groups %+v, want Kept alone", gs)
	}
	kept := gs[0].Conversation
	left, err := te.LeftGroups()
	if err != nil || len(left) != 1 || left[0].Name != "Left" {
		t.Fatalf("left groups %+v, %v", left, err)
	}
	leftConv := left[0].Conversation()
	op := te.op()

	// The group left with its history: its files not yet here end
	// unavailable, the one here stays; no key or source remains.
	files := groupFilesOf(t, te, leftConv)
	if len(files) != 3 {
		t.Fatalf("files of the group left: %+v", files)
	}
	for name, want := range map[string]model.FileState{"left-here.pdf": model.FileComplete,
		"left-offered.pdf": model.FileUnavailable, "left-accepted.pdf": model.FileUnavailable} {
		if f := files[name]; f.State != want || f.Done != 0 && want != model.FileComplete {
			t.Fatalf("%s: %+v, want %v", name, f, want)
		}
	}
	saved, err := te.SaveFile(leftConv, files["left-here.pdf"].ID, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(saved); err != nil || !bytes.Contains(b, []byte("FIXTURE-left-here.pdf")) || len(b) != 100_000 {
		t.Fatalf("the file kept of the group left: %d bytes, %v", len(b), err)
	}
	for _, conv := range []model.ConversationID{leftConv, deletedGroupFixture} {
		if n := fileKeys(t, op, 'k', conv); n != 0 {
			t.Fatalf("the file service key of group %s left is kept", conv)
		}
		if n := fileKeys(t, op, 's', conv); n != 0 {
			t.Fatalf("%d sources kept of group %s left", n, conv)
		}
	}
	// The group deleted: nothing of its files remains.
	if n := fileKeys(t, op, 't', deletedGroupFixture); n != 0 {
		t.Fatalf("%d files kept of the group deleted", n)
	}

	// The group Bob is in keeps its file, sources and service key.
	files = groupFilesOf(t, te, kept)
	if f := files["kept.pdf"]; f.State != model.FileComplete {
		t.Fatalf("kept.pdf: %+v", f)
	}
	if fileKeys(t, op, 'k', kept) != 1 || fileKeys(t, op, 's', kept) != 1 {
		t.Fatal("the group Bob is in lost its file service key or sources")
	}

	// Nothing is left to forget at the next unlock.
	if err := te.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := te.UnlockAny(context.Background(), "bob pw"); err != nil {
		t.Fatal(err)
	}
	n, err := te.op().files.SweepGroups(func(c model.ConversationID) bool { return c == kept })
	if err != nil || n != 0 {
		t.Fatalf("a second sweep forgot %d groups, %v", n, err)
	}
}
