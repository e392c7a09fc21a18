package engine

import (
	"context"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// setServeFetched turns te's Settings.ServeFetchedFiles on or off.
func (te *testEngine) setServeFetched(on bool) {
	te.t.Helper()
	s, err := te.Settings()
	if err != nil {
		te.t.Fatal(err)
	}
	s.ServeFetchedFiles = on
	if err := te.SetSettings(s); err != nil {
		te.t.Fatal(err)
	}
}

// serving reports whether te's file service in conv runs or starts.
func (te *testEngine) serving(conv model.ConversationID) bool {
	g := te.op().gfiles
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.services[conv] != nil || g.starting[conv]
}

// TestGroupFileServeFetchedOff: Bob turned off serving the files he
// fetched (Settings.ServeFetchedFiles). He fetches Alice's file: no
// holder note is armed, at the fetch's end or after a lock and unlock,
// none reaches the others, the note stays due, and no file service of
// his runs. A file he shares himself is still served (Carol fetches it
// from him). With Alice offline, Carol is given Bob's file service as a
// source of Alice's file (as an older note of his would have): his
// service answers that it does not have it, and Carol's fetch waits for
// a source. Bob turns it on again: his note is armed, his service
// serves the file, and Carol gets it from him. Carol then turns it off:
// her file service, which served only what she fetched, stops.
func TestGroupFileServeFetchedOff(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 3)
	alice, bob, carol := es[0], es[1], es[2]
	clock := newNoteClock()
	bob.cfg.HolderNotes = HolderNoteConfig{AfterFunc: clock.AfterFunc}
	_, conv := joinedNewsroom(ctx, es, "Alice", "Bob", "Carol")
	if s, _ := bob.Settings(); !s.ServeFetchedFiles {
		t.Fatal("serving the files fetched is off by default")
	}
	bob.setServeFetched(false)

	m, _ := alice.shareFile(conv, "report.pdf", "REPORT", 200_000)
	sources := func(te *testEngine, id model.MessageID) []identity.Address {
		t.Helper()
		s, err := te.op().files.Sources(conv, id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	bob.fetchFile(conv, m.ID)
	// A lock waits for the fetch's goroutine, which arms the note when
	// the setting is on; the unlock arms the notes still due.
	if err := bob.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.UnlockAny(ctx, "Bob"); err != nil {
		t.Fatal(err)
	}
	if n := len(clock.armed); n != 0 {
		t.Fatalf("%d holder notes armed with serving off", n)
	}
	if due, err := bob.op().files.HolderDue(); err != nil || len(due[conv]) != 1 {
		t.Fatalf("Bob's note due: %v, %v; want it still due", due, err)
	}
	if bob.serving(conv) {
		t.Fatal("Bob's file service runs, though he shared nothing and serves nothing fetched")
	}
	bob.postReceived(conv, "got it", alice, carol)
	carol.waitFile(conv, m.ID, model.FileOffered)
	if n := len(sources(carol, m.ID)); n != 1 {
		t.Fatalf("Carol knows %d sources of Alice's file, want Alice's alone", n)
	}

	// What Bob shares himself is served.
	mb, ownData := bob.shareFile(conv, "notes.txt", "BOBSNOTES", 30_000)
	if f := carol.fetchFile(conv, mb.ID); f.Size != int64(len(ownData)) {
		t.Fatalf("Bob's own file at Carol: %+v", f)
	}
	bobSvc := sources(carol, mb.ID)
	if len(bobSvc) != 1 {
		t.Fatalf("sources of Bob's file: %v", bobSvc)
	}

	// Alice goes offline; Carol dials Bob's service for Alice's file.
	if err := alice.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.op().files.AddSource(conv, m.ID, identity.Address(bob.in(conv)), bobSvc[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.AcceptFile(conv, m.ID); err != nil {
		t.Fatal(err)
	}
	carol.waitEvent("Carol's fetch waiting for a source", func(ev model.Event) bool {
		fc, ok := ev.(model.FileChanged)
		return ok && fc.File.ID == m.ID && fc.File.State == model.FileTransferring && fc.File.Problem != ""
	})
	if f, err := carol.File(conv, m.ID); err != nil || f.Done != 0 {
		t.Fatalf("Carol's copy of Alice's file: %+v, %v; want nothing from Bob", f, err)
	}

	// Turned on again, Bob's note is armed and his service serves it.
	bob.setServeFetched(true)
	note := clock.next(t, "bob, serving turned on")
	if note.d < HolderDelayMin || note.d > HolderDelayMax {
		t.Fatalf("Bob's note waits %v", note.d)
	}
	carol.op().gfiles.fetch(conv, m.ID) // wakes the waiting fetch
	carol.waitFile(conv, m.ID, model.FileComplete)
	note.fire()
	bob.waitUntil("Bob's note settled", step, func() bool {
		due, err := bob.op().files.HolderDue()
		return err == nil && len(due[conv]) == 0
	})

	// Carol, who shared nothing, stops serving when she turns it off.
	carol.waitUntil("Carol's file service", step, func() bool { return carol.serving(conv) })
	carol.setServeFetched(false)
	if carol.serving(conv) {
		t.Fatal("Carol's file service still runs with serving off")
	}
}

// TestServeFetchedDefault: settings stored before ServeFetchedFiles
// existed read with it on, as a new profile's are.
func TestServeFetchedDefault(t *testing.T) {
	te := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	te.createProfile("Bob", "Bob")
	old := map[string]any{"notifications": true, "theme": "dark", "text_scale": 1, "auto_lock_minutes": 5}
	if err := te.op().st.PutSettingJSON(settingsKey, old); err != nil {
		t.Fatal(err)
	}
	s, err := loadSettings(te.op().st)
	if err != nil || !s.ServeFetchedFiles || s.Theme != "dark" || s.AutoLockMinutes != 5 {
		t.Fatalf("old settings read as %+v, %v", s, err)
	}
	if !DefaultSettings().ServeFetchedFiles {
		t.Fatal("a new profile does not serve what it fetched")
	}
}
