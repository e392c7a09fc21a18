package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// ellipsis is appended to text cut short by ellipsize.
const ellipsis = "…"

// firstLine returns s up to its first line break, with runs of white space
// collapsed, for one-line previews.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

// ellipsize returns the longest prefix of s that, with an ellipsis, fits in
// maxWidth at the given size and style; s itself when it fits.
func ellipsize(s string, size float32, style fyne.TextStyle, maxWidth float32) string {
	if s == "" || fyne.MeasureText(s, size, style).Width <= maxWidth {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // lo fits, hi does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fyne.MeasureText(string(r[:mid])+ellipsis, size, style).Width <= maxWidth {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return ellipsis
	}
	return strings.TrimRight(string(r[:lo]), " ") + ellipsis
}

// newWrappedText returns a word-wrapping RichText of one segment whose text
// and colour name the caller sets before refreshing.
func newWrappedText() (*widget.RichText, *widget.TextSegment) {
	seg := &widget.TextSegment{Style: widget.RichTextStyle{Inline: true}}
	rt := widget.NewRichText(seg)
	rt.Wrapping = fyne.TextWrapWord
	return rt, seg
}
