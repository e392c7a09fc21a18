package ui

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/model"
)

// disappearLabel names a disappearing-messages timer for people: "Off",
// "5 minutes", "1 day", "4 weeks".
func disappearLabel(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	switch {
	case d <= 0:
		return "Off"
	case d%week == 0:
		return plural(int64(d/week), "week")
	case d%day == 0:
		return plural(int64(d/day), "day")
	case d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	}
	return plural(int64(d/time.Second), "second")
}

// showDisappear lets the user choose the conversation's disappearing-
// messages timer.
func (cp *chatPane) showDisappear() {
	u := cp.mv.u
	c := cp.contact()
	choices := model.DisappearChoices
	if !slices.Contains(choices, c.Disappear) {
		choices = append(append([]time.Duration(nil), choices...), c.Disappear)
	}
	labels := make([]string, len(choices))
	for i, d := range choices {
		labels[i] = disappearLabel(d)
	}
	radio := widget.NewRadioGroup(labels, nil)
	radio.Required = true
	radio.SetSelected(disappearLabel(c.Disappear))
	content := container.NewVBox(
		para("New messages in this conversation, yours and "+c.Name()+"’s, are deleted from both computers "+
			"after the time you choose: yours counted from when you send them, theirs from when you first see them."),
		radio,
		muted(c.Name()+" sees that you changed this. It does not stop anyone from copying a message "+
			"before it disappears."),
	)
	u.confirm("Disappearing messages", 440, "Save", false, func() {
		var timer time.Duration
		for i, l := range labels {
			if l == radio.Selected {
				timer = choices[i]
			}
		}
		if timer == c.Disappear {
			return
		}
		id := cp.conv
		cp.mv.act(func(e Engine) error { _, err := e.SetConversationTimer(id, timer); return err })
	}, content)
}
