package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

const (
	addrAlice = "5gyzvxzbhpgnnqffzk2fxxgfqyuk6xuxeqbeapdnxj2w6yd27ztmalqd.onion"
	addrBob   = "w3bdtqcnxrpmyhhbp6sy5x7e2omf2ox6qk4z6lr2mfo7yaezwn4sxeyd"
	addrCarol = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"
	addrDan   = "juhanurmihxlp77nkq76byazcldy2hlmovfu2epvl5ankdibsot4csyd.onion"
)

func contactRows() []ContactSummary {
	return []ContactSummary{
		{Address: addrAlice, Name: "Alice Moreau", Preview: "The documents are in the usual place.\nCall me.",
			LastActivity: testNow.Add(-2 * time.Hour), Presence: PresenceOnline, Unread: 3},
		{Address: addrBob, Name: "Bob", Preview: "See you tomorrow",
			LastActivity: testNow.Add(-26 * time.Hour), Presence: PresenceConnecting},
		{Address: addrCarol, Name: "Carol from the newsroom with a very long display name indeed",
			Preview:      "This is a long preview that cannot possibly fit into a single line of the contact list",
			LastActivity: time.Date(2025, 1, 3, 9, 0, 0, 0, time.UTC), Presence: PresenceOffline, Unread: 120},
		{Address: addrDan, Preview: "", Request: true, LastActivity: testNow.Add(-5 * time.Minute)},
	}
}

func newContactList(cs []ContactSummary) (*fyne.Container, []*ContactRow) {
	box := container.NewVBox()
	var rows []*ContactRow
	for i, c := range cs {
		if i > 0 {
			box.Add(widget.NewSeparator())
		}
		r := NewContactRow(c)
		r.Times = testTimes
		rows = append(rows, r)
		box.Add(r)
	}
	return box, rows
}

func TestContactRow_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			box, _ := newContactList(contactRows())
			w := showIn(t, box, fyne.NewSize(380, box.MinSize().Height+8))
			test.AssertRendersToMarkup(t, "contactrow_"+v.name+".xml", w.Canvas())
			test.AssertRendersToImage(t, "contactrow_"+v.name+".png", w.Canvas())
		})
	}
}

func TestContactRow_RequestButtons(t *testing.T) {
	newTestApp(t, VariantLight)
	c := contactRows()[3]
	row := NewContactRow(c)
	showIn(t, row, fyne.NewSize(380, 140))

	var got []string
	row.OnAccept = func(a string) { got = append(got, "accept "+a) }
	row.OnReject = func(a string) { got = append(got, "reject "+a) }
	row.OnBlock = func(a string) { got = append(got, "block "+a) }
	r := test.TempWidgetRenderer(t, row).(*contactRowRenderer)
	test.Tap(r.accept)
	test.Tap(r.reject)
	test.Tap(r.block)
	want := []string{"accept " + c.Address, "reject " + c.Address, "block " + c.Address}
	if !equalStrings(got, want) {
		t.Errorf("callbacks = %q, want %q", got, want)
	}

	// A normal row has no buttons, and is shorter.
	h := row.MinSize().Height
	row.Set(contactRows()[0])
	if r.accept.Visible() || r.reject.Visible() || r.block.Visible() {
		t.Error("buttons visible on a normal row")
	}
	if row.MinSize().Height >= h {
		t.Errorf("normal row height %v, request row %v", row.MinSize().Height, h)
	}
}

// A row's MinSize, which for a row that is not a request is worked out
// without the renderer, is the renderer's, at any text size.
func TestContactRow_MinSizeBeforeRendering(t *testing.T) {
	for _, scale := range []float32{1, 1.3} {
		a := newTestApp(t, VariantLight)
		a.Settings().SetTheme(NewTheme(VariantLight, scale))
		for _, c := range contactRows() {
			row := NewContactRow(c)
			before := row.MinSize()
			if got := test.TempWidgetRenderer(t, row).MinSize(); got != before {
				t.Errorf("scale %v, %q: MinSize %v before rendering, %v after", scale, c.Name, before, got)
			}
		}
	}
}

func TestAvatarColorDeterministic(t *testing.T) {
	// Every spelling of one address gives one colour.
	for _, spelling := range []string{normalizeOnion(addrAlice), "  " + addrAlice + " ", normalizeOnion(addrAlice) + ".ONION"} {
		if got, want := AvatarColor(spelling), AvatarColor(addrAlice); got != want {
			t.Errorf("AvatarColor(%q) = %v, want %v", spelling, got, want)
		}
	}
	// Fixed values: a change here changes every user's avatars.
	golden := map[string]int{addrAlice: 1, addrBob: 7, addrCarol: 1, addrDan: 2}
	for k, want := range golden {
		if got := paletteIndex(t, k); got != want {
			t.Errorf("palette index for %s = %d, want %d", k, got, want)
		}
	}

	// Many addresses spread over the whole palette.
	seen := map[int]bool{}
	for i := range 200 {
		seen[paletteIndex(t, string(rune('a'+i%26))+string(rune('a'+i/26))+"xyz")] = true
	}
	if len(seen) != len(avatarPalette) {
		t.Errorf("200 keys used %d of %d colours", len(seen), len(avatarPalette))
	}
}

func paletteIndex(t *testing.T, key string) int {
	t.Helper()
	c := AvatarColor(key)
	for i, p := range avatarPalette {
		if p == c {
			return i
		}
	}
	t.Fatalf("AvatarColor(%q) = %v is not in the palette", key, c)
	return -1
}

func TestInitials(t *testing.T) {
	for _, tt := range []struct{ name, fallback, want string }{
		{"Alice Moreau", "", "AM"},
		{"bob", "", "B"},
		{"jean-luc picard", "", "JL"},
		{"  ", addrDan, "JU"},
		{"", "", "?"},
		{"Ölçü Şahin", "", "ÖŞ"},
		{"@home 42", "", "H4"},
	} {
		if got := Initials(tt.name, tt.fallback); got != tt.want {
			t.Errorf("Initials(%q, %q) = %q, want %q", tt.name, tt.fallback, got, tt.want)
		}
	}
}

// TestContactRow_RequestButtonsFit: in a list as narrow as the app's at an
// 800 px window (about 260 px), and at the row's minimum width, a
// request's Accept, Reject and Block buttons are all inside the row, at
// two text sizes.
func TestContactRow_RequestButtonsFit(t *testing.T) {
	for _, scale := range []float32{1, 1.2} {
		a := newTestApp(t, VariantLight)
		a.Settings().SetTheme(NewTheme(VariantLight, scale))
		narrowest := test.TempWidgetRenderer(t, NewContactRow(contactRows()[3])).MinSize().Width
		for _, width := range []float32{380, max(262, narrowest), narrowest} {
			row := NewContactRow(contactRows()[3])
			showIn(t, row, fyne.NewSize(width, 160))
			row.Resize(fyne.NewSize(width, row.MinSize().Height))
			r := test.TempWidgetRenderer(t, row).(*contactRowRenderer)
			r.Layout(row.Size())
			for _, b := range []*widget.Button{r.accept, r.reject, r.block} {
				if end := b.Position().X + b.Size().Width; end > width || b.Size().Width < b.MinSize().Width {
					t.Errorf("scale %v, %v px: %q ends at %v", scale, width, b.Text, end)
				}
			}
			if width == 380 && (r.accept.Icon == nil || r.block.Icon == nil) {
				t.Errorf("scale %v: the icons are left out of a wide row", scale)
			}
		}
	}
}

// TestContactRow_FocusRing: a focused row is drawn with a ring that
// changes a row's worth of pixels clearly (RGB distance 50 or more), and
// goes again.
func TestContactRow_FocusRing(t *testing.T) {
	for _, v := range variants {
		newTestApp(t, v.v)
		row := NewContactRow(contactRows()[1])
		w := showIn(t, row, fyne.NewSize(380, row.MinSize().Height))
		before := w.Canvas().Capture()
		row.SetFocused(true)
		focused := w.Canvas().Capture()
		changed := 0
		b := before.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r1, g1, b1, _ := before.At(x, y).RGBA()
				r2, g2, b2, _ := focused.At(x, y).RGBA()
				d := func(p, q uint32) float64 { return float64(p>>8) - float64(q>>8) }
				if d(r1, r2)*d(r1, r2)+d(g1, g2)*d(g1, g2)+d(b1, b2)*d(b1, b2) >= 50*50 {
					changed++
				}
			}
		}
		if min := 2 * (b.Dx() + b.Dy()); changed < min {
			t.Errorf("%s: the focus ring changes %d pixels clearly, want at least %d", v.name, changed, min)
		}
		row.SetFocused(false)
		if !row.Focused() {
			after := w.Canvas().Capture()
			if after.At(1, b.Dy()/2) != before.At(1, b.Dy()/2) {
				t.Errorf("%s: the ring stays after the focus left", v.name)
			}
		}
	}
}

// TestContactRow_SetUnchanged: setting what a row already shows does not
// draw it again; a change of the summary, or of how its time is shown
// (the day went by), does.
func TestContactRow_SetUnchanged(t *testing.T) {
	newTestApp(t, VariantLight)
	c := contactRows()[1]
	row := NewContactRow(ContactSummary{})
	now := testNow
	row.Times = TimeFormat{Now: func() time.Time { return now }, Location: time.UTC}
	row.Set(c)
	showIn(t, row, fyne.NewSize(380, row.MinSize().Height))
	r := test.WidgetRenderer(row).(*contactRowRenderer)
	shownWhen := r.when.Text

	r.when.Text = "drawn before"
	row.Set(c)
	if r.when.Text != "drawn before" {
		t.Fatalf("the same summary set again drew the row again (time %q)", r.when.Text)
	}
	changed := c
	changed.Unread++
	row.Set(changed)
	if r.when.Text != shownWhen {
		t.Fatalf("a changed summary: time shown %q, want %q", r.when.Text, shownWhen)
	}
	r.when.Text = "drawn before"
	now = now.Add(48 * time.Hour)
	row.Set(changed)
	if r.when.Text == "drawn before" || r.when.Text == shownWhen {
		t.Fatalf("two days later the time shows %q (was %q)", r.when.Text, shownWhen)
	}
}
