package ui

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
	"github.com/nookchat/nook/widgets"
)

// cardOf returns the visible file card of message id in h's window, or
// nil.
func (h *harness) cardOf(id model.MessageID) *widgets.FileCard {
	var c *widgets.FileCard
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
		if x, ok := o.(*widgets.FileCard); ok && x.File().ID == id.String() {
			c = x
		}
		return c != nil
	})
	return c
}

// cardState is what h's card of id shows, or 0 when none is shown.
func (h *harness) cardState(id model.MessageID) widgets.FileState {
	if c := h.cardOf(id); c != nil {
		return c.File().State
	}
	return 0
}

// writeFile writes a file of n random bytes named name into a temporary
// folder.
func writeFile(t *testing.T, name string, n int) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, b
}

// offer sends the file at path from h's open conversation through the
// "Send …?" dialog, and returns its message once it shows.
func (h *harness) offer(cp *chatPane, path string) model.MessageID {
	h.t.Helper()
	n := len(cp.msgs())
	cp.offerFile(path)
	h.waitFor("the Send dialog", func() bool { return h.button("Send") != nil })
	h.tap("Send")
	h.waitFor("the file in the conversation", func() bool { return len(cp.msgs()) == n+1 })
	m := cp.msgs()[n]
	if m.Kind != model.KindFile || !m.Outgoing {
		h.t.Fatalf("the new message is not a file sent: %+v", m)
	}
	return m.ID
}

// TestFilesUI: Alice sends Bob a file through the "Send …?" dialog; Bob's
// card offers Accept and Decline; once accepted the file moves and ends
// complete on both sides ("Bob received it whole"); Bob saves it into a
// folder (the bytes are the same, the card offers Open); a small picture
// from Bob, whom Alice verified, arrives without asking; one from Alice,
// whom Bob has not verified, waits for his Accept and then shows its
// thumbnail on both sides; a file Bob declines says so
// on Alice's card; one Alice cancels says so on Bob's; one over Bob's
// limit says Bob's limit on Alice's card; the Files list shows them all,
// newest first.
func TestFilesUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	aliceAddr, bobAddr := alice.self(), bob.self()
	ac := alice.open(bobAddr)
	bc := bob.open(aliceAddr)

	// A file, accepted, saved.
	path, data := writeFile(t, "report.pdf", 3<<20)
	id := alice.offer(ac, path)
	bob.waitFor("the offer on Bob's screen", func() bool { return bob.cardState(id) == widgets.FileOffered })
	if got := bob.cardOf(id).File(); got.Name != "report.pdf" || got.Size != int64(len(data)) {
		t.Fatalf("Bob's card: %+v", got)
	}
	alice.waitFor("waiting for Bob on Alice's card", func() bool { return alice.cardState(id) == widgets.FileOffered })
	bcard := bob.cardOf(id)
	bcard.OnAccept(bcard.File().ID)
	bob.waitFor("the transfer under way or done", func() bool {
		s := bob.cardState(id)
		return s == widgets.FileTransferring || s == widgets.FileComplete
	})
	bob.waitFor("the file received", func() bool { return bob.cardState(id) == widgets.FileComplete })
	alice.waitFor("the file delivered", func() bool { return alice.cardState(id) == widgets.FileComplete })
	if s, _ := widgets.FileStatus(alice.cardOf(id).File()); s != "Bob received it whole." {
		t.Fatalf("Alice's card says %q", s)
	}
	dir := t.TempDir()
	bc.saveFile(id.String(), dir)
	bob.waitFor("the file saved", func() bool { return bob.cardOf(id).File().Saved != "" })
	saved := bob.cardOf(id).File().Saved
	if filepath.Dir(saved) != dir || filepath.Base(saved) != "report.pdf" {
		t.Fatalf("saved as %q", saved)
	}
	if got, err := os.ReadFile(saved); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the saved file differs (%v)", err)
	}

	// A small picture from a verified contact arrives without asking
	// (the default: up to 2 MB): Alice verified Bob in person.
	if c, err := alice.eng.Contact(model.ConversationID(bobAddr)); err != nil || !c.Verified {
		t.Fatalf("Bob is not verified on Alice's side (%v)", err)
	}
	auto := bob.offer(bc, writePicture(t, "sunset.png"))
	alice.waitFor("the picture accepted without asking", func() bool {
		c := alice.cardOf(auto)
		return c != nil && c.File().State == widgets.FileComplete && c.File().Thumbnail != nil
	})

	// From Alice, whom Bob has not verified, a picture waits for his
	// Accept whatever its size; then its thumbnail shows on both sides.
	if c, err := bob.eng.Contact(model.ConversationID(aliceAddr)); err != nil || c.Verified {
		t.Fatalf("Alice is verified on Bob's side (%v)", err)
	}
	pic := writePicture(t, "harbour.png")
	picID := alice.offer(ac, pic)
	alice.waitFor("the thumbnail on Alice's card", func() bool {
		c := alice.cardOf(picID)
		return c != nil && c.File().Thumbnail != nil
	})
	bob.waitFor("the picture offered", func() bool { return bob.cardState(picID) == widgets.FileOffered })
	if bob.cardOf(picID).File().Thumbnail != nil {
		t.Fatal("Bob sees a picture he has not accepted")
	}
	pcard := bob.cardOf(picID)
	pcard.OnAccept(pcard.File().ID)
	bob.waitFor("the thumbnail on Bob's card", func() bool {
		c := bob.cardOf(picID)
		return c != nil && c.File().State == widgets.FileComplete && c.File().Thumbnail != nil
	})

	// Declined by Bob.
	path2, _ := writeFile(t, "draft.odt", 40<<10)
	declined := alice.offer(ac, path2)
	bob.waitFor("the second offer", func() bool { return bob.cardState(declined) == widgets.FileOffered })
	bob.cardOf(declined).OnDecline(declined.String())
	alice.waitFor("declined on Alice's card", func() bool { return alice.cardState(declined) == widgets.FileDeclined })
	if s, _ := widgets.FileStatus(alice.cardOf(declined).File()); s != "Bob declined this file." {
		t.Fatalf("Alice's card says %q", s)
	}

	// Cancelled by Alice.
	path3, _ := writeFile(t, "wrong.txt", 1<<10)
	cancelled := alice.offer(ac, path3)
	bob.waitFor("the third offer", func() bool { return bob.cardState(cancelled) == widgets.FileOffered })
	alice.cardOf(cancelled).OnCancel(cancelled.String())
	bob.waitFor("cancelled on Bob's card", func() bool { return bob.cardState(cancelled) == widgets.FileCancelled })
	if s, _ := widgets.FileStatus(bob.cardOf(cancelled).File()); s != "Alice cancelled this transfer." {
		t.Fatalf("Bob's card says %q", s)
	}

	// Over Bob's limit.
	s, err := bob.eng.Settings()
	if err != nil {
		t.Fatal(err)
	}
	s.FileLimitMiB = 1
	if err := bob.eng.SetSettings(s); err != nil {
		t.Fatal(err)
	}
	path4, _ := writeFile(t, "footage.mp4", 2<<20)
	tooLarge := alice.offer(ac, path4)
	alice.waitFor("refused on Alice's card", func() bool { return alice.cardState(tooLarge) == widgets.FileTooLarge })
	if s, _ := widgets.FileStatus(alice.cardOf(tooLarge).File()); s != "Too large for Bob: they accept files up to 1 MB." {
		t.Fatalf("Alice's card says %q", s)
	}

	// The Files list, newest first.
	ac.showFiles()
	alice.waitFor("the Files list", func() bool { return ac.files != nil && len(ac.files.box.Objects) == 6 })
	var names []string
	for _, o := range ac.files.box.Objects {
		names = append(names, o.(*widgets.FileCard).File().Name)
	}
	if got := strings.Join(names, ","); got != "footage.mp4,wrong.txt,draft.odt,harbour.png,sunset.png,report.pdf" {
		t.Fatalf("Files list: %s", got)
	}
}

// TestFileDropSeveral: files dropped onto an open conversation with a
// contact are offered for sending in one "Send …?" dialog naming them and
// the contact (a picture's says that its location and camera details are
// removed); sent, each is its own offer with its own card, at both ends.
func TestFileDropSeveral(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	ac := alice.open(bob.self())
	photo, _ := writeFile(t, "photo.jpg", 100)
	alice.ui.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(photo)})
	alice.waitFor("the Send dialog", func() bool { return alice.button("Send") != nil })
	if !alice.hasText("photo.jpg (100 bytes) goes to Bob once they accept it.") || !alice.hasText("Location and camera details are removed") {
		t.Fatal("the Send dialog does not say what goes to whom, or that the picture's details are removed")
	}
	if ac.sendDialog == nil {
		t.Fatal("no Send dialog kept")
	}
	alice.tap("Cancel")
	alice.settle()

	doc, _ := writeFile(t, "notes.txt", 3000)
	sheet, _ := writeFile(t, "figures.ods", 5000)
	alice.ui.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(doc), storage.NewFileURI(sheet), storage.NewFileURI(t.TempDir())})
	alice.waitFor("the Send dialog of two files", func() bool { return alice.hasText("Send 2 files?") })
	for _, want := range []string{"Each file goes to Bob once they accept it, on its own:", "notes.txt (2.9 KB)", "figures.ods (4.9 KB)",
		"Folders and other things that are not files are left out."} {
		if !alice.hasText(want) {
			t.Fatalf("the dialog does not say %q", want)
		}
	}
	if alice.hasText("Location and camera details") {
		t.Fatal("the dialog speaks of pictures; none was chosen")
	}
	alice.tap("Send")
	alice.waitFor("two file cards", func() bool {
		n := 0
		for _, m := range ac.msgs() {
			if m.Kind == model.KindFile && alice.cardOf(m.ID) != nil {
				n++
			}
		}
		return n == 2
	})
	var names []string
	for _, m := range ac.msgs() {
		names = append(names, m.Body)
	}
	if got := strings.Join(names, ","); got != "notes.txt,figures.ods" {
		t.Fatalf("sent %s, want each file in the order chosen", got)
	}
	bc := bob.open(alice.self())
	bob.waitFor("two offers at Bob", func() bool {
		n := 0
		for _, m := range bc.msgs() {
			if m.Kind == model.KindFile && bob.cardState(m.ID) == widgets.FileOffered {
				n++
			}
		}
		return n == 2
	})
}

// TestGroupFileUI: in a group the attach button and a drop offer a file
// to its members; the author's card says it is shared with the group, a
// member's names who shared it; the member accepts it and it arrives,
// fetched from the author's file service, and saves out byte for byte.
// With NOOK_SCREENSHOTS set, it writes the member's window with the offer
// as files-group.png.
func TestGroupFileUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	gc := alice.createdGroup("Desk")
	bob.acceptInvite(alice.groupInvite(gc.conv))
	alice.note("Bob joined")
	test.Type(gc.entry, "The leaked memo, as promised.")
	gc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	path, data := writeFile(t, "memo.pdf", 250_000)
	alice.ui.dropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(path)})
	alice.waitFor("the Send dialog", func() bool { return alice.button("Send") != nil })
	if !alice.hasText("memo.pdf (244 KB) goes to the members of Desk, each once they accept it.") {
		t.Fatal("the Send dialog does not say who gets the file")
	}
	alice.tap("Send")
	var id model.MessageID
	alice.waitFor("Alice's card", func() bool {
		for _, m := range gc.msgs() {
			if m.Kind == model.KindFile && alice.cardOf(m.ID) != nil && alice.cardOf(m.ID).File().Size == int64(len(data)) {
				id = m.ID
				return true
			}
		}
		return false
	})
	if !alice.hasText("Shared with the group. Members who accept it get it from you, or from a member who has it.") {
		t.Fatal("the author's card does not say the file is shared with the group")
	}
	bc := bob.open(string(gc.conv))
	bob.waitFor("the offer at Bob", func() bool { return bob.cardState(id) == widgets.FileOffered })
	if !bob.hasText("Alice shared this file in the group. Accept it only if you expect it.") {
		t.Fatal("the member's card does not say who shared the file")
	}
	if shots := os.Getenv("NOOK_SCREENSHOTS"); shots != "" {
		bob.shoot(shots, "files-group.png")
	}
	bob.cardOf(id).OnAccept(id.String())
	bob.waitFor("the file at Bob", func() bool { return bob.cardState(id) == widgets.FileComplete })
	dir := t.TempDir()
	bc.saveFile(id.String(), dir)
	bob.waitFor("saved", func() bool { return bob.cardOf(id).File().Saved != "" })
	if b, err := os.ReadFile(filepath.Join(dir, "memo.pdf")); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("saved %d bytes, %v", len(b), err)
	}
	// The group's menu has the Files list too.
	bc.showFiles()
	bob.waitFor("the group's Files list", func() bool { return bc.files != nil && len(bc.files.box.Objects) == 1 })
	if f := bc.files.box.Objects[0].(*widgets.FileCard).File(); f.Name != "memo.pdf" || !f.InGroup || !bob.hasText("Files in Desk") {
		t.Fatalf("the group's Files list shows %+v", f)
	}
}

// writePicture writes a 640×400 PNG (a sky over the sea) named name into
// a temporary folder.
func writePicture(t *testing.T, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 640; x++ {
			c := color.RGBA{uint8(250 - y/3), uint8(150 + y/5), uint8(120 + y/4), 255}
			if y > 250 { // the sea
				c = color.RGBA{uint8(20 + x/40), uint8(70 + (y-250)/4), uint8(120 + x/20), 255}
			}
			if dx, dy := x-420, y-215; dx*dx+dy*dy < 1600 { // the sun
				c = color.RGBA{255, 220, 150, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFilesScreenshots writes into the folder named by NOOK_SCREENSHOTS
// Bob's conversation with a received picture (its thumbnail), a document
// received and saved, and one being received (its progress as Alice's
// engine reports it, paced by the test's clock, to show the speed and the
// time left), and an offer waiting for him; then Alice's Files list and
// the Send dialog of a picture. Without the variable it is skipped.
func TestFilesScreenshots(t *testing.T) {
	dir := screenshotDir(t)
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	ac := alice.open(bob.self())
	bc := bob.open(alice.self())
	accept := func(id model.MessageID) {
		bob.waitFor("the offer", func() bool { return bob.cardState(id) == widgets.FileOffered })
		bob.cardOf(id).OnAccept(id.String())
		bob.waitFor("the file received", func() bool { return bob.cardState(id) == widgets.FileComplete })
	}
	test.Type(ac.entry, "Here is the view from the harbour, and the contract.")
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	alice.waitFor("the message", func() bool { return len(ac.msgs()) == 1 })
	pic := alice.offer(ac, writePicture(t, "harbour.png"))
	accept(pic)
	bob.waitFor("the thumbnail", func() bool { return bob.cardOf(pic).File().Thumbnail != nil })
	doc, _ := writeFile(t, "contract-2026.pdf", 480<<10)
	docID := alice.offer(ac, doc)
	accept(docID)
	bc.saveFile(docID.String(), t.TempDir())
	bob.waitFor("saved", func() bool { return bob.cardOf(docID).File().Saved != "" })
	big, _ := writeFile(t, "interview.mp4", 1<<20)
	bigID := alice.offer(ac, big)
	bob.waitFor("the offer", func() bool { return bob.cardState(bigID) == widgets.FileOffered })
	ft, err := bob.eng.File(bc.conv, bigID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	bob.ui.state.SetClock(func() time.Time { return now })
	ft.State, ft.Size = model.FileTransferring, 184<<20
	for _, done := range []int64{10 << 20, 12 << 20, 14 << 20} {
		ft.Done = done
		bob.event(model.FileChanged{File: ft})
		now = now.Add(time.Second)
	}
	last, _ := writeFile(t, "budget.xlsx", 96<<10)
	alice.offer(ac, last)
	bob.waitFor("the last offer", func() bool { return len(bc.msgs()) == 5 })
	bob.win.Resize(fyne.NewSize(900, 980))
	bob.settle()
	bc.relist()
	bc.scrollToBottom()
	bob.shoot(dir, "files-conversation.png")

	alice.win.Resize(fyne.NewSize(900, 700))
	ac.showFiles()
	alice.waitFor("the Files list", func() bool { return ac.files != nil && len(ac.files.box.Objects) == 4 })
	alice.shoot(dir, "files-list.png")
	alice.tap("Close")
	alice.settle()
	ac.offerFile(writePicture(t, "IMG_2041.png"))
	alice.waitFor("the Send dialog", func() bool { return alice.button("Send") != nil })
	alice.shoot(dir, "files-send-picture.png")
}

// TestFileSettings: the Privacy tab shows the two settings of received
// files at their defaults (2 GB, pictures up to 2 MB), and a choice is
// stored in the profile.
func TestFileSettings(t *testing.T) {
	test.NewTempApp(t)
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(newNet())))
	h.createProfile("Alice", "alice password")
	sd := h.openSettings()
	if sd.fileLimit.Selected != "Up to 2 GB (the default)" || sd.autoAccept.Selected != "Up to 2 MB (the default)" {
		t.Fatalf("defaults shown: %q, %q", sd.fileLimit.Selected, sd.autoAccept.Selected)
	}
	sd.fileLimit.SetSelected("Up to 100 MB")
	sd.autoAccept.SetSelected("Never: always ask")
	h.waitFor("the settings stored", func() bool {
		s, err := h.eng.Settings()
		return err == nil && s.FileLimitMiB == 100 && s.AutoAcceptPicturesKiB == 0
	})
}

// TestServeFetchedSetting: the Privacy tab's switch for files received
// in groups is on by default; turned off it is stored in the profile,
// and it shows off when the settings are opened again; turned on again,
// stored on.
func TestServeFetchedSetting(t *testing.T) {
	test.NewTempApp(t)
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(newNet())))
	h.createProfile("Alice", "alice password")
	sd := h.openSettings()
	if !sd.serveFetched.Checked || sd.serveFetched.Text != "Share files I received in groups with other members" {
		t.Fatalf("the switch shows %q, on %v", sd.serveFetched.Text, sd.serveFetched.Checked)
	}
	test.Tap(sd.serveFetched)
	h.waitFor("the setting stored off", func() bool {
		s, err := h.eng.Settings()
		return err == nil && !s.ServeFetchedFiles
	})
	sd.d.Hide()
	h.waitFor("the settings closed", func() bool { return h.ui.settings == nil })
	sd = h.openSettings()
	if sd.serveFetched.Checked {
		t.Fatal("the switch shows on after it was turned off")
	}
	test.Tap(sd.serveFetched)
	h.waitFor("the setting stored on", func() bool {
		s, err := h.eng.Settings()
		return err == nil && s.ServeFetchedFiles
	})
}

// TestFileCardPaused: a transfer that cannot move says why: the engine's
// problem (the disk), or the contact offline; one under way with the
// contact online is not paused.
func TestFileCardPaused(t *testing.T) {
	cv := model.Conversation{Title: "Sam", Presence: model.Online}
	f := state.File{FileTransfer: model.FileTransfer{State: model.FileTransferring, Size: 10, Done: 4}}
	if got := fileCardInfo(f, cv); got.State != widgets.FileTransferring {
		t.Fatalf("online: %v", got.State)
	}
	cv.Presence = model.Offline
	if got := fileCardInfo(f, cv); got.State != widgets.FilePaused || !strings.Contains(got.Problem, "Sam is offline") {
		t.Fatalf("offline: %v %q", got.State, got.Problem)
	}
	f.Problem = "Not enough disk space: free some space and it goes on."
	cv.Presence = model.Online
	if got := fileCardInfo(f, cv); got.State != widgets.FilePaused || got.Problem != f.Problem {
		t.Fatalf("disk: %v %q", got.State, got.Problem)
	}
}

// withText returns a PNG whose text chunk holds s (as a camera or a
// phone writes its location into a picture).
func withText(t *testing.T, s string) []byte {
	t.Helper()
	b, err := os.ReadFile(writePicture(t, "p.png"))
	if err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Comment\x00"), s...)
	chunk := make([]byte, 0, len(payload)+12)
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(len(payload)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, payload...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	// After the 8-byte signature and the 25-byte IHDR chunk.
	return slices.Concat(b[:33], chunk, b[33:])
}

// TestPastePicture: a picture pasted into the conversation is offered in
// the Send dialog as "Pasted picture.png"; sent as it is by default, its
// hidden text (a location) does not leave Alice's computer, and its
// temporary copy is removed; with "Keep the original" ticked it does.
func TestPastePicture(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	ac := alice.open(bob.self())
	const secret = "GPS 48.8566N 2.3522E"
	send := func(keep bool) []byte {
		t.Helper()
		n := len(ac.msgs())
		ac.sendPasted(withText(t, secret))
		alice.waitFor("the Send dialog", func() bool { return alice.button("Send") != nil })
		if !alice.hasText("Pasted picture.png") {
			t.Fatal("the Send dialog does not name the pasted picture")
		}
		if keep {
			var c *widget.Check
			for _, o := range alice.win.Canvas().Overlays().List() {
				walk(o, func(o fyne.CanvasObject) bool {
					c, _ = o.(*widget.Check)
					return c != nil
				})
			}
			if c == nil {
				t.Fatal("no Keep the original box")
			}
			test.Tap(c)
		}
		alice.tap("Send")
		alice.waitFor("the picture sent", func() bool { return len(ac.msgs()) == n+1 })
		alice.waitFor("the temporary copy removed", func() bool {
			left, _ := os.ReadDir(tmp)
			for _, e := range left {
				if strings.HasPrefix(e.Name(), "nook-paste-") {
					return false
				}
			}
			return true
		})
		saved, err := alice.eng.SaveFile(ac.conv, ac.msgs()[n].ID, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(saved)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := send(false); bytes.Contains(b, []byte(secret)) {
		t.Fatal("the picture's hidden text was sent")
	}
	if b := send(true); !bytes.Contains(b, []byte(secret)) {
		t.Fatal("the original was not kept when asked")
	}
}
