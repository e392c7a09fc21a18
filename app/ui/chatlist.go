package ui

// The message list of the open conversation: built once per pane, measured
// ahead of rendering, kept at the bottom while new messages arrive and at
// the same place while older pages are prepended.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
)

// showLoaded shows the newest page once it is loaded: measured at the
// width the list is going to have (the pane fills the right-hand side).
// Heights set before the list is rendered cost a map write each; set
// while it is laid out, each changed height refreshes the whole list.
func (cp *chatPane) showLoaded() {
	o := cp.open()
	if o == nil || o.Token != cp.token {
		return
	}
	if o.Err != nil {
		msg, _ := failure(i18n.T("chatlist.the_conversation_could_not"), o.Err)
		cp.empty.SetText(msg)
	}
	if w := cp.mv.right.Size().Width; w > 0 {
		for _, m := range o.Messages {
			cp.measure(m, w)
		}
	}
	cp.list = cp.newList()
	cp.showList()
	cp.scrollToBottom()
	cp.ready = true
}

// showList shows the list, or the empty state.
func (cp *chatPane) showList() {
	var o fyne.CanvasObject = cp.list
	if len(cp.msgs()) == 0 {
		o = container.New(columnLayout{width: 420}, cp.empty)
	}
	cp.listBox.Objects = []fyne.CanvasObject{o}
	cp.listBox.Refresh()
}

// shown runs once the pane is in the window: it focuses the entry.
func (cp *chatPane) shown() {
	if !cp.entry.Disabled() {
		cp.mv.u.win.Canvas().Focus(cp.entry)
	}
}

// newList returns a message list over the loaded messages with the
// heights measured so far. Item heights are keyed by index in
// widget.List, so a list is made anew when older messages are put in
// front; setting heights before the list is rendered costs only a map
// write each.
func (cp *chatPane) newList() *widget.List {
	var l *widget.List
	l = widget.NewList(
		func() int { return len(cp.msgs()) },
		func() fyne.CanvasObject { return newChatRow(cp) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			msgs := cp.msgs()
			if id >= len(msgs) {
				return
			}
			m := msgs[id]
			r := o.(*chatRow)
			r.set(m)
			h := r.heightForWidth(l.Size().Width)
			cp.heights[m.ID] = h
			l.SetItemHeight(id, h)
			// The top reached: read the page above, unless the list was
			// scrolled away from it (or is being laid out for the first
			// time, before it shows the newest message).
			if id == 0 && cp.ready && l.GetScrollOffset() <= l.Size().Height {
				cp.loadOlder()
			}
		},
	)
	l.HideSeparators = true
	l.OnSelected = func(widget.ListItemID) { l.UnselectAll() } // messages are not selectable rows
	for i, m := range cp.msgs() {
		if h, ok := cp.heights[m.ID]; ok {
			l.SetItemHeight(i, h)
		}
	}
	return l
}

// measure returns the height of m's bubble at width w.
func (cp *chatPane) measure(m model.Message, w float32) float32 {
	cp.scratch.set(m)
	h := cp.scratch.heightForWidth(w)
	cp.heights[m.ID] = h
	return h
}

// contentHeight is the height of all loaded messages.
func (cp *chatPane) contentHeight() float32 {
	sep := theme.Padding()
	var total float32
	for _, m := range cp.msgs() {
		total += cp.heights[m.ID] + sep
	}
	return total
}

// atBottom reports whether the list shows its last message.
func (cp *chatPane) atBottom() bool {
	return cp.list == nil || cp.list.GetScrollOffset()+cp.list.Size().Height >= cp.contentHeight()-80
}

// scrollToBottom measures what is not measured yet and shows the latest
// message.
func (cp *chatPane) scrollToBottom() {
	msgs := cp.msgs()
	if cp.list == nil || len(msgs) == 0 {
		return
	}
	w := cp.list.Size().Width
	for i, m := range msgs {
		if _, ok := cp.heights[m.ID]; !ok {
			cp.list.SetItemHeight(i, cp.measure(m, w))
		}
	}
	cp.list.ScrollToBottom()
}

// prepended shows the n older messages put in front, keeping the messages
// on screen where they are.
func (cp *chatPane) prepended(n int) {
	if cp.list == nil {
		return
	}
	msgs := cp.msgs()
	w := cp.list.Size().Width
	sep := theme.Padding()
	var added float32
	for _, m := range msgs[:min(n, len(msgs))] {
		added += cp.measure(m, w) + sep
	}
	offset := cp.list.GetScrollOffset()
	cp.replaceList()
	cp.list.ScrollToOffset(offset + added)
}

// relist shows the messages again after some were taken out or moved,
// keeping the scroll position (or the bottom in view).
func (cp *chatPane) relist() {
	if cp.list == nil {
		return
	}
	bottom := cp.atBottom()
	offset := cp.list.GetScrollOffset()
	cp.replaceList()
	if bottom {
		cp.scrollToBottom()
	} else {
		cp.list.ScrollToOffset(offset)
	}
}

// replaceList makes the list anew at the old one's size.
func (cp *chatPane) replaceList() {
	size := cp.list.Size()
	cp.list = cp.newList()
	cp.list.MinSize() // creates the renderer, so that the list can scroll
	cp.list.Resize(size)
	cp.showList()
}

// appended shows new messages at the bottom.
func (cp *chatPane) appended(ids []model.MessageID) {
	o := cp.open()
	if cp.list == nil || o == nil {
		return // not loaded yet: they show with the first page
	}
	msgs := o.Messages
	bottom := true
	if len(msgs) > len(ids) {
		bottom = cp.list.GetScrollOffset()+cp.list.Size().Height >= cp.contentHeight()-80-cp.heightOf(ids)
	}
	if len(msgs) == len(ids) {
		cp.showList()
	}
	outgoing := false
	for _, id := range ids {
		if i, ok := o.Index(id); ok {
			cp.list.SetItemHeight(i, cp.measure(msgs[i], cp.list.Size().Width))
			outgoing = outgoing || msgs[i].Outgoing
		}
	}
	cp.list.Refresh()
	if bottom || outgoing {
		cp.list.ScrollToBottom()
	}
}

// heightOf is the measured height of the messages ids (0 for those not
// measured).
func (cp *chatPane) heightOf(ids []model.MessageID) float32 {
	var h float32
	for _, id := range ids {
		h += cp.heights[id]
	}
	return h
}
