package widgets

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// Reaction is one emoji shown under a message: how many people put it
// there, whether the user is one of them, and who they are.
type Reaction struct {
	Emoji string
	Count int
	// Mine marks the user's own reaction: it is highlighted, and tapping
	// it removes it.
	Mine bool
	// Who names the people who reacted, for the tooltip.
	Who []string
}

// ReactionChoices are the emoji the bubble's React menu offers.
var ReactionChoices = []string{"👍", "❤\ufe0f", "😂", "😮", "😢", "🙏"}

// Reaction chip geometry, in canvas units at text scale 1.
const (
	chipPadH = 7 // inside a chip, left and right
	chipPadV = 2 // inside a chip, top and bottom
	chipGap  = 4 // between chips
	chipRise = 4 // how far the chips overlap the bubble's bottom edge
	chipSep  = 3 // between the emoji and the count
	// emojiScale: emoji glyphs are drawn smaller than letters of the same
	// size, so the emoji is drawn this much larger than the text.
	emojiScale = 1.3
)

// reactionChip is one reaction under a bubble: the emoji and its count on
// a rounded background, the user's own outlined in the accent colour.
// Tapping it calls onTap; resting the pointer on it shows who reacted in
// the window's TooltipLayer.
type reactionChip struct {
	widget.BaseWidget
	r     Reaction
	onTap func(Reaction)

	bg    *canvas.Rectangle
	emoji *canvas.Text
	count *canvas.Text // hidden for a count of one
}

var (
	_ fyne.Tappable     = (*reactionChip)(nil)
	_ desktop.Hoverable = (*reactionChip)(nil)
)

func newReactionChip() *reactionChip {
	c := &reactionChip{bg: &canvas.Rectangle{}, emoji: canvas.NewText("", nil), count: canvas.NewText("", nil)}
	c.ExtendBaseWidget(c)
	return c
}

// countLabel is the count the chip shows: none when one person chose the
// emoji.
func (r Reaction) countLabel() string {
	if r.Count > 1 {
		return strconv.Itoa(r.Count)
	}
	return ""
}

// tooltip names who reacted, and what tapping does.
func (r Reaction) tooltip() string {
	who := strings.Join(r.Who, ", ")
	if r.Mine {
		if who == "" {
			who = i18n.T("common.you")
		}
		return i18n.T("reactions.tap_to_remove_yours", "Who", who)
	}
	return who
}

func (c *reactionChip) set(r Reaction, onTap func(Reaction)) {
	c.r, c.onTap = r, onTap
	c.Refresh()
}

// Tapped calls onTap with the reaction.
func (c *reactionChip) Tapped(*fyne.PointEvent) {
	c.hideTip()
	if c.onTap != nil {
		c.onTap(c.r)
	}
}

func (c *reactionChip) layer() *TooltipLayer {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c)
	if cv == nil {
		return nil
	}
	l, _ := cv.Content().(*TooltipLayer)
	return l
}

// MouseIn shows who reacted.
func (c *reactionChip) MouseIn(*desktop.MouseEvent) {
	if l := c.layer(); l != nil && c.r.tooltip() != "" {
		l.ShowTooltip(c.r.tooltip(), c)
	}
}

// MouseMoved does nothing.
func (c *reactionChip) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the tooltip.
func (c *reactionChip) MouseOut() { c.hideTip() }

func (c *reactionChip) hideTip() {
	if l := c.layer(); l != nil {
		l.HideTooltip(c)
	}
}

// CreateRenderer implements fyne.Widget.
func (c *reactionChip) CreateRenderer() fyne.WidgetRenderer {
	return &chipRenderer{c: c}
}

type chipRenderer struct{ c *reactionChip }

func (r *chipRenderer) Destroy() {}

func (r *chipRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.c.bg, r.c.emoji, r.c.count}
}

// content is the size of the emoji and the count side by side.
func (r *chipRenderer) content() fyne.Size {
	es := r.c.emoji.MinSize()
	if r.c.count.Hidden {
		return es
	}
	cs := r.c.count.MinSize()
	return fyne.NewSize(es.Width+chipSep+cs.Width, fyne.Max(es.Height, cs.Height))
}

func (r *chipRenderer) MinSize() fyne.Size {
	cs := r.content()
	return fyne.NewSize(cs.Width+2*chipPadH, cs.Height+2*chipPadV)
}

func (r *chipRenderer) Layout(s fyne.Size) {
	r.c.bg.Resize(s)
	cs := r.content()
	x := (s.Width - cs.Width) / 2
	es := r.c.emoji.MinSize()
	r.c.emoji.Move(fyne.NewPos(x, (s.Height-es.Height)/2))
	r.c.emoji.Resize(es)
	ns := r.c.count.MinSize()
	r.c.count.Move(fyne.NewPos(x+es.Width+chipSep, (s.Height-ns.Height)/2))
	r.c.count.Resize(ns)
}

func (r *chipRenderer) Refresh() {
	c := r.c
	th := c.Theme()
	size := th.Size(theme.SizeNameText)
	c.emoji.Text = c.r.Emoji
	c.emoji.TextSize = size * emojiScale
	c.count.Text = c.r.countLabel()
	c.count.TextSize = size
	c.count.Color = themeColor(th, theme.ColorNameForeground)
	c.count.Hidden = c.count.Text == ""
	c.bg.FillColor = themeColor(th, ColorNameCard)
	c.bg.StrokeColor = themeColor(th, ColorNameMuted)
	c.bg.StrokeWidth = 1
	if c.r.Mine {
		c.bg.FillColor = themeColor(th, ColorNameQuote)
		c.bg.StrokeColor = themeColor(th, ColorNameAccent)
		c.bg.StrokeWidth = 2
	}
	c.bg.CornerRadius = (r.content().Height + 2*chipPadV) / 2
	r.Layout(c.Size())
	c.bg.Refresh()
	c.emoji.Refresh()
	c.count.Refresh()
}
