package widgets

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// CopyButton copies a text to the clipboard and says that it did: for a
// moment (copiedFeedback) it reads "Copied", with a check mark, in the
// success colour, then its own label again. Tapping it again starts the
// moment anew.
type CopyButton struct {
	widget.Button
	label string
	text  func() string
	// OnCopy, if set, receives the text instead of the clipboard.
	OnCopy func(text string)
	// Do runs the end of the feedback on the Fyne goroutine; nil means
	// fyne.Do. (Tests that run the UI on their own goroutine set theirs.)
	Do func(f func())

	timer *time.Timer
	gen   int // increases with each copy: an older timer does nothing
}

// NewCopyButton returns a button labelled label that copies what text
// returns when tapped.
func NewCopyButton(label string, text func() string) *CopyButton {
	b := &CopyButton{label: label, text: text}
	b.Text = label
	b.Icon = theme.ContentCopyIcon()
	b.OnTapped = b.Copy
	b.ExtendBaseWidget(b)
	return b
}

// Copy copies the text and shows the feedback.
func (b *CopyButton) Copy() {
	s := b.text()
	if b.OnCopy != nil {
		b.OnCopy(s)
	} else {
		fyne.CurrentApp().Clipboard().SetContent(s)
	}
	b.setCopied(true)
	if b.timer != nil {
		b.timer.Stop()
	}
	b.gen++
	gen := b.gen
	do := b.Do
	if do == nil {
		do = fyne.Do
	}
	b.timer = time.AfterFunc(copiedFeedback, func() {
		do(func() {
			if b.gen == gen {
				b.setCopied(false)
			}
		})
	})
}

// Copied reports whether the button shows the "Copied" feedback.
func (b *CopyButton) Copied() bool { return b.Text != b.label }

// endFeedback ends the feedback now, as the timer does.
func (b *CopyButton) endFeedback() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.gen++
	b.setCopied(false)
}

func (b *CopyButton) setCopied(copied bool) {
	if copied {
		b.Text, b.Icon, b.Importance = i18n.T("common.copied"), theme.ConfirmIcon(), widget.SuccessImportance
	} else {
		b.Text, b.Icon, b.Importance = b.label, theme.ContentCopyIcon(), widget.MediumImportance
	}
	b.Refresh()
}
