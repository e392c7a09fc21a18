package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

func TestStatusBadge_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			box := container.NewVBox(
				NewStatusBadge(PresenceOnline, PresenceOnline.String()),
				NewStatusBadge(PresenceConnecting, PresenceConnecting.String()),
				NewStatusBadge(PresenceOffline, PresenceOffline.String()),
				NewStatusBadge(PresenceOnline, ""),
				container.NewHBox(NewUnreadPill(0), NewUnreadPill(1), NewUnreadPill(42), NewUnreadPill(100)),
			)
			w := showIn(t, box, fyne.NewSize(160, 140))
			test.AssertRendersToMarkup(t, "status_"+v.name+".xml", w.Canvas())
		})
	}
}

func TestUnreadText(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{-1, ""}, {0, ""}, {1, "1"}, {99, "99"}, {100, "99+"}, {12345, "99+"}} {
		if got := unreadText(tt.n); got != tt.want {
			t.Errorf("unreadText(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestUnreadPill_HiddenAtZero(t *testing.T) {
	newTestApp(t, VariantLight)
	p := NewUnreadPill(0)
	if p.Visible() {
		t.Error("pill at 0 is visible")
	}
	p.SetCount(3)
	if !p.Visible() || p.MinSize().Width == 0 {
		t.Error("pill at 3 is not shown")
	}
	p.SetCount(0)
	if p.Visible() {
		t.Error("pill back at 0 is visible")
	}
}
