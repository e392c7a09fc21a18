package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

func reacted() Message {
	m := conversation()[2] // Alice's long message in a group
	m.Reactions = []Reaction{
		{Emoji: "👍", Count: 2, Mine: true, Who: []string{"You", "Bob"}},
		{Emoji: "❤\ufe0f", Count: 1, Who: []string{"Carol"}},
	}
	return m
}

// TestMessageBubble_Reactions: the reactions show as chips under the
// bubble, from its left edge (incoming) or to its right edge (outgoing),
// with the count when more than one person chose an emoji and the user's
// own outlined in the accent colour; tapping the user's own asks to remove
// it, tapping another joins it; resting the pointer on one names who
// reacted; a bubble reused for a message with fewer reactions drops the
// extra chips.
func TestMessageBubble_Reactions(t *testing.T) {
	newTestApp(t, VariantLight)
	m := reacted()
	b := NewMessageBubble(m)
	b.Times = testTimes
	layer := NewTooltipLayer(container.NewVBox(b))
	showIn(t, layer, fyne.NewSize(560, 300))
	r := test.TempWidgetRenderer(t, b).(*bubbleRenderer)
	if len(r.chips) != 2 {
		t.Fatalf("%d chips, want 2", len(r.chips))
	}
	if c := r.chips[0]; c.emoji.Text != "👍" || c.count.Text != "2" || !c.count.Visible() {
		t.Fatalf("the first chip shows %q and %q", c.emoji.Text, c.count.Text)
	}
	if c := r.chips[1]; c.emoji.Text != "❤\ufe0f" || c.count.Visible() {
		t.Fatalf("the second chip shows %q and a count %v", c.emoji.Text, c.count.Visible())
	}
	bp, bs := r.bg.Position(), r.bg.Size()
	for i, c := range r.chips {
		p := c.Position()
		if p.Y < bp.Y+bs.Height-chipRise || p.X < bp.X || p.X+c.Size().Width > bp.X+bs.Width {
			t.Errorf("chip %d at %v %v, not under the bubble at %v %v", i, p, c.Size(), bp, bs)
		}
	}
	if r.chips[1].Position().X <= r.chips[0].Position().X {
		t.Error("the chips are not in order")
	}
	th := b.Theme()
	if c := r.chips[0].bg; c.StrokeColor != themeColor(th, ColorNameAccent) || c.StrokeWidth != 2 {
		t.Errorf("the user's own reaction is not outlined: %v %v", c.StrokeColor, c.StrokeWidth)
	}
	if c := r.chips[1].bg; c.StrokeColor == themeColor(th, ColorNameAccent) {
		t.Error("someone else's reaction is outlined as the user's")
	}
	plain := NewMessageBubble(conversation()[2])
	if hr, hp := b.HeightForWidth(560), plain.HeightForWidth(560); hr <= hp {
		t.Errorf("with reactions the row is %v high, without %v", hr, hp)
	}

	// Taps: nothing without OnReact, then remove ours and join theirs.
	test.Tap(r.chips[0])
	type call struct{ id, emoji string }
	var calls []call
	b.OnReact = func(m Message, emoji string) { calls = append(calls, call{m.ID, emoji}) }
	test.Tap(r.chips[0])
	test.Tap(r.chips[1])
	if want := []call{{m.ID, ""}, {m.ID, "❤\ufe0f"}}; len(calls) != 2 || calls[0] != want[0] || calls[1] != want[1] {
		t.Fatalf("OnReact calls %v, want %v", calls, want)
	}

	// Who reacted, on hover.
	r.chips[0].MouseIn(&desktop.MouseEvent{})
	if got := layer.Tooltip(); got != "You, Bob — tap to remove yours" {
		t.Errorf("tooltip %q", got)
	}
	r.chips[0].MouseOut()
	r.chips[1].MouseIn(&desktop.MouseEvent{})
	if got := layer.Tooltip(); got != "Carol" {
		t.Errorf("tooltip %q", got)
	}
	r.chips[1].MouseOut()
	if layer.Tooltip() != "" {
		t.Error("the tooltip stayed after the pointer left")
	}

	// Outgoing: the chips end at the bubble's right edge.
	out := conversation()[1]
	out.Reactions = []Reaction{{Emoji: "🙏", Count: 1, Who: []string{"Alice"}}}
	b.SetMessage(out)
	bp, bs = r.bg.Position(), r.bg.Size()
	c := r.chips[0]
	if right := c.Position().X + c.Size().Width; right > bp.X+bs.Width || right < bp.X+bs.Width-bubblePadH-1 {
		t.Errorf("outgoing chip ends at %v, the bubble at %v", right, bp.X+bs.Width)
	}
	if len(r.chips) != 1 || len(r.Objects()) != 10 {
		t.Errorf("reused for one reaction: %d chips, %d objects", len(r.chips), len(r.Objects()))
	}
	b.SetMessage(conversation()[1])
	if len(r.chips) != 0 || b.HeightForWidth(560) != NewMessageBubble(conversation()[1]).HeightForWidth(560) {
		t.Error("a bubble reused for a message without reactions kept something of them")
	}
}

// TestMessageBubble_ReactMenu: with OnReact set the menu offers React, whose
// submenu holds ReactionChoices (the user's current one checked) and a way
// to remove it; without OnReact there is no such entry.
func TestMessageBubble_ReactMenu(t *testing.T) {
	newTestApp(t, VariantLight)
	m := reacted()
	b := NewMessageBubble(m)
	var got []string
	b.OnReact = func(_ Message, emoji string) { got = append(got, emoji) }
	menu := b.menu()
	var labels []string
	for _, it := range menu.Items {
		labels = append(labels, it.Label)
	}
	if want := []string{"Reply", "React", "Copy text"}; !equalStrings(labels, want) {
		t.Fatalf("menu = %q, want %q", labels, want)
	}
	sub := menu.Items[1].ChildMenu.Items
	if len(sub) != len(ReactionChoices)+2 || sub[len(sub)-1].Label != "Remove my reaction" {
		t.Fatalf("React submenu has %d items", len(sub))
	}
	for i, e := range ReactionChoices {
		if sub[i].Label != e || sub[i].Checked != (e == "👍") {
			t.Errorf("choice %d: %q checked %v", i, sub[i].Label, sub[i].Checked)
		}
	}
	sub[2].Action()
	sub[len(sub)-1].Action()
	if len(got) != 2 || got[0] != ReactionChoices[2] || got[1] != "" {
		t.Fatalf("OnReact got %q", got)
	}
	b.SetMessage(conversation()[0]) // no reaction of ours: nothing to remove
	if sub := b.menu().Items[1].ChildMenu.Items; len(sub) != len(ReactionChoices) {
		t.Errorf("without a reaction of ours the submenu has %d items", len(sub))
	}
	b.OnReact = nil
	if n := len(b.menu().Items); n != 2 {
		t.Errorf("menu without OnReact has %d items, want 2", n)
	}
}

// TestMessageBubble_ReactionsRender pins the look of reactions under an
// incoming and an outgoing bubble.
func TestMessageBubble_ReactionsRender(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			out := conversation()[3]
			out.Reactions = []Reaction{{Emoji: "🙏", Count: 1, Who: []string{"Alice Moreau"}}}
			box, _ := newConversation([]Message{reacted(), out})
			w := showIn(t, box, fyne.NewSize(560, 100))
			w.Resize(fyne.NewSize(560, box.MinSize().Height+8))
			test.AssertRendersToImage(t, "bubble_reactions_"+v.name+".png", w.Canvas())
		})
	}
}
