package widgets

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// codeLines returns the texts c draws, top to bottom, and checks that each
// is drawn with the monospace font alone.
func codeLines(t *testing.T, c *CodeText) []string {
	t.Helper()
	var out []string
	for _, o := range test.WidgetRenderer(c).Objects() {
		txt, ok := o.(*canvas.Text)
		if !ok {
			t.Fatalf("CodeText draws a %T", o)
		}
		if txt.FontSource != theme.DefaultTextMonospaceFont() {
			t.Errorf("line %q drawn with font %v, want Fyne's monospace font alone", txt.Text, txt.FontSource)
		}
		if txt.Position().X != 0 || (len(out) > 0 && txt.Position().Y <= 0) {
			t.Errorf("line %q at %v", txt.Text, txt.Position())
		}
		out = append(out, txt.Text)
	}
	return out
}

// TestCodeTextBreaks: the text is broken between characters to fit the
// width, every line but the last full, nothing lost; a narrower widget
// has more lines and asks for more height; its own line breaks are kept.
func TestCodeTextBreaks(t *testing.T) {
	newTestApp(t, VariantLight)
	code := "nook1:" + strings.Repeat("abcdefghijklmnopqrstuvwxyz234567", 6)
	c := NewCodeText(code)
	c.SizeName = theme.SizeNameCaptionText
	w := showIn(t, container.NewVBox(c), fyne.NewSize(420, 600))

	wide := codeLines(t, c)
	if len(wide) < 2 {
		t.Fatalf("%d characters in %v wide make %d line(s)", len(code), c.Size().Width, len(wide))
	}
	if strings.Join(wide, "") != code {
		t.Fatalf("lines %q do not make the code", wide)
	}
	for i, l := range wide[:len(wide)-1] {
		if len(l) != len(wide[0]) {
			t.Errorf("line %d has %d characters, line 0 %d", i, len(l), len(wide[0]))
		}
		s := canvas.NewText(l, nil)
		s.TextSize, s.TextStyle, s.FontSource = theme.CaptionTextSize(), fyne.TextStyle{Monospace: true}, theme.DefaultTextMonospaceFont()
		if s.MinSize().Width > c.Size().Width+0.5 {
			t.Errorf("line %d is %v wide in %v", i, s.MinSize().Width, c.Size().Width)
		}
	}
	tall := c.MinSize().Height

	w.Resize(fyne.NewSize(200, 600))
	narrow := codeLines(t, c)
	if len(narrow) <= len(wide) || strings.Join(narrow, "") != code {
		t.Fatalf("at 200 wide: %d lines (at 420: %d), %q", len(narrow), len(wide), narrow)
	}
	if c.MinSize().Height <= tall {
		t.Errorf("height asked %v at 200 wide, %v at 420", c.MinSize().Height, tall)
	}

	c.SetText("one\ntwo")
	if got := codeLines(t, c); strings.Join(got, "|") != "one|two" {
		t.Errorf("lines of %q: %q", "one\ntwo", got)
	}
	c.SetText("")
	if got := codeLines(t, c); len(got) != 0 || c.MinSize().Height != 0 {
		t.Errorf("empty: lines %q, min size %v", got, c.MinSize())
	}
}
