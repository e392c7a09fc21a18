package ui

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
	"github.com/nookchat/nook/widgets"
)

// fyneOwn are texts Fyne's widgets write themselves, which Nook cannot
// pass through its layer (Fyne's lang package translates them by the
// system's language: docs/translations.md).
var fyneOwn = map[string]string{
	"(Select one)": "widget.Select's placeholder before a choice",
}

// pseudoHarnesses starts a test app whose language preference is the
// pseudo-locale and a harness per name on one loopback network, each with
// its profile, as profiles does.
func pseudoHarnesses(t *testing.T, names ...string) []*harness {
	t.Helper()
	test.NewTempApp(t)
	fyne.CurrentApp().Preferences().SetString(PrefLanguage, i18n.Pseudo)
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	net := newNet()
	hs := make([]*harness, len(names))
	for i, name := range names {
		hs[i] = newHarness(t, newEngine(t, t.TempDir(), loopback.New(net)))
		if i18n.Language() != i18n.Pseudo {
			t.Fatalf("the language preference %q was not applied: %q", i18n.Pseudo, i18n.Language())
		}
		if i == 0 {
			hs[i].checkPseudo("welcome", names)
			hs[i].tap(i18n.T("common.create_your_profile"))
			hs[i].checkPseudo("create profile", names)
			hs[i].tap(i18n.T("create.back"))
		}
		hs[i].createProfile(name, strings.ToLower(name)+" password")
	}
	return hs
}

// TestPseudoLocale renders every screen the harness reaches under the
// pseudo-locale, which marks every string of the catalogs "[!! … !!]" and
// makes it a third longer: a visible text that is not marked bypassed
// the layer, unless it is the people's own data (their names, addresses,
// messages, numbers); a marked text that is cut short or drawn wider than
// its place does not fit.
func TestPseudoLocale(t *testing.T) {
	hs := pseudoHarnesses(t, "Alice", "Bob")
	alice, bob := hs[0], hs[1]
	data := []string{"Alice", "Bob", "Newsroom", "Hello from Bob", alice.self(), bob.self()}
	alice.invite()
	alice.checkPseudo("home", data)

	sd := alice.openSettings()
	for i := range sd.tabs.Items {
		sd.tabs.SelectIndex(i)
		alice.settle()
		alice.checkPseudo("settings: "+sd.tabs.Items[i].Text, data)
	}
	alice.ui.closeDialogs()

	alice.ui.main.showAddContact()
	alice.settle()
	alice.checkPseudo("add contact", data)
	alice.ui.closeDialogs()

	befriend(t, alice, bob)
	if _, err := bob.eng.SendMessage(model.ConversationID(alice.self()), "Hello from Bob"); err != nil {
		t.Fatal(err)
	}
	cp := alice.open(bob.self())
	alice.waitFor("Bob's message", func() bool { return len(cp.msgs()) > 0 })
	alice.checkPseudo("conversation", data)
	cp.showInfo()
	alice.settle()
	alice.checkPseudo("contact details", data)
	alice.ui.closeDialogs()
	cp.showDisappear()
	alice.settle()
	alice.checkPseudo("disappearing messages", data)
	alice.ui.closeDialogs()
	cp.confirmBlock()
	alice.settle()
	alice.checkPseudo("block", data)
	alice.ui.closeDialogs()
	for _, d := range []struct {
		name string
		show func()
	}{
		{"rename", cp.showRename},
		{"safety code", cp.showSafetyCode},
		{"files", cp.showFiles},
		{"clear conversation", cp.confirmClear},
		{"delete contact", cp.confirmDelete},
		{"change password", alice.ui.showChangePassword},
	} {
		d.show()
		alice.settle()
		alice.checkPseudo(d.name, data)
		alice.ui.closeDialogs()
	}
	alice.checkMenu("contact menu", data, cp.showMenu)
	alice.checkMenu("add menu", data, alice.ui.main.showAddMenu)

	group := alice.createdGroup("Newsroom")
	alice.checkPseudo("group", data)
	alice.openMembers()
	alice.checkPseudo("members", data)
	alice.ui.closeDialogs()
	alice.checkMenu("group menu", data, group.showGroupMenu)
	for _, d := range []struct {
		name string
		show func()
	}{
		{"invite a contact", group.showInviteContact},
		{"group invite", group.showGroupInvite},
		{"new group", alice.ui.main.showCreateGroup},
	} {
		d.show()
		alice.settle()
		alice.checkPseudo(d.name, data)
		alice.ui.closeDialogs()
	}
	group.confirmLeaveGroup()
	alice.settle()
	alice.checkPseudo("leave group", data)
	alice.ui.closeDialogs()

	alice.ui.lockNow()
	alice.waitFor("the unlock screen", func() bool { return alice.ui.unlock != nil && alice.ui.main == nil })
	alice.settle()
	alice.checkPseudo("unlock", data)
}

// checkMenu shows a pop-up menu, checks it as checkPseudo does, and
// closes it.
func (h *harness) checkMenu(name string, data []string, show func(anchor fyne.CanvasObject)) {
	h.t.Helper()
	show(h.win.Content())
	h.settle()
	h.checkPseudo(name, data)
	if top := h.win.Canvas().Overlays().Top(); top != nil {
		h.win.Canvas().Overlays().Remove(top)
	}
}

// checkPseudo fails the test for every visible text of the window and its
// dialogs that is neither marked by the pseudo-locale nor made of data,
// and for every marked text cut short or wider than its place.
func (h *harness) checkPseudo(screen string, data []string) {
	h.t.Helper()
	c := h.win.Canvas()
	roots := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	seen := 0
	for _, r := range roots {
		visitVisible(r, func(o fyne.CanvasObject) bool {
			switch x := o.(type) {
			case *widgets.TooltipButton:
				h.checkText(screen, "tooltip", x.Tooltip, data)
			case *widget.Entry:
				if x.Text == "" && x.PlaceHolder != "" {
					h.checkText(screen, "placeholder", x.PlaceHolder, data)
				}
			case *widget.Label:
				h.checkFits(screen, x)
			case *widgets.CodeText:
				// Checked whole: its lines are pieces of a code.
				seen++
				h.checkText(screen, "code", x.Text(), data)
				return false
			case *container.AppTabs:
				for _, it := range x.Items {
					h.checkText(screen, "tab", it.Text, data)
				}
			case *canvas.Text:
				seen++
				h.checkText(screen, "text", x.Text, data)
				if min := x.MinSize().Width; min > x.Size().Width+1 && strings.Contains(x.Text, i18n.PseudoMark) {
					h.t.Errorf("%s: %q needs %.0f wide, has %.0f", screen, x.Text, min, x.Size().Width)
				}
			}
			return true
		})
	}
	if seen == 0 {
		h.t.Errorf("%s: no text on screen", screen)
	}
}

// checkText fails when s has letters outside pseudo-locale strings and
// data.
func (h *harness) checkText(screen, what, s string, data []string) {
	h.t.Helper()
	rest := s
	// The marked parts: from each mark to the end of its string.
	for {
		i := strings.Index(rest, i18n.PseudoMark)
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], i18n.PseudoEnd)
		if j < 0 { // a wrapped label's line: the string goes on below
			rest = rest[:i]
			break
		}
		rest = rest[:i] + " " + rest[i+j+len(i18n.PseudoEnd):]
	}
	if k := strings.Index(rest, strings.TrimSpace(i18n.PseudoEnd)); k >= 0 { // a wrapped string's last line
		rest = rest[k+len(strings.TrimSpace(i18n.PseudoEnd)):]
	}
	if _, ok := fyneOwn[strings.TrimSpace(rest)]; ok {
		return
	}
	data = slices.Clone(data)
	slices.SortFunc(data, func(a, b string) int { return len(b) - len(a) }) // "Hello from Bob" before "Bob"
	for _, d := range data {
		rest = strings.ReplaceAll(rest, d, " ")
		if isAddressBlock(d) { // an onion address, also as shown in blocks
			for _, part := range strings.Fields(widgets.GroupedAddress(d)) {
				rest = strings.ReplaceAll(rest, part, " ")
			}
		}
	}
	for _, w := range strings.Fields(rest) {
		if strings.HasPrefix(w, "NOOK:") || strings.HasSuffix(w, ".onion") || isAddressBlock(w) || isInviteBlock(w) {
			continue // an invite, or part of an address
		}
		if len(w) == 1 && slices.ContainsFunc(data, func(d string) bool { return strings.HasPrefix(d, w) }) {
			continue // an avatar's initial
		}
		if strings.IndexFunc(w, unicode.IsLetter) >= 0 && !strings.ContainsRune(w, '~') && !accented(w) {
			h.t.Errorf("%s: %s %q is not translated (%q left)", screen, what, s, w)
			return
		}
	}
}

// accented reports whether w is a piece of a pseudo-locale text (a
// wrapped line in the middle of a long string has neither mark).
func accented(w string) bool {
	for _, r := range w {
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// isAddressBlock reports whether w is a block of an onion address as
// widgets.GroupedAddress writes it (lower-case base32).
func isAddressBlock(w string) bool {
	for _, r := range w {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return len(w) >= 4 && strings.ContainsAny(w, "234567")
}

// isInviteBlock reports whether w is a piece of an invite's text as a
// wrapped label shows it (upper-case base32).
func isInviteBlock(w string) bool {
	for _, r := range w {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return len(w) >= 4
}

// checkFits fails when a marked label is shown cut short: Fyne ends a
// truncated line with "…" where the label's text goes on.
func (h *harness) checkFits(screen string, l *widget.Label) {
	h.t.Helper()
	if l.Truncation == fyne.TextTruncateOff || !strings.Contains(l.Text, i18n.PseudoMark) {
		return
	}
	var shown strings.Builder
	visitVisible(l, func(o fyne.CanvasObject) bool {
		if t, ok := o.(*canvas.Text); ok {
			shown.WriteString(t.Text)
		}
		return true
	})
	if s := shown.String(); s != "" && s != l.Text && strings.HasSuffix(s, "…") && !strings.HasSuffix(l.Text, "…") {
		h.t.Errorf("%s: %q is cut short to %q", screen, l.Text, s)
	}
}
