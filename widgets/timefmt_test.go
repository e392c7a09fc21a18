package widgets

import (
	"testing"
	"time"
)

func TestTimeFormat(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	// Wednesday 12 March 2025, 16:30 in Berlin.
	now := time.Date(2025, 3, 12, 16, 30, 0, 0, berlin)
	f := TimeFormat{Now: func() time.Time { return now }, Location: berlin}

	tests := []struct {
		name        string
		t           time.Time
		stamp, shrt string
	}{
		{"zero", time.Time{}, "", ""},
		{"today", time.Date(2025, 3, 12, 14, 5, 0, 0, berlin), "14:05", "14:05"},
		{"just after midnight", time.Date(2025, 3, 12, 0, 1, 0, 0, berlin), "00:01", "00:01"},
		{"today given in UTC", time.Date(2025, 3, 12, 13, 5, 0, 0, time.UTC), "14:05", "14:05"},
		{"yesterday", time.Date(2025, 3, 11, 14, 5, 0, 0, berlin), "Yesterday 14:05", "Yesterday"},
		{"yesterday late", time.Date(2025, 3, 11, 23, 59, 0, 0, berlin), "Yesterday 23:59", "Yesterday"},
		{"this week", time.Date(2025, 3, 8, 9, 0, 0, 0, berlin), "Sat 09:00", "Sat"},
		{"six days ago", time.Date(2025, 3, 6, 9, 0, 0, 0, berlin), "Thu 09:00", "Thu"},
		{"seven days ago", time.Date(2025, 3, 5, 9, 0, 0, 0, berlin), "5 Mar 09:00", "5 Mar"},
		{"this year", time.Date(2025, 3, 3, 14, 5, 0, 0, berlin), "3 Mar 14:05", "3 Mar"},
		{"last year", time.Date(2024, 12, 31, 8, 0, 0, 0, berlin), "31 Dec 2024 08:00", "31 Dec 2024"},
		{"future (clock skew)", time.Date(2025, 3, 14, 10, 0, 0, 0, berlin), "14 Mar 10:00", "14 Mar"},
		{"across DST", time.Date(2025, 3, 30, 12, 0, 0, 0, berlin), "30 Mar 12:00", "30 Mar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.Stamp(tt.t); got != tt.stamp {
				t.Errorf("Stamp = %q, want %q", got, tt.stamp)
			}
			if got := f.Short(tt.t); got != tt.shrt {
				t.Errorf("Short = %q, want %q", got, tt.shrt)
			}
		})
	}
}

func TestTimeFormatDSTYesterday(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	// 31 March 2025: the day after the spring-forward night (23 h long).
	now := time.Date(2025, 3, 31, 0, 30, 0, 0, berlin)
	f := TimeFormat{Now: func() time.Time { return now }, Location: berlin}
	if got := f.Stamp(time.Date(2025, 3, 30, 0, 10, 0, 0, berlin)); got != "Yesterday 00:10" {
		t.Errorf("Stamp = %q, want Yesterday 00:10", got)
	}
}

// TestTimeFormatLong: Long always says which day.
func TestTimeFormatLong(t *testing.T) {
	now := time.Date(2025, 3, 12, 16, 30, 0, 0, time.UTC)
	f := TimeFormat{Now: func() time.Time { return now }, Location: time.UTC}
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, ""},
		{time.Date(2025, 3, 12, 14, 5, 0, 0, time.UTC), "today at 14:05"},
		{time.Date(2025, 3, 11, 23, 59, 0, 0, time.UTC), "yesterday at 23:59"},
		{time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC), "on Monday 10 March at 09:00"},
		{time.Date(2024, 12, 31, 8, 0, 0, 0, time.UTC), "on 31 December 2024 at 08:00"},
	} {
		if got := f.Long(tt.t); got != tt.want {
			t.Errorf("Long(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}
