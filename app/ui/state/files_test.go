package state

import (
	"image"
	"slices"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestFileChanged: a FileChanged of a loaded message names it Updated and
// its conversation's Files; the speed comes from the progress over the
// clock (1 MiB in a second, then 3 MiB in a second: smoothed to 1.6 MiB/s);
// a result read in the background does not replace what the events
// said, nor does a report from before the end; a finished picture asks for its thumbnail once; another
// conversation's file is kept for its Files list without touching the
// open window; a lock forgets them all.
func TestFileChanged(t *testing.T) {
	a, b := model.ConversationID(alice), model.ConversationID(bob)
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 10), contact(bob, "Bob", model.ContactAccepted, 5))
	now := t0
	m.SetClock(func() time.Time { return now })
	m.OpenConversation(a)
	o := m.Open()
	ms := page(a, 1, 2)
	ms[1].Kind = model.KindFile
	m.SetPage(o.Token, 0, ms, nil)
	id := ms[1].ID

	if !m.NeedFile(a, id) || m.NeedFile(a, id) {
		t.Fatal("NeedFile does not ask exactly once")
	}
	ft := model.FileTransfer{Conversation: a, ID: id, Name: "p.jpg", MediaType: "image/jpeg", Size: 10 << 20,
		State: model.FileOffered, Sent: at(1)}
	c := m.Apply(model.FileChanged{File: ft})
	if !slices.Equal(c.Updated, []model.MessageID{id}) || !slices.Equal(c.Files, []model.ConversationID{a}) || c.Empty() {
		t.Fatalf("change: %+v", c)
	}
	ft.State = model.FileTransferring
	m.Apply(model.FileChanged{File: ft})
	for _, step := range []int64{1 << 20, 4 << 20} {
		now = now.Add(time.Second)
		ft.Done = step
		m.Apply(model.FileChanged{File: ft})
	}
	f, _ := m.File(a, id)
	if want := 0.3*float64(3<<20) + 0.7*float64(1<<20); f.Speed != want {
		t.Fatalf("speed %.0f, want %.0f", f.Speed, want)
	}
	stale := ft
	stale.Done = 0
	if c := m.SetFile(stale); !c.Empty() {
		t.Fatalf("a stale read replaced the event's: %+v", c)
	}
	if f, _ := m.File(a, id); f.Done != 4<<20 {
		t.Fatalf("done %d", f.Done)
	}
	if m.NeedThumb(a, id) {
		t.Fatal("a thumbnail of a picture not received yet")
	}
	ft.State, ft.Done = model.FileComplete, ft.Size
	m.Apply(model.FileChanged{File: ft})
	if f, _ := m.File(a, id); f.Speed != 0 {
		t.Fatalf("a complete file has a speed: %v", f.Speed)
	}
	late := ft
	late.State = model.FileTransferring
	if c := m.Apply(model.FileChanged{File: late}); !c.Empty() {
		t.Fatalf("a report from before the end changed the file: %+v", c)
	}
	if !m.NeedThumb(a, id) || m.NeedThumb(a, id) {
		t.Fatal("NeedThumb does not ask exactly once for a received picture")
	}
	if c := m.SetThumb(a, id, image.NewRGBA(image.Rect(0, 0, 4, 4))); !slices.Equal(c.Updated, []model.MessageID{id}) {
		t.Fatalf("thumb change: %+v", c)
	}
	if c := m.SetSaved(a, id, "/tmp/p.jpg"); !slices.Equal(c.Updated, []model.MessageID{id}) {
		t.Fatalf("saved change: %+v", c)
	}
	ft.Done++ // a later event keeps the thumbnail and the saved path
	m.Apply(model.FileChanged{File: ft})
	if f, _ := m.File(a, id); f.Thumb == nil || f.Saved != "/tmp/p.jpg" {
		t.Fatalf("lost: %+v", f)
	}

	// Bob's files: listed, not in the open window.
	older := model.FileTransfer{Conversation: b, ID: msgID(20), Name: "old.pdf", State: model.FileComplete, Sent: at(1)}
	newer := model.FileTransfer{Conversation: b, ID: msgID(21), Name: "new.pdf", State: model.FileOffered, Sent: at(2)}
	c = m.SetFiles(b, []model.FileTransfer{older, newer})
	if len(c.Updated) != 0 || !slices.Equal(c.Files, []model.ConversationID{b}) {
		t.Fatalf("another conversation's files: %+v", c)
	}
	if fs := m.Files(b); len(fs) != 2 || fs[0].Name != "new.pdf" || fs[1].Name != "old.pdf" {
		t.Fatalf("Files not newest first: %+v", fs)
	}
	m.Apply(model.Snapshot{})
	if _, ok := m.File(a, id); ok {
		t.Fatal("a lock kept the files")
	}
}
