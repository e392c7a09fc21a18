package ui

import (
	"slices"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
)

// disappearLabel names a disappearing-messages timer for people: "Off",
// "5 minutes", "1 day", "4 weeks".
func disappearLabel(d time.Duration) string {
	plural := func(n int64, key string) string {
		return i18n.N(key, int(n))
	}
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	switch {
	case d <= 0:
		return i18n.T("disappear.off")
	case d%week == 0:
		return plural(int64(d/week), "disappear.weeks")
	case d%day == 0:
		return plural(int64(d/day), "disappear.days")
	case d%time.Hour == 0:
		return plural(int64(d/time.Hour), "disappear.hours")
	case d%time.Minute == 0:
		return plural(int64(d/time.Minute), "disappear.minutes")
	}
	return plural(int64(d/time.Second), "disappear.seconds")
}

// disappearAfter says when a timer of d deletes a message, as a phrase a
// sentence takes whole: "after 5 minutes", "after 1 day" (its own keys,
// not disappearLabel lower-cased: a language may need another case, or
// capitals, inside a sentence).
func disappearAfter(d time.Duration) string {
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	switch {
	case d%week == 0:
		return i18n.N("disappear.after_weeks", int(d/week))
	case d%day == 0:
		return i18n.N("disappear.after_days", int(d/day))
	case d%time.Hour == 0:
		return i18n.N("disappear.after_hours", int(d/time.Hour))
	case d%time.Minute == 0:
		return i18n.N("disappear.after_minutes", int(d/time.Minute))
	}
	return i18n.N("disappear.after_seconds", int(d/time.Second))
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
		para(i18n.T("disappear.new_messages_in_this", "Name", c.Name())),
		radio,
		muted(i18n.T("disappear.sees_that_you_changed", "Name", c.Name())),
	)
	u.confirm(i18n.T("disappear.disappearing_messages"), 440, i18n.T("common.save"), false, func() {
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
