package ui

import (
	"os"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// bubbleOf returns the visible bubble of message id in h's window, or nil.
func (h *harness) bubbleOf(id model.MessageID) *widgets.MessageBubble {
	var b *widgets.MessageBubble
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
		if x, ok := o.(*widgets.MessageBubble); ok && x.Message().ID == id.String() {
			b = x
		}
		return b != nil
	})
	return b
}

// chip returns the reaction chip of b that shows emoji, or nil: a
// tappable widget of the bubble's with a text that is the emoji.
func chip(b *widgets.MessageBubble, emoji string) fyne.Tappable {
	for _, o := range test.WidgetRenderer(b).Objects() {
		w, ok := o.(fyne.Widget)
		tp, tappable := o.(fyne.Tappable)
		if !ok || !tappable || !o.Visible() {
			continue
		}
		for _, c := range test.WidgetRenderer(w).Objects() {
			if t, ok := c.(*canvas.Text); ok && t.Text == emoji {
				return tp
			}
		}
	}
	return nil
}

// reactionsShown is what h's bubble of id shows under it.
func (h *harness) reactionsShown(id model.MessageID) []widgets.Reaction {
	if b := h.bubbleOf(id); b != nil {
		return b.Message().Reactions
	}
	return nil
}

func sameReactions(a, b []widgets.Reaction) bool {
	return slices.EqualFunc(a, b, func(x, y widgets.Reaction) bool {
		return x.Emoji == y.Emoji && x.Count == y.Count && x.Mine == y.Mine && slices.Equal(x.Who, y.Who)
	})
}

// TestReactionsUI: Bob reacts to Alice's message from the bubble (the
// React menu's choice), Alice sees it under her bubble with his name,
// joins it by tapping it (both see a count of two, hers outlined), Bob
// takes his back by tapping his own; none of it notifies Alice, while a
// message does. With NOOK_SCREENSHOTS set, Alice's conversation is
// written as reactions.png.
func TestReactionsUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	aliceAddr, bobAddr := alice.self(), bob.self()
	ac := alice.open(bobAddr)
	bc := bob.open(aliceAddr)
	alice.ui.focused = false // a notification would show

	test.Type(ac.entry, "The draft is ready. Can you read it tonight?")
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("the message on Bob's screen", func() bool { return len(bc.msgs()) == 1 })
	id := bc.msgs()[0].ID
	alice.waitFor("the message on Alice's screen", func() bool { return alice.bubbleOf(id) != nil })

	// Bob picks 👍 in the bubble's React menu.
	bb := bob.bubbleOf(id)
	if bb == nil || bb.OnReact == nil {
		t.Fatal("Bob's bubble offers no reactions")
	}
	bb.OnReact(bb.Message(), "👍")
	bobs := []widgets.Reaction{{Emoji: "👍", Count: 1, Who: []string{"Bob"}}}
	alice.waitFor("Bob's reaction under Alice's bubble", func() bool { return sameReactions(alice.reactionsShown(id), bobs) })
	bob.waitFor("Bob's own reaction", func() bool {
		return sameReactions(bob.reactionsShown(id), []widgets.Reaction{{Emoji: "👍", Count: 1, Mine: true, Who: []string{"You"}}})
	})

	// Alice joins it: a tap on Bob's.
	c := chip(alice.bubbleOf(id), "👍")
	if c == nil {
		t.Fatal("no 👍 under Alice's bubble")
	}
	test.Tap(c)
	alice.waitFor("two on Alice's side", func() bool {
		return sameReactions(alice.reactionsShown(id), []widgets.Reaction{{Emoji: "👍", Count: 2, Mine: true, Who: []string{"You", "Bob"}}})
	})
	bob.waitFor("two on Bob's side", func() bool {
		return sameReactions(bob.reactionsShown(id), []widgets.Reaction{{Emoji: "👍", Count: 2, Mine: true, Who: []string{"You", "Alice"}}})
	})
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		alice.win.Resize(fyne.NewSize(820, 560))
		alice.shoot(dir, "reactions.png")
	}

	// Bob takes his back: a tap on his own.
	test.Tap(chip(bob.bubbleOf(id), "👍"))
	alice.waitFor("Bob's reaction gone on Alice's side", func() bool {
		return sameReactions(alice.reactionsShown(id), []widgets.Reaction{{Emoji: "👍", Count: 1, Mine: true, Who: []string{"You"}}})
	})
	if len(alice.notices) != 0 {
		t.Fatalf("reactions notified Alice: %v", alice.notices)
	}
	if it := alice.item(bobAddr); it.unread != 0 {
		t.Fatalf("reactions count unread: %d", it.unread)
	}

	// A message does notify: the test could see one.
	test.Type(bc.entry, "Yes, tonight.")
	bc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	alice.waitFor("Bob's answer notified", func() bool { return len(alice.notices) == 1 })
}

// TestGroupReactionsUI: in a group hosted by Alice, Alice reacts to Bob's
// post from its bubble and Bob sees it under his post, named; once Bob
// left the group (keeping its history), his bubbles offer no reactions.
func TestGroupReactionsUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	gc := alice.createHostedGroup("Newsroom")
	conv := gc.conv
	inv := alice.groupInvite(conv)
	bob.acceptInvite(inv)
	post, err := bob.eng.SendMessage(conv, "Who can edit tonight?")
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFor("Bob's post on Alice's screen", func() bool { return alice.bubbleOf(post.ID) != nil })
	ab := alice.bubbleOf(post.ID)
	if ab.OnReact == nil {
		t.Fatal("Alice's group bubble offers no reactions")
	}
	ab.OnReact(ab.Message(), "🙋")
	bob.open(string(conv))
	bob.waitFor("Alice's reaction under Bob's post", func() bool {
		return sameReactions(bob.reactionsShown(post.ID), []widgets.Reaction{{Emoji: "🙋", Count: 1, Who: []string{"Alice"}}})
	})
	if err := bob.eng.LeaveGroup(conv, false); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("the group left", func() bool { return bob.ui.main.chat != nil && !bob.ui.main.chat.canWrite() })
	bob.ui.main.chat.list.Refresh()
	bob.settle()
	if b := bob.bubbleOf(post.ID); b == nil || b.OnReact != nil {
		t.Fatalf("a group left offers reactions (bubble %v)", b)
	}
}
