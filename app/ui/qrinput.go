package ui

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
)

// qrInput reads an invite from a picture of its QR code for a dialog:
// pasted (a copied picture, a copied picture file, or copied invite
// text), chosen with the file chooser, or dropped on the window. The Add
// contact dialog, the New group dialog and the add-server dialog of a
// group's Members dialog share it. Its sentences are Add contact's, where
// they were first written.
type qrInput struct {
	u *UI
	// busy shows (on) or ends the search, with a status line.
	busy func(on bool, status string)
	// fail shows why no invite was read: msg and a hint.
	fail func(msg, hint string)
	// found takes the invite text read.
	found func(text string)
}

// pasteImage reads an invite from the clipboard. Fyne's clipboard carries
// text only, so a copied picture is read with the system's tool
// (clipboardImage); a copied file (whose path or file:// URI is the text)
// and copied invite text work too.
func (q qrInput) pasteImage() {
	clip := strings.TrimSpace(q.u.app.Clipboard().Content())
	if strings.HasPrefix(strings.ToUpper(clip), engine.InviteScheme) {
		q.found(clip)
		return
	}
	if path := pathFromClipboard(clip); path != "" {
		q.readFile(path)
		return
	}
	// A copied picture (a screenshot, an image copied from a browser).
	q.read(i18n.T("addcontact.looking_for_a_qr", "Source", i18n.T("addcontact.the_pasted_picture")),
		func(ctx context.Context) (string, error) {
			data, err := clipboardImage(ctx)
			if err != nil {
				return "", err
			}
			return engine.ReadInviteImage(data)
		})
}

// chooseImage reads an invite from a picture file the person chooses.
func (q qrInput) chooseImage() {
	q.u.chooseFile(imageExts, q.readFile)
}

// readFile reads an invite from the picture file at path.
func (q qrInput) readFile(path string) {
	q.read(i18n.T("addcontact.looking_for_a_qr", "Source", filepath.Base(path)),
		func(context.Context) (string, error) { return engine.ReadInviteFile(path) })
}

// read runs read (which finds an invite in a picture) off the UI
// goroutine, showing status meanwhile, and hands on what it found.
func (q qrInput) read(status string, read func(ctx context.Context) (string, error)) {
	q.fail("", "")
	q.busy(true, status)
	run(q.u, func(ctx context.Context, _ Engine) (string, error) { return read(ctx) },
		func(text string, err error) {
			q.busy(false, "")
			switch {
			case errors.Is(err, errNoClipboardImage):
				q.fail(i18n.T("addcontact.the_clipboard_holds_no"), i18n.T("addcontact.copy_the_invite_text"))
			case err != nil:
				q.fail(pictureError(err))
			default:
				q.found(text)
			}
		})
}

// pathFromClipboard returns the image file named by clipboard text (a path
// or a file:// URI), or "".
func pathFromClipboard(s string) string {
	p := copiedFile(s)
	if p == "" || !slices.Contains(imageExts, strings.ToLower(filepath.Ext(p))) {
		return ""
	}
	return p
}
