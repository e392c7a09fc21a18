package widgets

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// bigConversation returns n messages of mixed kinds.
func bigConversation(n int) []Message {
	base := conversation()
	ms := make([]Message, n)
	for i := range ms {
		m := base[i%len(base)]
		m.ID = fmt.Sprint(i)
		m.Time = testNow.Add(-time.Duration(n-i) * time.Minute)
		ms[i] = m
	}
	return ms
}

// newMessageList shows ms in a widget.List the way the app should: one
// bubble per visible row, SetMessage on update, item heights from
// HeightForWidth.
func newMessageList(ms []Message, created *int) *widget.List {
	var list *widget.List
	list = widget.NewList(
		func() int { return len(ms) },
		func() fyne.CanvasObject {
			*created++
			b := NewMessageBubble(Message{})
			b.Times = testTimes
			return b
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			b := o.(*MessageBubble)
			b.SetMessage(ms[id])
			list.SetItemHeight(id, b.HeightForWidth(list.Size().Width))
		},
	)
	return list
}

func TestMessageBubble_InList(t *testing.T) {
	newTestApp(t, VariantLight)
	ms := bigConversation(10000)
	created := 0
	list := newMessageList(ms, &created)
	showIn(t, list, fyne.NewSize(500, 600))
	// widget.List creates rows for what is visible (and drops its pool on
	// long jumps): the count depends on the window, not on the 10 000.
	if created > 60 {
		t.Errorf("%d bubbles created to show a 600-unit-high list", created)
	}
	list.ScrollToBottom()
	list.ScrollTo(5000)
	list.ScrollToTop()
	if created > 200 {
		t.Errorf("%d bubbles created for three jumps through 10 000 messages", created)
	}
}

func BenchmarkMessageBubble_SetMessage(b *testing.B) {
	test.NewTempApp(b)
	ms := bigConversation(64)
	bubble := NewMessageBubble(ms[0])
	w := test.NewTempWindow(b, bubble)
	w.Resize(fyne.NewSize(500, 300))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		bubble.SetMessage(ms[i%len(ms)])
		bubble.HeightForWidth(500)
	}
}
