package widgets

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// Bubble geometry, in canvas units at text scale 1.
const (
	bubbleMargin   = 10  // between the bubble and the edge of the row
	bubbleMarginV  = 2   // above and below the bubble, so rows breathe
	bubblePadH     = 12  // inside the bubble, left and right
	bubblePadV     = 7   // inside the bubble, top and bottom
	bubbleRadius   = 14  // corner radius
	bubbleMaxWidth = 540 // never wider than this, however wide the window
	bubbleMaxShare = 0.8 // nor wider than this share of the row
	metaGap        = 10  // between body text and an inline time stamp
	fallbackWidth  = 420 // width assumed before the bubble has been laid out
)

// MessageBubble shows one message of a conversation: the body (wrapped), the
// author in group chats, a quoted message, the time and, for the user's own
// messages, the delivery state. Outgoing messages sit on the right in the
// primary colour, incoming ones on the left on a neutral card.
//
// A secondary tap (right click, long press) on the bubble opens a menu with
// Reply, React (with OnReact set: a few emoji, ReactionChoices), Edit
// (with OnEdit set, for a message marked Editable), Copy text, for failed
// messages with OnRetry set, Retry, with OnDelete set, Delete for me, and
// with OnDeleteForEveryone set, for a message marked Editable, Delete for
// everyone.
// An edited message shows "edited" beside its time. Message.Reactions are shown as chips under the bubble
// (emoji and count, the user's own outlined); tapping one calls OnReact
// with its emoji, or with "" for the user's own (to remove it), and
// resting the pointer on one names who reacted.
// Message text is shown as plain text: links are deliberately not made
// clickable, since opening them outside Tor would reveal the user.
//
// For long conversations use it as the item of a widget.List: create one
// bubble per visible row and call SetMessage in the list's update function,
// then widget.List.SetItemHeight(id, bubble.HeightForWidth(list width)),
// and set the list's HideSeparators: bubbles need no rules between them.
type MessageBubble struct {
	widget.BaseWidget

	// Times formats Message.Time; its zero value uses the local clock.
	Times TimeFormat

	// OnReply is called with the message when the user picks Reply.
	OnReply func(Message)
	// OnQuoteTapped is called with Quote.ID when the quoted message is
	// tapped, to scroll to it.
	OnQuoteTapped func(quoteID string)
	// OnCopy is called with the body when the user picks Copy text; nil
	// copies it to the clipboard.
	OnCopy func(text string)
	// OnRetry is called when the user asks to resend a failed message; nil
	// hides the menu entry.
	OnRetry func(Message)
	// OnReact is called with the message and an emoji when the user
	// reacts (from the menu, or by tapping someone else's reaction), and
	// with "" when they remove their own (tapping it); nil hides the menu
	// entry and makes the reactions shown not tappable.
	OnReact func(m Message, emoji string)
	// OnDelete is called when the user picks "Delete for me"; nil hides
	// the menu entry.
	OnDelete func(Message)
	// OnDeleteForEveryone is called when the user picks "Delete for
	// everyone" on a message marked Editable (the same: their own recent
	// text); nil hides it.
	OnDeleteForEveryone func(Message)
	// OnEdit is called when the user picks Edit on a message marked
	// Editable; nil hides the menu entry.
	OnEdit func(Message)

	msg Message
	r   *bubbleRenderer // set by CreateRenderer, for HeightForWidth
}

// NewMessageBubble returns a bubble showing m.
func NewMessageBubble(m Message) *MessageBubble {
	b := &MessageBubble{msg: m}
	b.ExtendBaseWidget(b)
	return b
}

// Message returns the message shown.
func (b *MessageBubble) Message() Message { return b.msg }

// SetMessage shows m, reusing the bubble's canvas objects.
func (b *MessageBubble) SetMessage(m Message) {
	b.msg = m
	b.Refresh()
}

// HeightForWidth returns the height the bubble needs when it is given the
// width w (the width of the list row).
func (b *MessageBubble) HeightForWidth(w float32) float32 {
	if b.r == nil {
		b.BaseWidget.MinSize() // creates the renderer
	}
	return b.r.geometry(w).height
}

// TappedSecondary opens the message's context menu when the tap is on the
// bubble itself.
func (b *MessageBubble) TappedSecondary(ev *fyne.PointEvent) {
	if b.r != nil {
		g := b.r.geometry(b.Size().Width)
		if ev.Position.X < g.bubblePos.X || ev.Position.X > g.bubblePos.X+g.bubbleSize.Width ||
			ev.Position.Y < g.bubblePos.Y || ev.Position.Y > g.bubblePos.Y+g.bubbleSize.Height {
			return
		}
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(b)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(b.menu(), c, ev.AbsolutePosition)
}

// menu builds the context menu for the current message.
func (b *MessageBubble) menu() *fyne.Menu {
	m := b.msg
	items := []*fyne.MenuItem{
		fyne.NewMenuItemWithIcon(i18n.T("bubble.reply"), theme.MailReplyIcon(), func() {
			if b.OnReply != nil {
				b.OnReply(m)
			}
		}),
	}
	if b.OnReact != nil {
		items = append(items, b.reactItem(m))
	}
	if b.OnEdit != nil && m.Editable {
		items = append(items, fyne.NewMenuItemWithIcon(i18n.T("bubble.edit"), theme.DocumentCreateIcon(), func() { b.OnEdit(m) }))
	}
	items = append(items, fyne.NewMenuItemWithIcon(i18n.T("bubble.copy_text"), theme.ContentCopyIcon(), func() { b.copyText(m.Body) }))
	if m.Outgoing && m.State == DeliveryFailed && b.OnRetry != nil {
		items = append(items, fyne.NewMenuItemWithIcon(i18n.T("bubble.retry_sending"), theme.ViewRefreshIcon(), func() {
			b.OnRetry(m)
		}))
	}
	if b.OnDelete != nil || b.OnDeleteForEveryone != nil && m.Editable {
		items = append(items, fyne.NewMenuItemSeparator())
	}
	if b.OnDelete != nil {
		items = append(items, fyne.NewMenuItemWithIcon(i18n.T("common.delete_for_me"), theme.DeleteIcon(), func() {
			b.OnDelete(m)
		}))
	}
	if b.OnDeleteForEveryone != nil && m.Editable {
		items = append(items, fyne.NewMenuItemWithIcon(i18n.T("bubble.delete_for_everyone"), theme.DeleteIcon(), func() {
			b.OnDeleteForEveryone(m)
		}))
	}
	return fyne.NewMenu("", items...)
}

// reactItem is the React entry of the menu: the emoji of
// ReactionChoices, and a way to remove the user's own reaction.
func (b *MessageBubble) reactItem(m Message) *fyne.MenuItem {
	mine := ""
	for _, r := range m.Reactions {
		if r.Mine {
			mine = r.Emoji
		}
	}
	var choices []*fyne.MenuItem
	for _, e := range ReactionChoices {
		it := fyne.NewMenuItem(e, func() { b.OnReact(m, e) })
		it.Checked = e == mine
		choices = append(choices, it)
	}
	if mine != "" {
		choices = append(choices, fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem(i18n.T("bubble.remove_my_reaction"), func() { b.OnReact(m, "") }))
	}
	it := fyne.NewMenuItem(i18n.T("bubble.react"), nil)
	it.ChildMenu = fyne.NewMenu("", choices...)
	return it
}

// chipTapped reacts to a tap on a reaction under the bubble: the user's
// own is removed, anyone else's is joined.
func (b *MessageBubble) chipTapped(r Reaction) {
	if b.OnReact == nil {
		return
	}
	if r.Mine {
		b.OnReact(b.msg, "")
	} else {
		b.OnReact(b.msg, r.Emoji)
	}
}

func (b *MessageBubble) copyText(s string) {
	if b.OnCopy != nil {
		b.OnCopy(s)
		return
	}
	fyne.CurrentApp().Clipboard().SetContent(s)
}

var _ desktop.Hoverable = (*MessageBubble)(nil)

// MouseIn shows the tooltip of the delivery icon when the pointer is on
// it (a TooltipLayer must hold the window's content).
func (b *MessageBubble) MouseIn(e *desktop.MouseEvent) { b.hover(e.Position) }

// MouseMoved shows or hides the delivery icon's tooltip as the pointer
// moves on or off it.
func (b *MessageBubble) MouseMoved(e *desktop.MouseEvent) { b.hover(e.Position) }

// MouseOut hides the tooltip.
func (b *MessageBubble) MouseOut() { b.hideTip() }

// stateTip is the tooltip of the delivery icon.
func (b *MessageBubble) stateTip() string {
	if b.msg.StateTip != "" {
		return b.msg.StateTip
	}
	return b.msg.State.Tip()
}

// hover shows the delivery icon's tooltip while p is on the icon.
func (b *MessageBubble) hover(p fyne.Position) {
	r := b.r
	if r == nil || r.state.Hidden || b.stateTip() == "" {
		b.hideTip()
		return
	}
	g := r.geometry(b.Size().Width)
	size := iconSizeFor(b.Theme().Size(theme.SizeNameCaptionText))
	const slack = 3 // a small icon: a little room around it
	if p.X < g.statePos.X-slack || p.X > g.statePos.X+size+slack || p.Y < g.statePos.Y-slack || p.Y > g.statePos.Y+size+slack {
		b.hideTip()
		return
	}
	if l := b.tipLayer(); l != nil {
		l.ShowTooltip(b.stateTip(), r.state)
	}
}

func (b *MessageBubble) hideTip() {
	if l := b.tipLayer(); l != nil && b.r != nil {
		l.HideTooltip(b.r.state)
	}
}

// tipLayer returns the tooltip layer of the bubble's window, or nil.
func (b *MessageBubble) tipLayer() *TooltipLayer {
	c := fyne.CurrentApp().Driver().CanvasForObject(b)
	if c == nil {
		return nil
	}
	l, _ := c.Content().(*TooltipLayer)
	return l
}

// CreateRenderer implements fyne.Widget.
func (b *MessageBubble) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	r := &bubbleRenderer{
		b:        b,
		bg:       &canvas.Rectangle{CornerRadius: bubbleRadius},
		author:   canvas.NewText("", nil),
		quote:    newQuoteBox(),
		seg:      &widget.TextSegment{Style: widget.RichTextStyle{Inline: true}},
		when:     canvas.NewText("", nil),
		state:    &canvas.Image{FillMode: canvas.ImageFillContain},
		timer:    &canvas.Image{FillMode: canvas.ImageFillContain},
		failIcon: &canvas.Image{FillMode: canvas.ImageFillContain},
		failText: canvas.NewText("", nil),
	}
	r.body = widget.NewRichText(r.seg)
	r.body.Wrapping = fyne.TextWrapWord
	r.author.TextStyle.Bold = true
	r.quote.onTap = func() {
		if q := b.msg.Quote; q != nil && b.OnQuoteTapped != nil {
			b.OnQuoteTapped(q.ID)
		}
	}
	b.r = r
	r.Refresh()
	return r
}

type bubbleRenderer struct {
	b        *MessageBubble
	bg       *canvas.Rectangle
	author   *canvas.Text
	quote    *quoteBox
	body     *widget.RichText
	seg      *widget.TextSegment
	when     *canvas.Text
	state    *canvas.Image
	timer    *canvas.Image // the message will disappear
	failIcon *canvas.Image
	failText *canvas.Text
	chips    []*reactionChip // one per Message.Reactions

	authorFull string // the author before ellipsizing
}

func (r *bubbleRenderer) Destroy() { r.b.r = nil }

func (r *bubbleRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.bg, r.author, r.quote, r.body, r.when, r.state, r.timer, r.failIcon, r.failText}
	for _, c := range r.chips {
		objs = append(objs, c)
	}
	return objs
}

// bubbleGeom is where everything goes for one row width.
type bubbleGeom struct {
	bubblePos                fyne.Position
	bubbleSize               fyne.Size
	authorPos                fyne.Position
	authorText               string
	quotePos                 fyne.Position
	quoteSize                fyne.Size
	bodyPos                  fyne.Position
	bodySize                 fyne.Size
	whenPos, statePos        fyne.Position
	timerPos                 fyne.Position
	failIconPos, failTextPos fyne.Position
	failText                 string
	chipPos                  []fyne.Position
	chipSize                 []fyne.Size
	height                   float32
}

// geometry lays the message out for a row of width w. It sizes the body's
// RichText as a side effect, which is how wrapped text is measured.
func (r *bubbleRenderer) geometry(w float32) bubbleGeom {
	if w <= 0 {
		w = fallbackWidth
	}
	b, m := r.b, r.b.msg
	th := b.Theme()
	textSize := th.Size(theme.SizeNameText)
	captionSize := th.Size(theme.SizeNameCaptionText)
	innerPad := th.Size(theme.SizeNameInnerPadding) // RichText's own padding
	stateIconSize := iconSizeFor(captionSize)
	var g bubbleGeom

	maxW := fyne.Min(w*bubbleMaxShare, bubbleMaxWidth)
	maxW = fyne.Max(fyne.Min(maxW, w-2*bubbleMargin), 4*bubblePadH)
	contentMax := maxW - 2*bubblePadH

	// The meta row: time and, for outgoing messages, the state tick.
	whenSize := fyne.MeasureText(r.when.Text, captionSize, r.when.TextStyle)
	metaW, metaH := whenSize.Width, whenSize.Height
	if !r.state.Hidden {
		metaW += 3 + stateIconSize
		metaH = fyne.Max(metaH, stateIconSize)
	}
	if !r.timer.Hidden {
		metaW += 3 + stateIconSize
		metaH = fyne.Max(metaH, stateIconSize)
	}

	// Body: its natural (unwrapped) width decides whether it wraps, and
	// whether the meta row fits on its last line.
	var natural float32
	lines := strings.Split(m.Body, "\n")
	for _, l := range lines {
		natural = fyne.Max(natural, fyne.MeasureText(l, textSize, fyne.TextStyle{}).Width)
	}
	natural = float32(int(natural) + 1)
	bodyW := fyne.Min(natural, contentMax)
	var bodyH float32
	if m.Body != "" {
		r.body.Resize(fyne.NewSize(bodyW+2*innerPad, r.body.Size().Height))
		bodyH = r.body.MinSize().Height - 2*innerPad
		r.body.Resize(fyne.NewSize(bodyW+2*innerPad, bodyH+2*innerPad))
	}
	inline := m.Body != "" && len(lines) == 1 && natural+metaGap+metaW <= contentMax

	contentW := bodyW
	if inline {
		contentW = bodyW + metaGap + metaW
	} else {
		contentW = fyne.Max(contentW, metaW)
	}
	if r.authorFull != "" {
		g.authorText = ellipsize(r.authorFull, captionSize, r.author.TextStyle, contentMax)
		contentW = fyne.Max(contentW, fyne.MeasureText(g.authorText, captionSize, r.author.TextStyle).Width)
	}
	if m.Quote != nil {
		contentW = fyne.Max(contentW, fyne.Min(r.quote.naturalWidth(), contentMax))
	}
	bubbleW := contentW + 2*bubblePadH

	x := float32(bubbleMargin)
	if m.Outgoing {
		x = w - bubbleMargin - bubbleW
	}
	y := float32(bubbleMarginV + bubblePadV)
	if r.authorFull != "" {
		g.authorPos = fyne.NewPos(x+bubblePadH, y)
		y += fyne.MeasureText("M", captionSize, r.author.TextStyle).Height + 2
	}
	if m.Quote != nil {
		g.quotePos = fyne.NewPos(x+bubblePadH-4, y+2)
		g.quoteSize = fyne.NewSize(contentW+8, r.quote.MinSize().Height)
		y += g.quoteSize.Height + 8
	}
	g.bodyPos = fyne.NewPos(x+bubblePadH-innerPad, y-innerPad)
	g.bodySize = fyne.NewSize(bodyW+2*innerPad, bodyH+2*innerPad)
	y += bodyH
	if !inline {
		if m.Body != "" {
			y += 2
		}
		y += metaH
	}
	metaRight := x + bubbleW - bubblePadH
	metaBottom := y
	if inline {
		metaBottom = y - (fyne.MeasureText("M", textSize, fyne.TextStyle{}).Height-metaH)/2 - 1
	}
	if !r.state.Hidden {
		g.statePos = fyne.NewPos(metaRight-stateIconSize, metaBottom-(metaH+stateIconSize)/2)
		metaRight -= stateIconSize + 3
	}
	g.whenPos = fyne.NewPos(metaRight-whenSize.Width, metaBottom-(metaH+whenSize.Height)/2)
	g.timerPos = fyne.NewPos(g.whenPos.X-3-stateIconSize, metaBottom-(metaH+stateIconSize)/2)
	y += bubblePadV

	g.bubblePos = fyne.NewPos(x, bubbleMarginV)
	g.bubbleSize = fyne.NewSize(bubbleW, y-bubbleMarginV)
	if len(r.chips) > 0 {
		y = r.layoutChips(&g, x, bubbleW, maxW, y-chipRise, m.Outgoing)
	}
	g.height = y + bubbleMarginV

	if m.Outgoing && m.State == DeliveryFailed {
		failSize := fyne.MeasureText("M", captionSize, fyne.TextStyle{})
		g.failText = ellipsize(failureText(m), captionSize, fyne.TextStyle{}, maxW-stateIconSize-4)
		tw := fyne.MeasureText(g.failText, captionSize, fyne.TextStyle{}).Width
		fy := y + 4
		g.failTextPos = fyne.NewPos(w-bubbleMargin-tw, fy)
		g.failIconPos = fyne.NewPos(w-bubbleMargin-tw-4-stateIconSize, fy+(failSize.Height-stateIconSize)/2)
		g.height = fy + fyne.Max(failSize.Height, stateIconSize) + bubbleMarginV
	}
	return g
}

// layoutChips places the reaction chips in rows from top, under the
// bubble at x (width bubbleW): from its left edge for an incoming message,
// to its right edge for an outgoing one, each row at most maxW wide. It
// returns the bottom of the last row.
func (r *bubbleRenderer) layoutChips(g *bubbleGeom, x, bubbleW, maxW, top float32, outgoing bool) float32 {
	var rows [][]int
	var widths []float32
	rowW := float32(0)
	for i, c := range r.chips {
		w := c.MinSize().Width
		if len(rows) == 0 || rowW+chipGap+w > maxW-2*bubblePadH {
			rows = append(rows, nil)
			widths = append(widths, 0)
			rowW = -chipGap
		}
		rowW += chipGap + w
		rows[len(rows)-1] = append(rows[len(rows)-1], i)
		widths[len(widths)-1] = rowW
	}
	g.chipPos = make([]fyne.Position, len(r.chips))
	g.chipSize = make([]fyne.Size, len(r.chips))
	y := top
	for ri, row := range rows {
		cx := x + bubblePadH
		if outgoing {
			cx = x + bubbleW - bubblePadH - widths[ri]
		}
		h := float32(0)
		for _, i := range row {
			sz := r.chips[i].MinSize()
			g.chipPos[i], g.chipSize[i] = fyne.NewPos(cx, y), sz
			cx += sz.Width + chipGap
			h = fyne.Max(h, sz.Height)
		}
		y += h + 2
	}
	return y
}

// iconSizeFor is the size of the small icons next to caption text.
func iconSizeFor(captionSize float32) float32 { return float32(int(captionSize*1.3 + 0.5)) }

// failureText is the line shown under a failed message.
func failureText(m Message) string {
	if m.FailReason == "" {
		return i18n.T("common.not_sent")
	}
	return m.FailReason
}

func (r *bubbleRenderer) MinSize() fyne.Size {
	return fyne.NewSize(4*bubblePadH+2*bubbleMargin, r.geometry(r.b.Size().Width).height)
}

func (r *bubbleRenderer) Layout(s fyne.Size) {
	g := r.geometry(s.Width)
	stateIconSize := iconSizeFor(r.b.Theme().Size(theme.SizeNameCaptionText))
	r.bg.Move(g.bubblePos)
	r.bg.Resize(g.bubbleSize)
	r.author.Text = g.authorText
	r.author.Move(g.authorPos)
	r.author.Resize(r.author.MinSize())
	r.quote.Move(g.quotePos)
	r.quote.Resize(g.quoteSize)
	r.body.Move(g.bodyPos)
	r.body.Resize(g.bodySize)
	r.when.Move(g.whenPos)
	r.when.Resize(r.when.MinSize())
	r.state.Move(g.statePos)
	r.state.Resize(fyne.NewSquareSize(stateIconSize))
	r.timer.Move(g.timerPos)
	r.timer.Resize(fyne.NewSquareSize(stateIconSize))
	r.failIcon.Move(g.failIconPos)
	r.failIcon.Resize(fyne.NewSquareSize(stateIconSize))
	r.failText.Text = g.failText
	r.failText.Move(g.failTextPos)
	r.failText.Resize(r.failText.MinSize())
	for i, c := range r.chips {
		if i < len(g.chipPos) {
			c.Move(g.chipPos[i])
			c.Resize(g.chipSize[i])
		}
	}
}

func (r *bubbleRenderer) Refresh() {
	b, m := r.b, r.b.msg
	th := b.Theme()
	captionSize := th.Size(theme.SizeNameCaptionText)

	bgName, fgName, mutedName, quoteName := ColorNameCard, theme.ColorNameForeground, ColorNameMuted, ColorNameQuote
	if m.Outgoing {
		bgName, fgName, mutedName, quoteName = ColorNameBubbleOutgoing, ColorNameForegroundOnBubbleOutgoing,
			ColorNameMutedOnBubbleOutgoing, ColorNameQuoteOnBubbleOutgoing
	}
	r.bg.FillColor = themeColor(th, bgName)
	muted := themeColor(th, mutedName)

	r.authorFull = ""
	r.author.Color = muted
	if !m.Outgoing && m.Author != "" {
		r.authorFull = m.Author
		key := m.AuthorKey
		if key == "" {
			key = m.Author
		}
		r.author.Color = readableOn(AvatarColor(key), themeColor(th, bgName))
	}
	r.author.TextSize = captionSize
	r.author.Hidden = r.authorFull == ""

	r.quote.Hidden = m.Quote == nil
	if m.Quote != nil {
		r.quote.set(*m.Quote, themeColor(th, quoteName), themeColor(th, ColorNameAccent),
			themeColor(th, fgName), muted, th)
	}

	r.seg.Text = m.Body
	r.seg.Style.ColorName = definedName(th, fgName)
	r.body.Hidden = m.Body == ""

	r.when.Text = b.Times.Stamp(m.Time)
	if m.Edited {
		r.when.Text = i18n.T("bubble.edited_at", "Time", r.when.Text)
	}
	r.when.TextSize = captionSize
	r.when.Color = muted

	gl, ok := m.State.glyph()
	r.state.Hidden = !m.Outgoing || !ok
	if !r.state.Hidden {
		setResource(r.state, glyphResource(gl, muted))
	}

	r.timer.Hidden = !m.Disappears
	if m.Disappears {
		setResource(r.timer, glyphResource(glyphTimer, muted))
	}

	failed := m.Outgoing && m.State == DeliveryFailed
	r.failIcon.Hidden, r.failText.Hidden = !failed, !failed
	if failed {
		errC := themeColor(th, theme.ColorNameError)
		setResource(r.failIcon, glyphResource(glyphWarning, errC))
		r.failText.Color = errC
		r.failText.TextSize = captionSize
	}

	r.setChips(m.Reactions)

	r.body.Refresh()
	r.Layout(b.Size())
	for _, o := range []fyne.CanvasObject{r.bg, r.author, r.quote, r.when, r.failText} {
		o.Refresh()
	}
}

// setChips makes one chip per reaction, reusing the chips there are.
func (r *bubbleRenderer) setChips(rs []Reaction) {
	for len(r.chips) < len(rs) {
		r.chips = append(r.chips, newReactionChip())
	}
	r.chips = r.chips[:len(rs)]
	for i, rc := range rs {
		r.chips[i].set(rc, r.b.chipTapped)
	}
}

// setResource shows res in img, refreshing it only when it changes:
// decoding even a cached SVG again is the most expensive part of reusing a
// bubble.
func setResource(img *canvas.Image, res fyne.Resource) {
	if img.Resource == res {
		return
	}
	img.Resource = res
	img.Refresh()
}

// definedName returns n when th defines it, or its standard fallback, for
// places (RichText) that take a colour name rather than a colour.
func definedName(th fyne.Theme, n fyne.ThemeColorName) fyne.ThemeColorName {
	if fb, ok := fallbacks[n]; ok && !isNook(th) {
		return fb
	}
	return n
}

// readableOn adjusts a name colour so it reads on bg: lightened on dark
// backgrounds, left alone on light ones.
func readableOn(c color.NRGBA, bg color.Color) color.Color {
	if luminance(bg) >= 0.4 {
		return c
	}
	mix := func(a uint8) uint8 { return uint8(float32(a) + (255-float32(a))*0.5) }
	return color.NRGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 0xff}
}

// luminance is a cheap perceived brightness in [0, 1].
func luminance(c color.Color) float32 {
	r, g, b, _ := c.RGBA()
	return (0.299*float32(r) + 0.587*float32(g) + 0.114*float32(b)) / 0xffff
}
