package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestPasswordStrength_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			box := container.NewVBox()
			for _, pw := range []string{"", "password", "bluecar77", "horse battery", "Tr0ub4dor&3", "correct horse battery staple"} {
				m := NewPasswordStrength()
				m.SetPassword(pw)
				box.Add(m)
			}
			w := showIn(t, box, fyne.NewSize(340, 100))
			w.Resize(fyne.NewSize(340, box.MinSize().Height+8))
			test.AssertRendersToMarkup(t, "password_"+v.name+".xml", w.Canvas())
			test.AssertRendersToImage(t, "password_"+v.name+".png", w.Canvas())
		})
	}
}

func TestPasswordStrength_FollowsEntry(t *testing.T) {
	newTestApp(t, VariantLight)
	e := widget.NewPasswordEntry()
	m := NewPasswordStrength()
	e.OnChanged = m.SetPassword
	showIn(t, container.NewVBox(e, m), fyne.NewSize(300, 120))
	test.Type(e, "correct horse battery staple")
	if got := m.Estimate().Strength; got != StrengthVeryStrong {
		t.Errorf("Strength = %v, want %v", got, StrengthVeryStrong)
	}
	e.SetText("")
	if got := m.Estimate(); got != (PasswordEstimate{}) {
		t.Errorf("empty password: Estimate = %+v, want zero", got)
	}
}
