package widgets

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// testPicture is a 160×100 gradient standing for a decoded thumbnail.
func testPicture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 160, 100))
	for y := 0; y < 100; y++ {
		for x := 0; x < 160; x++ {
			img.Set(x, y, color.RGBA{uint8(40 + x), uint8(90 + y), 180, 255})
		}
	}
	return img
}

// cards are the states a golden shows.
func cards() []FileInfo {
	return []FileInfo{
		{ID: "1", Name: "harbour.jpg", MediaType: "image/jpeg", Size: 482_133, State: FileComplete, Contact: "Sam",
			Thumbnail: testPicture(), Time: testNow},
		{ID: "2", Name: "leaked-contract.pdf", MediaType: "application/pdf", Size: 4_800_000, Done: 1_900_000,
			Speed: 310_000, Outgoing: true, State: FileTransferring, Contact: "Sam"},
		{ID: "3", Name: "interview notes.odt", MediaType: "application/octet-stream", Size: 52_000, State: FileOffered, Contact: "Sam"},
		{ID: "4", Name: "footage.mp4", MediaType: "video/mp4", Size: 3 << 30, Outgoing: true, State: FileTooLarge,
			Contact: "Sam", Limit: 2 << 30, ByContact: true},
	}
}

func TestFileCard_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			box := container.NewVBox()
			for _, f := range cards() {
				c := NewFileCard(f)
				c.Times = testTimes
				c.SetFile(f)
				box.Add(container.New(fixedWidth{FileCardWidth}, c))
			}
			w := showIn(t, box, fyne.NewSize(FileCardWidth+16, 100))
			w.Resize(fyne.NewSize(FileCardWidth+16, box.MinSize().Height+8))
			test.AssertRendersToImage(t, "filecard_"+v.name+".png", w.Canvas())
		})
	}
}

// fixedWidth lays its object out at a fixed width.
type fixedWidth struct{ w float32 }

func (l fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(l.w, objs[0].MinSize().Height)
}

func (l fixedWidth) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	objs[0].Resize(fyne.NewSize(l.w, s.Height))
}

// visibleButtons are the labels of c's shown buttons.
func visibleButtons(c *FileCard) []string {
	var out []string
	for _, b := range []*widget.Button{c.accept, c.decline, c.save, c.open, c.cancel} {
		if b.Visible() {
			out = append(out, b.Text)
		}
	}
	return out
}

// TestFileCard_Actions: each state offers what can be done then, and the
// buttons call back with the file's ID.
func TestFileCard_Actions(t *testing.T) {
	newTestApp(t, VariantLight)
	cases := []struct {
		f    FileInfo
		want []string
	}{
		{FileInfo{State: FileOffered}, []string{"Accept", "Decline"}},
		{FileInfo{State: FileOffered, Outgoing: true}, []string{"Cancel"}},
		{FileInfo{State: FileTransferring, Size: 10, Done: 5}, []string{"Cancel"}},
		{FileInfo{State: FilePaused, Problem: "Not enough disk space."}, []string{"Cancel"}},
		{FileInfo{State: FileComplete}, []string{"Save as…"}},
		{FileInfo{State: FileComplete, Saved: "/home/a/x.pdf"}, []string{"Save again…", "Open"}},
		{FileInfo{State: FileDeclined}, nil},
		{FileInfo{State: FileTooLarge, Limit: 1 << 20}, nil},
	}
	for _, tc := range cases {
		c := NewFileCard(tc.f)
		if got := visibleButtons(c); !equalStrings(got, tc.want) {
			t.Errorf("state %d outgoing %v: buttons %q, want %q", tc.f.State, tc.f.Outgoing, got, tc.want)
		}
	}
	var got []string
	c := NewFileCard(FileInfo{ID: "abc", State: FileOffered})
	c.OnAccept = func(id string) { got = append(got, "accept "+id) }
	c.OnDecline = func(id string) { got = append(got, "decline "+id) }
	test.Tap(c.accept)
	test.Tap(c.decline)
	if !equalStrings(got, []string{"accept abc", "decline abc"}) {
		t.Fatalf("callbacks: %q", got)
	}
}

// TestFileStatus: the sentences say what happened in words, with the
// contact's limit.
func TestFileStatus(t *testing.T) {
	cases := []struct {
		f    FileInfo
		want string
	}{
		{FileInfo{State: FileTooLarge, Outgoing: true, Contact: "Sam", Limit: 2 << 30}, "Too large for Sam: they accept files up to 2 GB."},
		{FileInfo{State: FileTooLarge, Limit: 100 << 20}, "Not received: larger than your limit of 100 MB (Settings)."},
		{FileInfo{State: FileTransferring, Size: 10 << 20, Done: 5 << 20, Speed: 1 << 20}, "Receiving 5 MB of 10 MB · 1 MB/s · a few seconds left"},
		{FileInfo{State: FileTransferring, Outgoing: true, Size: 100 << 20, Done: 0, Speed: 100 << 10}, "Sending 0 bytes of 100 MB · 100 KB/s · about 17 minutes left"},
		{FileInfo{State: FilePaused, Problem: "Sam is offline; it goes on when you are both online."}, "Paused: Sam is offline; it goes on when you are both online."},
		{FileInfo{State: FileCancelled, ByContact: true, Contact: "Sam"}, "Sam cancelled this transfer."},
		{FileInfo{State: FileDeclined, Outgoing: true, Contact: "Sam"}, "Sam declined this file."},
		// In a group: the author's card, a member's offer, a fetch waiting
		// for a member who has it, and what is the same as between contacts.
		{FileInfo{InGroup: true, State: FileOffered, Outgoing: true, Contact: "You"}, "Shared with the group. Members who accept it get it from you, or from a member who has it."},
		{FileInfo{InGroup: true, State: FileOffered, Contact: "Sam"}, "Sam shared this file in the group. Accept it only if you expect it."},
		{FileInfo{InGroup: true, State: FilePaused, Contact: "Sam"}, "Paused. It goes on when a member who has it is online."},
		{FileInfo{InGroup: true, State: FilePaused, Problem: "None of the members who have this file are online now. It arrives when one of them is."},
			"Paused: None of the members who have this file are online now. It arrives when one of them is."},
		{FileInfo{InGroup: true, State: FileUnavailable, Contact: "Sam"}, "No member has this file any more."},
		{FileInfo{InGroup: true, State: FileComplete}, "Received and checked. It stays encrypted in Nook until you save it."},
	}
	for _, tc := range cases {
		if got, _ := FileStatus(tc.f); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
		}
	}
	sizes := map[int64]string{0: "0 bytes", 1: "1 byte", 1023: "1023 bytes", 1536: "1.5 KB", 4_800_000: "4.6 MB", 2 << 30: "2 GB"}
	for n, want := range sizes {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
	if got := TypeName("application/octet-stream", "notes.odt"); got != "ODT file" {
		t.Errorf("TypeName: %q", got)
	}
}
