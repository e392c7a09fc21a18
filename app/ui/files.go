package ui

import (
	"context"
	"errors"
	"image"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// This file holds what the conversation view does with files (docs/files.md):
// sending them (the attach button, files dropped onto the conversation, a
// picture pasted), in a one-to-one conversation or a group, the file card
// of a file message with its actions, and the conversation's Files list.

// pictureExts are the names of pictures whose hidden information the
// engine removes before sending.
var pictureExts = []string{".jpg", ".jpeg", ".png", ".gif", ".webp"}

func isPictureName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range pictureExts {
		if ext == e {
			return true
		}
	}
	return false
}

// chooseAttachment shows a file chooser and offers the chosen file, with
// the files chosen before it when the "Send …?" dialog asked for another
// (chosen).
func (cp *chatPane) chooseAttachment(chosen ...string) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			if len(chosen) > 0 {
				cp.offerFiles(chosen)
			}
			return
		}
		path := r.URI().Path()
		r.Close()
		cp.offerFiles(append(chosen, path))
	}, cp.mv.u.win)
	d.Resize(fyne.NewSize(760, 520))
	cp.mv.u.showDialog(d)
}

// offerFile asks before sending the file at path.
func (cp *chatPane) offerFile(path string) { cp.offerFiles([]string{path}) }

// offerFiles asks before sending the files at paths, each its own offer:
// their names and sizes, and for pictures whether to keep their hidden
// information (off by default). What is not an ordinary file is left
// out, and said.
func (cp *chatPane) offerFiles(paths []string) {
	u := cp.mv.u
	var files []sendItem
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			files = append(files, sendItem{p, st.Size()})
		}
	}
	if len(files) == 0 {
		u.showError(i18n.T("files.the_file_was_not"), engine.ErrNotAFile)
		return
	}
	cp.confirmSend(files, len(files) < len(paths), func(keep bool) {
		for _, f := range files {
			cp.sendFile(f.path, keep, nil)
		}
	})
}

// sendItem is a file about to be sent: its path and size.
type sendItem struct {
	path string
	size int64
}

// confirmSend shows what is about to be sent to whom, with the choice to
// keep pictures' hidden information, and calls send with that choice.
// skipped says that some of what was chosen is no file and is left out.
func (cp *chatPane) confirmSend(files []sendItem, skipped bool, send func(keepMetadata bool)) {
	u := cp.mv.u
	var objs []fyne.CanvasObject
	title := i18n.T("files.send", "Name", filepath.Base(files[0].path))
	pictures := false
	switch {
	case len(files) == 1 && cp.isGroup():
		objs = append(objs, para(i18n.T("files.goes_to_group", "Name", filepath.Base(files[0].path), "Size", widgets.FormatSize(files[0].size), "Title", cp.cv.Title)))
	case len(files) == 1:
		objs = append(objs, para(i18n.T("files.goes_to_once_they", "Name", filepath.Base(files[0].path), "Size", widgets.FormatSize(files[0].size), "Title", cp.cv.Title)))
	case cp.isGroup():
		title = i18n.N("files.send_n", len(files), "Count", len(files))
		objs = append(objs, para(i18n.T("files.each_goes_to_group", "Title", cp.cv.Title)))
	default:
		title = i18n.N("files.send_n", len(files), "Count", len(files))
		objs = append(objs, para(i18n.T("files.each_goes_to", "Title", cp.cv.Title)))
	}
	for _, f := range files {
		if len(files) > 1 {
			objs = append(objs, para(i18n.T("files.name_size", "Name", filepath.Base(f.path), "Size", widgets.FormatSize(f.size))))
		}
		pictures = pictures || isPictureName(f.path)
	}
	if skipped {
		objs = append(objs, muted(i18n.T("files.not_files_left_out")))
	}
	keep := widget.NewCheck(i18n.T("files.keep_the_original_with"), nil)
	if pictures {
		objs = append(objs,
			muted(i18n.T("files.location_and_camera_details")),
			keep)
	}
	var d *dialog.CustomDialog
	more := widget.NewButton(i18n.T("files.add_another_file"), func() {
		d.Hide()
		paths := make([]string, len(files))
		for i, f := range files {
			paths[i] = f.path
		}
		cp.chooseAttachment(paths...)
	})
	objs = append(objs, container.NewHBox(more))
	d = u.confirm(title, 460, i18n.T("files.send_2"), false, func() { send(keep.Checked) }, objs...)
	cp.sendDialog = d
}

// sendFile hands the file at path to the engine; it shows in the
// conversation through MessageAdded. done (if not nil) runs afterwards
// off the Fyne goroutine (it removes a pasted picture's temporary copy).
func (cp *chatPane) sendFile(path string, keepMetadata bool, done func()) {
	u, conv := cp.mv.u, cp.conv
	runInOrder(u, func(_ context.Context, e Engine) (model.Message, error) {
		if done != nil {
			defer done()
		}
		return e.SendFile(conv, path, engine.SendFileOptions{KeepMetadata: keepMetadata})
	}, func(_ model.Message, err error) {
		if err != nil {
			u.showError(i18n.T("files.the_file_was_not"), err)
		}
	})
}

// dropped offers the files dropped onto the open conversation (a
// contact's, or a group's), all of them in one "Send …?" dialog, after
// asking. It reports whether the conversation took the drop.
func (cp *chatPane) dropped(uris []fyne.URI) bool {
	if !cp.isGroup() {
		if c := cp.contact(); c.State != model.ContactAccepted && c.State != model.ContactPending {
			return false
		}
	}
	paths := make([]string, len(uris))
	for i, u := range uris {
		paths[i] = u.Path()
	}
	cp.offerFiles(paths)
	return true
}

// paste handles Ctrl+V in the entry when the clipboard holds no text: a
// copied picture (or a copied file's path) is offered for sending. It
// reports whether it did something.
func (cp *chatPane) paste() bool {
	u := cp.mv.u
	clip := u.app.Clipboard().Content()
	if strings.TrimSpace(clip) != "" {
		if p := copiedFile(clip); p != "" {
			cp.offerFile(p)
			return true
		}
		return false
	}
	run(u, func(ctx context.Context, _ Engine) ([]byte, error) { return clipboardImage(ctx) },
		func(png []byte, err error) {
			if errors.Is(err, errNoClipboardImage) {
				return
			}
			if err != nil {
				u.showError(i18n.T("files.the_picture_was_not"), err)
				return
			}
			cp.sendPasted(png)
		})
	return true
}

// sendPasted offers a pasted picture (PNG bytes): once the person says
// so, it is written to a private temporary folder, sent (copied into the
// profile) and removed.
func (cp *chatPane) sendPasted(png []byte) {
	name := i18n.T("files.pasted_picture_png")
	cp.confirmSend([]sendItem{{name, int64(len(png))}}, false, func(keep bool) {
		dir, err := os.MkdirTemp("", "nook-paste-")
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), png, 0o600)
		}
		if err != nil {
			os.RemoveAll(dir)
			cp.mv.u.showError(i18n.T("files.the_picture_was_not_2"), err)
			return
		}
		cp.sendFile(filepath.Join(dir, name), keep, func() { os.RemoveAll(dir) })
	})
}

// copiedFile returns the path of a copied file (a path or file:// URI as
// the clipboard's text), or "".
func copiedFile(s string) string {
	s = strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
	if strings.HasPrefix(s, "file://") {
		if u, err := url.Parse(s); err == nil {
			s = u.Path
		}
	}
	if !filepath.IsAbs(s) {
		return ""
	}
	if st, err := os.Stat(s); err == nil && st.Mode().IsRegular() {
		return s
	}
	return ""
}

// fileInfo is what the card of file message m shows; it starts reading
// the transfer, or a picture's thumbnail, when they are not known yet.
func (cp *chatPane) fileInfo(m model.Message) widgets.FileInfo {
	st := cp.mv.u.state
	f, ok := st.File(cp.conv, m.ID)
	if !ok {
		if st.NeedFile(cp.conv, m.ID) {
			cp.loadFile(m.ID)
		}
		info := widgets.FileInfo{ID: m.ID.String(), Name: m.Body, Outgoing: m.Outgoing, Contact: cp.cv.Title, Time: m.Received}
		if cp.isGroup() {
			info.InGroup, info.Contact = true, cp.authorOf(m)
		}
		return info
	}
	if st.NeedThumb(cp.conv, m.ID) {
		cp.loadThumb(m.ID)
	}
	info := fileCardInfo(f, cp.cv)
	info.Time = m.Received
	if info.InGroup {
		info.Contact = cp.authorOf(m)
	}
	return info
}

// fileCardInfo turns a transfer into what a FileCard shows: a transfer
// that does not move says why (the disk, or the contact offline).
func fileCardInfo(f state.File, cv model.Conversation) widgets.FileInfo {
	info := widgets.FileInfo{
		ID: f.ID.String(), Name: f.Name, MediaType: f.MediaType, Size: f.Size, Outgoing: f.Outgoing,
		Done: f.Done, Speed: f.Speed, Contact: cv.Title, ByContact: f.ByContact, Limit: f.Limit,
		Problem: problemText(f.Problem), Saved: f.Saved,
	}
	if f.Thumb != nil {
		info.Thumbnail = f.Thumb
	}
	info.InGroup = cv.Kind == model.KindGroup
	switch f.State {
	case model.FileOffered:
		info.State = widgets.FileOffered
	case model.FileTransferring:
		info.State = widgets.FileTransferring
		switch {
		case f.Problem != "":
			info.State = widgets.FilePaused
		case cv.Presence != model.Online && !info.InGroup:
			info.State = widgets.FilePaused
			info.Problem = i18n.T("files.is_offline_it_goes", "Title", cv.Title)
		}
	case model.FileComplete:
		info.State = widgets.FileComplete
	case model.FileDeclined:
		info.State = widgets.FileDeclined
	case model.FileTooLarge:
		info.State = widgets.FileTooLarge
	case model.FileCancelled:
		info.State = widgets.FileCancelled
	case model.FileFailed:
		info.State = widgets.FileFailed
	case model.FileUnavailable:
		info.State = widgets.FileUnavailable
	}
	return info
}

// loadFile reads the transfer of file message id.
func (cp *chatPane) loadFile(id model.MessageID) {
	u, conv := cp.mv.u, cp.conv
	runAlways(u, func(_ context.Context, e Engine) (model.FileTransfer, error) { return e.File(conv, id) },
		func(ft model.FileTransfer, err error) {
			if err == nil {
				u.apply(u.state.SetFile(ft))
			}
		})
}

// loadThumb reads a picture's thumbnail, decoded by the engine (allow-listed
// formats, capped sizes); the UI never decodes pictures itself.
func (cp *chatPane) loadThumb(id model.MessageID) {
	u, conv := cp.mv.u, cp.conv
	runAlways(u, func(_ context.Context, e Engine) (*image.RGBA, error) { return e.FileThumbnail(conv, id) },
		func(img *image.RGBA, err error) {
			if err == nil && img != nil {
				u.apply(u.state.SetThumb(conv, id, img))
			}
		})
}

// fileAction runs an engine action on file message id in the order asked;
// the card shows its outcome through FileChanged.
func (cp *chatPane) fileAction(id string, what string, act func(e Engine, conv model.ConversationID, id model.MessageID) (model.FileTransfer, error)) {
	mid, err := model.ParseMessageID(id)
	if err != nil {
		return
	}
	u, conv := cp.mv.u, cp.conv
	runInOrder(u, func(_ context.Context, e Engine) (model.FileTransfer, error) { return act(e, conv, mid) },
		func(_ model.FileTransfer, err error) {
			if err != nil {
				u.showError(what, err)
			}
		})
}

func (cp *chatPane) acceptFile(id string) {
	cp.fileAction(id, i18n.T("files.the_file_was_not_2"), Engine.AcceptFile)
}

func (cp *chatPane) declineFile(id string) {
	cp.fileAction(id, i18n.T("files.the_file_was_not_3"), Engine.DeclineFile)
}

func (cp *chatPane) cancelFile(id string) {
	cp.fileAction(id, i18n.T("files.the_transfer_was_not"), Engine.CancelFile)
}

// chooseSaveFolder asks where to save file message id, then saves it
// there under its cleaned name (the engine never replaces a file).
func (cp *chatPane) chooseSaveFolder(id string) {
	u := cp.mv.u
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil || l == nil {
			return
		}
		cp.saveFile(id, l.Path())
	}, u.win)
	if home, err := os.UserHomeDir(); err == nil {
		for _, sub := range []string{"Downloads", ""} {
			if l, err := storage.ListerForURI(storage.NewFileURI(filepath.Join(home, sub))); err == nil {
				d.SetLocation(l)
				break
			}
		}
	}
	d.SetConfirmText(i18n.T("files.save_here"))
	d.Resize(fyne.NewSize(760, 520))
	u.showDialog(d)
}

// saveFile writes file message id into the folder dir.
func (cp *chatPane) saveFile(id, dir string) {
	mid, err := model.ParseMessageID(id)
	if err != nil {
		return
	}
	u, conv := cp.mv.u, cp.conv
	runAlways(u, func(_ context.Context, e Engine) (string, error) { return e.SaveFile(conv, mid, dir) },
		func(path string, err error) {
			if err != nil {
				u.showError(i18n.T("files.the_file_was_not_4"), err)
				return
			}
			u.apply(u.state.SetSaved(conv, mid, path))
		})
}

// openSaved opens a saved file with the computer's program for it, after
// saying that the program runs outside Nook.
func (cp *chatPane) openSaved(id string) {
	u := cp.mv.u
	mid, err := model.ParseMessageID(id)
	if err != nil {
		return
	}
	f, ok := u.state.File(cp.conv, mid)
	if !ok || f.Saved == "" {
		return
	}
	u.confirm(i18n.T("files.open", "File", filepath.Base(f.Saved)), 440, i18n.T("common.open"), false, func() {
		if err := u.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(f.Saved)}); err != nil {
			u.showError(i18n.T("files.the_file_could_not"), err)
		}
	}, para(i18n.T("files.it_opens_in_another")))
}

// newFileCard returns the card of the row, its actions wired to the pane.
func newFileCard(cp *chatPane) *widgets.FileCard {
	c := widgets.NewFileCard(widgets.FileInfo{})
	c.Times = cp.mv.u.times
	c.OnAccept = cp.acceptFile
	c.OnDecline = cp.declineFile
	c.OnCancel = cp.cancelFile
	c.OnSave = cp.chooseSaveFolder
	c.OnOpen = cp.openSaved
	return c
}

// filesDialog is the open Files list of a conversation.
type filesDialog struct {
	cp   *chatPane
	d    dialog.Dialog
	box  *fyne.Container
	note *widget.Label
}

// showFiles shows every file of the conversation, newest first, with
// where it stands and what can be done with it.
func (cp *chatPane) showFiles() {
	u := cp.mv.u
	fd := &filesDialog{cp: cp, box: container.NewVBox(), note: muted(i18n.T("files.reading_the_files"))}
	scroll := container.NewVScroll(container.NewVBox(fd.note, fd.box))
	scroll.SetMinSize(fyne.NewSize(440, 420))
	title := i18n.T("files.files_with", "Title", cp.cv.Title)
	if cp.isGroup() {
		title = i18n.T("files.files_in", "Title", cp.cv.Title)
	}
	d := dialog.NewCustom(title, i18n.T("common.close"), scroll, u.win)
	fd.d = d
	cp.files = fd
	u.showDialogOnClosed(d, func() {
		if cp.files == fd {
			cp.files = nil
		}
	})
	conv := cp.conv
	run(u, func(_ context.Context, e Engine) ([]model.FileTransfer, error) { return e.Files(conv) },
		func(fts []model.FileTransfer, err error) {
			if err != nil {
				msg, _ := failure(i18n.T("files.the_files_could_not"), err)
				fd.note.SetText(msg)
				return
			}
			u.apply(u.state.SetFiles(conv, fts))
			fd.render()
		})
}

// render shows the conversation's files as the state has them.
func (fd *filesDialog) render() {
	cp := fd.cp
	fs := cp.mv.u.state.Files(cp.conv)
	fd.note.SetText(i18n.T("files.no_files_were_shared"))
	if len(fs) > 0 {
		fd.note.SetText(i18n.N("files.files_newest_first_received", len(fs)))
	}
	objs := make([]fyne.CanvasObject, 0, len(fs))
	for _, f := range fs {
		c := newFileCard(cp)
		info := fileCardInfo(f, cp.cv)
		info.Thumbnail = nil // the list stays compact
		if info.InGroup {
			info.Contact = i18n.T("state.a_member") // the list does not know the author
			if f.Outgoing {
				info.Contact = i18n.T("common.you")
			}
		}
		if !f.Sent.IsZero() {
			info.Time = f.Sent
		}
		c.SetFile(info)
		objs = append(objs, c)
	}
	fd.box.Objects = objs
	fd.box.Refresh()
}

// showFilesItem is the header menu's entry for the Files list.
func (cp *chatPane) showFilesItem() *fyne.MenuItem {
	return fyne.NewMenuItemWithIcon(i18n.T("files.files"), theme.FolderIcon(), cp.showFiles)
}

// renderFiles redraws the Files list when c changed its conversation's.
func (cp *chatPane) renderFiles(c state.Change) {
	if cp.files == nil {
		return
	}
	for _, conv := range c.Files {
		if conv == cp.conv {
			cp.files.render()
			return
		}
	}
}

// fileLimitChoices are the sizes (MiB) offered for FileLimitMiB; 0 is the
// engine's default, 2 GB.
var fileLimitChoices = []int{10, 100, 500, 0, 10240}

// autoAcceptChoices are the sizes (KiB) offered for AutoAcceptPicturesKiB;
// 2048 is the default.
var autoAcceptChoices = []int{0, 512, 2048, 10240}

func fileLimitLabel(mib int) string {
	if mib <= 0 {
		return i18n.T("files.up_to_2_gb")
	}
	return i18n.T("files.up_to", "Size", widgets.FormatSize(int64(mib)<<20))
}

func autoAcceptLabel(kib int) string {
	switch kib {
	case 0:
		return i18n.T("files.never_always_ask")
	case 2048:
		return i18n.T("files.up_to_2_mb")
	}
	return i18n.T("files.up_to", "Size", widgets.FormatSize(int64(kib)<<10))
}

// filesSection is the settings of received files: the size limit, the
// size up to which pictures from verified contacts arrive without
// asking, and whether files received in groups are passed on to the
// other members.
func (sd *settingsDialog) filesSection() fyne.CanvasObject {
	choose := func(choices []int, label func(int) string, current int, set func(int)) *widget.Select {
		labels := make([]string, len(choices))
		for i, c := range choices {
			labels[i] = label(c)
		}
		sel := widget.NewSelect(labels, nil)
		sel.SetSelected(label(current))
		sel.OnChanged = func(v string) {
			for i, l := range labels {
				if l == v {
					set(choices[i])
				}
			}
			sd.save()
		}
		return sel
	}
	limit := choose(fileLimitChoices, fileLimitLabel, sd.s.FileLimitMiB, func(v int) { sd.s.FileLimitMiB = v })
	auto := choose(autoAcceptChoices, autoAcceptLabel, sd.s.AutoAcceptPicturesKiB, func(v int) { sd.s.AutoAcceptPicturesKiB = v })
	sd.fileLimit, sd.autoAccept = limit, auto
	sd.serveFetched = widget.NewCheck(i18n.T("files.share_files_i_received"), nil)
	sd.serveFetched.SetChecked(sd.s.ServeFetchedFiles)
	sd.serveFetched.OnChanged = func(b bool) { sd.s.ServeFetchedFiles = b; sd.save() }
	return container.NewVBox(
		subheading(i18n.T("files.files_you_receive")),
		widget.NewLabel(i18n.T("files.largest_file_accepted")),
		limit,
		muted(i18n.T("files.a_larger_file_is")),
		widget.NewLabel(i18n.T("files.pictures_accepted_without_asking")),
		auto,
		muted(i18n.T("files.pictures_up_to_this")),
		widget.NewSeparator(),
		subheading(i18n.T("files.files_in_groups")),
		sd.serveFetched,
		muted(i18n.T("files.when_on_other_members")),
	)
}
