package widgets

import (
	"hash/fnv"
	"image/color"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// avatarPalette holds muted, distinct colours that all carry white initials
// at a contrast of at least 4.5:1, in light and dark mode alike.
var avatarPalette = []color.NRGBA{
	rgb(0x3b5b8c), // blue
	rgb(0x2c7566), // teal
	rgb(0x6a4c93), // violet
	rgb(0xa14f2c), // rust
	rgb(0x4a7226), // olive
	rgb(0x8a3a5c), // plum
	rgb(0x2a6795), // sea
	rgb(0x7a5a1c), // ochre
	rgb(0x56606e), // slate
	rgb(0x9b3d3d), // brick
}

// AvatarColor returns the colour for an identity key (an onion address, or a
// name when there is no address). The same key always gives the same colour
// on every machine, so two people comparing screens see the same thing; case
// and a ".onion" suffix do not matter.
func AvatarColor(key string) color.NRGBA {
	h := fnv.New32a()
	h.Write([]byte(normalizeOnion(key)))
	return avatarPalette[h.Sum32()%uint32(len(avatarPalette))]
}

// Initials returns up to two letters for an avatar: the first letters of the
// first two words of name, or the first two characters of the fallback (an
// address) when name has none.
func Initials(name, fallback string) string {
	var out []rune
	for _, w := range strings.FieldsFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '_' || r == '.'
	}) {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToUpper(r))
				break
			}
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) > 0 {
		return string(out)
	}
	for _, r := range normalizeOnion(fallback) {
		out = append(out, unicode.ToUpper(r))
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// DefaultAvatarSize is the diameter of an avatar in the contact list.
const DefaultAvatarSize = 40

// Avatar is a coloured circle with a person's initials. The colour is
// derived from Key (see AvatarColor).
type Avatar struct {
	widget.BaseWidget

	Name string
	Key  string
	// Diameter in canvas units; 0 means DefaultAvatarSize.
	Diameter float32
}

// NewAvatar returns an avatar for name whose colour comes from key.
func NewAvatar(name, key string) *Avatar {
	a := &Avatar{Name: name, Key: key}
	a.ExtendBaseWidget(a)
	return a
}

// SetIdentity changes name and key together.
func (a *Avatar) SetIdentity(name, key string) {
	if a.Name == name && a.Key == key {
		return
	}
	a.Name, a.Key = name, key
	a.Refresh()
}

func (a *Avatar) diameter() float32 {
	if a.Diameter > 0 {
		return a.Diameter
	}
	return DefaultAvatarSize
}

// CreateRenderer implements fyne.Widget.
func (a *Avatar) CreateRenderer() fyne.WidgetRenderer {
	a.ExtendBaseWidget(a)
	r := &avatarRenderer{a: a, circle: &canvas.Circle{}, text: canvas.NewText("", color.White)}
	r.text.TextStyle.Bold = true
	r.text.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type avatarRenderer struct {
	a      *Avatar
	circle *canvas.Circle
	text   *canvas.Text
	objs   []fyne.CanvasObject // Objects, made once
}

func (r *avatarRenderer) Destroy() {}

func (r *avatarRenderer) Objects() []fyne.CanvasObject {
	if r.objs == nil {
		r.objs = []fyne.CanvasObject{r.circle, r.text}
	}
	return r.objs
}

func (r *avatarRenderer) MinSize() fyne.Size { return fyne.NewSquareSize(r.a.diameter()) }

func (r *avatarRenderer) Layout(s fyne.Size) {
	d := fyne.Min(s.Width, s.Height)
	pos := fyne.NewPos((s.Width-d)/2, (s.Height-d)/2)
	r.circle.Resize(fyne.NewSquareSize(d))
	r.circle.Move(pos)
	ts := r.text.MinSize()
	r.text.Resize(fyne.NewSize(d, ts.Height))
	r.text.Move(fyne.NewPos(pos.X, pos.Y+(d-ts.Height)/2))
}

func (r *avatarRenderer) Refresh() {
	r.circle.FillColor = AvatarColor(r.a.Key)
	r.text.Text = Initials(r.a.Name, r.a.Key)
	r.text.TextSize = r.a.diameter() * 0.38
	r.Layout(r.a.Size())
	r.circle.Refresh()
	r.text.Refresh()
}
