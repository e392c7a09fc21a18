package widgets

import (
	"time"

	"github.com/nookchat/nook/app/i18n"
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
// "3 Mar 2024 14:05" before that, in the language in use. The zero time
// gives "".
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
		return i18n.T("timefmt.stamp_yesterday", "Clock", clock)
	case d > 1 && d < 7:
		return i18n.T("timefmt.stamp_weekday", "Weekday", i18n.T(weekdayShort[t.Weekday()]), "Clock", clock)
	case t.Year() == now.Year():
		return i18n.T("timefmt.stamp_date", dateArgs(t, monthShort, "Clock", clock)...)
	default:
		return i18n.T("timefmt.stamp_date_year", dateArgs(t, monthShort, "Clock", clock)...)
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
		return i18n.T("timefmt.yesterday")
	case d > 1 && d < 7:
		return i18n.T(weekdayShort[t.Weekday()])
	case t.Year() == now.Year():
		return i18n.T("timefmt.short_date", dateArgs(t, monthShort)...)
	default:
		return i18n.T("timefmt.short_date_year", dateArgs(t, monthShort)...)
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
	clock := t.Format("15:04")
	switch d := dayDiff(t, now); {
	case d == 0:
		return i18n.T("timefmt.long_today", "Clock", clock)
	case d == 1:
		return i18n.T("timefmt.long_yesterday", "Clock", clock)
	case t.Year() == now.Year():
		return i18n.T("timefmt.long_date", dateArgs(t, monthLong, "Weekday", i18n.T(weekdayLong[t.Weekday()]), "Clock", clock)...)
	default:
		return i18n.T("timefmt.long_date_year", dateArgs(t, monthLong, "Clock", clock)...)
	}
}

// dateArgs are the placeholders of a date: {{.Day}}, {{.Month}} (a name
// from months) and {{.Year}}, then more.
func dateArgs(t time.Time, months [12]string, more ...any) []any {
	return append([]any{"Day", t.Day(), "Month", i18n.T(months[t.Month()-1]), "Year", t.Year()}, more...)
}

// The keys of the names of months and days (Sunday first, as time.Weekday).
var (
	monthShort   = [12]string{"timefmt.month_short_1", "timefmt.month_short_2", "timefmt.month_short_3", "timefmt.month_short_4", "timefmt.month_short_5", "timefmt.month_short_6", "timefmt.month_short_7", "timefmt.month_short_8", "timefmt.month_short_9", "timefmt.month_short_10", "timefmt.month_short_11", "timefmt.month_short_12"}
	monthLong    = [12]string{"timefmt.month_1", "timefmt.month_2", "timefmt.month_3", "timefmt.month_4", "timefmt.month_5", "timefmt.month_6", "timefmt.month_7", "timefmt.month_8", "timefmt.month_9", "timefmt.month_10", "timefmt.month_11", "timefmt.month_12"}
	weekdayShort = [7]string{"timefmt.weekday_short_0", "timefmt.weekday_short_1", "timefmt.weekday_short_2", "timefmt.weekday_short_3", "timefmt.weekday_short_4", "timefmt.weekday_short_5", "timefmt.weekday_short_6"}
	weekdayLong  = [7]string{"timefmt.weekday_0", "timefmt.weekday_1", "timefmt.weekday_2", "timefmt.weekday_3", "timefmt.weekday_4", "timefmt.weekday_5", "timefmt.weekday_6"}
)
