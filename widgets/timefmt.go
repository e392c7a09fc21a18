package widgets

import (
	"time"
)

// TimeFormat turns message and activity times into the short, human forms
// the UI shows. Its zero value uses the wall clock and the local time zone;
// tests set Now and Location so that goldens do not depend on the day they
// run.
type TimeFormat struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Location is the time zone times are shown in; nil means time.Local.
	Location *time.Location
}

func (f TimeFormat) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f TimeFormat) loc() *time.Location {
	if f.Location != nil {
		return f.Location
	}
	return time.Local
}

// local returns t and the current time, both in the format's location.
func (f TimeFormat) local(t time.Time) (time.Time, time.Time) {
	loc := f.loc()
	return t.In(loc), f.now().In(loc)
}

// dayDiff is the number of calendar days from t to now in loc: 0 today,
// 1 yesterday, negative for a time in the future (a peer's clock skew).
func dayDiff(t, now time.Time) int {
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	a := time.Date(ty, tm, td, 12, 0, 0, 0, time.UTC)
	b := time.Date(ny, nm, nd, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Round(24*time.Hour) / (24 * time.Hour))
}

// Stamp formats the time of one message: "14:05" today, "Yesterday 14:05",
// "Mon 14:05" within the last week, "3 Mar 14:05" this year and
// "3 Mar 2024 14:05" before that. The zero time gives "".
func (f TimeFormat) Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now := f.local(t)
	clock := t.Format("15:04")
	switch d := dayDiff(t, now); {
	case d == 0:
		return clock
	case d == 1:
		return "Yesterday " + clock
	case d > 1 && d < 7:
		return t.Format("Mon") + " " + clock
	case t.Year() == now.Year():
		return t.Format("2 Jan") + " " + clock
	default:
		return t.Format("2 Jan 2006") + " " + clock
	}
}

// Short formats a last-activity time for the contact list, where space is
// tight: "14:05" today, "Yesterday", "Mon" within the last week, "3 Mar"
// this year and "3 Mar 2024" before that. The zero time gives "".
func (f TimeFormat) Short(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now := f.local(t)
	switch d := dayDiff(t, now); {
	case d == 0:
		return t.Format("15:04")
	case d == 1:
		return "Yesterday"
	case d > 1 && d < 7:
		return t.Format("Mon")
	case t.Year() == now.Year():
		return t.Format("2 Jan")
	default:
		return t.Format("2 Jan 2006")
	}
}

// Long formats when something happened once, for a sentence ("Added …."):
// "today at 14:05", "yesterday at 14:05", "on Monday 10 March at 14:05"
// this year and "on 3 March 2024 at 14:05" before. A time of day alone
// ("Added 14:05") left out which day. The zero time gives "".
func (f TimeFormat) Long(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now := f.local(t)
	clock := " at " + t.Format("15:04")
	switch d := dayDiff(t, now); {
	case d == 0:
		return "today" + clock
	case d == 1:
		return "yesterday" + clock
	case t.Year() == now.Year():
		return "on " + t.Format("Monday 2 January") + clock
	default:
		return "on " + t.Format("2 January 2006") + clock
	}
}
