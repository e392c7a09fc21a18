package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// CodeText shows a code that people copy rather than read (an invite's
// text): in the monospace font, broken between any two characters to fit
// its width, one line under another. It is not selectable: the screen
// beside it offers a Copy button.
//
// Its lines are drawn with the monospace font alone (canvas.Text's
// FontSource). Fyne draws text of the Monospace style with that font, its
// own copy of the emoji font and a system monospace font behind it, each
// parsed when the style is first used: about 7 MB of heap for a code of
// ASCII letters and digits, which needs none of them (docs/performance.md).
// A character the font lacks is drawn as a box.
type CodeText struct {
	widget.BaseWidget

	// SizeName is the theme size of the text; theme.SizeNameText when
	// empty.
	SizeName fyne.ThemeSizeName

	text string
}

// NewCodeText returns a view of text.
func NewCodeText(text string) *CodeText {
	c := &CodeText{text: text}
	c.ExtendBaseWidget(c)
	return c
}

// Text returns the text shown.
func (c *CodeText) Text() string { return c.text }

// SetText shows text instead.
func (c *CodeText) SetText(text string) {
	c.text = text
	c.Refresh()
}

// codeFont is the font of a CodeText: Fyne's monospace font.
func codeFont() fyne.Resource { return theme.DefaultTextMonospaceFont() }

func (c *CodeText) textSize() float32 {
	n := c.SizeName
	if n == "" {
		n = theme.SizeNameText
	}
	return themeSize(c.Theme(), n)
}

// CreateRenderer implements fyne.Widget.
func (c *CodeText) CreateRenderer() fyne.WidgetRenderer {
	c.ExtendBaseWidget(c)
	r := &codeTextRenderer{c: c}
	r.Refresh()
	return r
}

type codeTextRenderer struct {
	c     *CodeText
	lines []*canvas.Text
	objs  []fyne.CanvasObject
	// char is the advance of one character and line the height of a
	// line, at the size they were measured for.
	char, line, measured float32
	// split's last answer, for the text at a number of characters a
	// line: MinSize is asked at every frame drawn.
	splitText  string
	splitPer   int
	splitLines []string
}

func (r *codeTextRenderer) Destroy() {}

func (r *codeTextRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *codeTextRenderer) newText(s string) *canvas.Text {
	t := canvas.NewText(s, themeColor(r.c.Theme(), theme.ColorNameForeground))
	t.TextSize = r.c.textSize()
	t.TextStyle = fyne.TextStyle{Monospace: true}
	t.FontSource = codeFont()
	return t
}

// measure finds the advance of a character and the height of a line at
// the current text size (the font is monospaced: every character has the
// same advance).
func (r *codeTextRenderer) measure() {
	size := r.c.textSize()
	if size == r.measured && r.char > 0 {
		return
	}
	const sample = "0123456789"
	s := r.newText(sample).MinSize()
	r.char, r.line, r.measured = s.Width/float32(len(sample)), s.Height, size
}

// split breaks the text into the lines that fit width w: at its own line
// breaks, and between characters where a line would be wider than w; at
// least one character a line. A width of zero (not laid out yet) breaks
// only at the text's own line breaks.
func (r *codeTextRenderer) split(w float32) []string {
	r.measure()
	per := 0
	if w > 0 && r.char > 0 {
		per = max(1, int(w/r.char))
	}
	if r.splitLines != nil && r.splitText == r.c.text && r.splitPer == per {
		return r.splitLines
	}
	var out []string
	for _, l := range strings.Split(r.c.text, "\n") {
		runes := []rune(l)
		if per == 0 || len(runes) <= per {
			out = append(out, l)
			continue
		}
		for len(runes) > per {
			out = append(out, string(runes[:per]))
			runes = runes[per:]
		}
		out = append(out, string(runes))
	}
	r.splitText, r.splitPer, r.splitLines = r.c.text, per, out
	return out
}

func (r *codeTextRenderer) MinSize() fyne.Size {
	lines := r.split(r.c.Size().Width)
	if r.c.text == "" {
		return fyne.NewSize(0, 0)
	}
	// The narrowest: a few characters a line; the height is that of the
	// lines at the width the widget has now.
	return fyne.NewSize(8*r.char, float32(len(lines))*r.line)
}

func (r *codeTextRenderer) Layout(s fyne.Size) {
	r.setLines(r.split(s.Width))
	for i, t := range r.lines {
		t.Move(fyne.NewPos(0, float32(i)*r.line))
		t.Resize(fyne.NewSize(s.Width, r.line))
	}
}

// setLines makes the canvas texts show lines, reusing those it has.
func (r *codeTextRenderer) setLines(lines []string) {
	if r.c.text == "" {
		lines = nil
	}
	fg := themeColor(r.c.Theme(), theme.ColorNameForeground)
	size := r.c.textSize()
	for i, l := range lines {
		if i == len(r.lines) {
			r.lines = append(r.lines, r.newText(l))
		}
		t := r.lines[i]
		if t.Text != l || t.Color != fg || t.TextSize != size {
			t.Text, t.Color, t.TextSize = l, fg, size
			t.Refresh()
		}
	}
	r.lines = r.lines[:len(lines)]
	r.objs = r.objs[:0]
	for _, t := range r.lines {
		r.objs = append(r.objs, t)
	}
}

func (r *codeTextRenderer) Refresh() {
	r.measure()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}
