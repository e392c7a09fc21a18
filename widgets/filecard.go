package widgets

import (
	"image"
	"math"
	"path"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// FileState is where a shared file stands, as a FileCard shows it.
type FileState int

// File states.
const (
	// FileOffered: waiting for the receiver to accept or decline.
	FileOffered FileState = iota + 1
	// FileTransferring: chunks are moving.
	FileTransferring
	// FilePaused: accepted, but nothing moves (FileInfo.Problem says why:
	// the contact is offline, the disk is full).
	FilePaused
	// FileComplete: received whole and checked, or delivered.
	FileComplete
	// FileDeclined, FileCancelled, FileTooLarge, FileFailed and
	// FileUnavailable end a transfer without the file.
	FileDeclined
	FileCancelled
	FileTooLarge
	FileFailed
	FileUnavailable
)

// FileInfo is what a FileCard shows: plain data, no engine types.
type FileInfo struct {
	// ID identifies the file (its message) for the callbacks.
	ID        string
	Name      string
	MediaType string
	Size      int64
	Outgoing  bool
	State     FileState
	// Done is how many bytes moved; Speed the bytes per second lately (0:
	// not known yet).
	Done  int64
	Speed float64
	// Contact is the other side's name, for the sentences.
	Contact string
	// ByContact: the contact, not the person, declined or cancelled.
	ByContact bool
	// Limit is the receiver's size limit (FileTooLarge), in bytes.
	Limit int64
	// Problem says why a transfer is paused or failed, in words.
	Problem string
	// Thumbnail is a small picture of a picture file, decoded safely by
	// the caller; nil shows the file's icon instead.
	Thumbnail image.Image
	// Saved is where the file was saved on this computer ("": not yet).
	Saved string
	// Time is when the file was offered; shown when set.
	Time time.Time
	// InGroup: the file was shared in a group (Contact names its author);
	// members fetch it from the author or from each other.
	InGroup bool
}

// FileCard shows a shared file in a conversation: a picture's thumbnail,
// or an icon by type, with the name, size and type; under them where the
// transfer stands (progress with speed and time left, why it is paused,
// or how it ended) and what can be done about it: Accept and Decline an
// offer, Cancel a transfer, "Save as…" a complete file and, once saved,
// Open it. The card holds no engine types; its callbacks get the
// FileInfo's ID.
type FileCard struct {
	widget.BaseWidget

	// Times formats FileInfo.Time; its zero value uses the local clock.
	Times TimeFormat

	OnAccept  func(id string)
	OnDecline func(id string)
	OnCancel  func(id string)
	OnSave    func(id string)
	OnOpen    func(id string)

	info FileInfo

	thumb    *canvas.Image
	icon     *widget.Icon
	name     *widget.Label
	details  *widget.Label
	status   *widget.Label
	bar      *thinBar
	accept   *widget.Button
	decline  *widget.Button
	cancel   *widget.Button
	save     *widget.Button
	open     *widget.Button
	bg       *canvas.Rectangle
	content  *fyne.Container
	thumbBox *fyne.Container
}

// FileCardWidth is the widest a FileCard gets.
const FileCardWidth = 380

// thumbMaxHeight is the tallest a thumbnail shows.
const thumbMaxHeight = 220

// NewFileCard returns a card showing f.
func NewFileCard(f FileInfo) *FileCard {
	c := &FileCard{}
	c.thumb = canvas.NewImageFromImage(nil)
	c.thumb.FillMode = canvas.ImageFillContain
	c.thumb.ScaleMode = canvas.ImageScaleSmooth
	c.thumb.CornerRadius = 8
	c.icon = widget.NewIcon(theme.FileIcon())
	c.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.name.Truncation = fyne.TextTruncateEllipsis
	c.details = widget.NewLabel("")
	c.details.Importance = widget.LowImportance
	c.details.SizeName = theme.SizeNameCaptionText
	c.details.Truncation = fyne.TextTruncateEllipsis
	c.status = widget.NewLabel("")
	c.status.Wrapping = fyne.TextWrapWord
	c.status.SizeName = theme.SizeNameCaptionText
	c.bar = newThinBar()
	call := func(f *func(string)) func() {
		return func() {
			if *f != nil {
				(*f)(c.info.ID)
			}
		}
	}
	c.accept = widget.NewButtonWithIcon(i18n.T("common.accept"), theme.DownloadIcon(), call(&c.OnAccept))
	c.accept.Importance = widget.HighImportance
	c.decline = widget.NewButton(i18n.T("filecard.decline"), call(&c.OnDecline))
	c.cancel = widget.NewButtonWithIcon(i18n.T("common.cancel"), theme.CancelIcon(), call(&c.OnCancel))
	c.save = widget.NewButtonWithIcon(i18n.T("filecard.save_as"), theme.DocumentSaveIcon(), call(&c.OnSave))
	c.open = widget.NewButtonWithIcon(i18n.T("common.open"), theme.FolderOpenIcon(), call(&c.OnOpen))
	c.bg = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	c.bg.CornerRadius = 12
	c.bg.StrokeWidth = 1
	c.thumbBox = container.New(&thumbLayout{img: c.thumb}, c.thumb)
	head := container.NewBorder(nil, nil, container.NewCenter(c.icon), nil,
		container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), c.name, c.details))
	buttons := container.NewHBox(c.accept, c.decline, c.save, c.open, c.cancel)
	c.content = container.NewVBox(c.thumbBox, head, c.status, c.bar, buttons)
	c.ExtendBaseWidget(c)
	c.SetFile(f)
	return c
}

// File returns what the card shows.
func (c *FileCard) File() FileInfo { return c.info }

// SetFile shows f.
func (c *FileCard) SetFile(f FileInfo) {
	c.info = f
	c.update()
	c.Refresh()
}

// update sets the parts from c.info.
func (c *FileCard) update() {
	f := c.info
	c.name.SetText(f.Name)
	c.icon.SetResource(FileIcon(f.MediaType))
	details := FormatSize(f.Size) + " · " + TypeName(f.MediaType, f.Name)
	if !f.Time.IsZero() {
		details += " · " + c.Times.Stamp(f.Time)
	}
	c.details.SetText(details)
	if f.Thumbnail != nil {
		c.thumb.Image = f.Thumbnail
		c.thumb.Refresh()
		c.thumbBox.Show()
	} else {
		c.thumb.Image = nil
		c.thumbBox.Hide()
	}
	status, importance := FileStatus(f)
	c.status.SetText(status)
	c.status.Importance = importance
	c.status.Refresh()
	show(c.bar, f.State == FileTransferring || f.State == FilePaused)
	if f.Size > 0 {
		c.bar.setValue(min(float64(f.Done)/float64(f.Size), 1))
	}
	show(c.accept, f.State == FileOffered && !f.Outgoing)
	show(c.decline, f.State == FileOffered && !f.Outgoing)
	show(c.cancel, f.State == FileTransferring || f.State == FilePaused || (f.State == FileOffered && f.Outgoing))
	c.bar.paused = f.State == FilePaused
	show(c.save, f.State == FileComplete)
	show(c.open, f.State == FileComplete && f.Saved != "")
	if f.Saved != "" {
		c.save.SetText(i18n.T("filecard.save_again"))
	} else {
		c.save.SetText(i18n.T("filecard.save_as"))
	}
}

func show(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}

// FileStatus is the sentence a card shows under a file, and its
// importance (how it is coloured).
func FileStatus(f FileInfo) (string, widget.Importance) {
	// who is the sentence naming the contact, or the one saying "your
	// contact" when the card has no name: a sentence of its own, as
	// those words take another case or capital where they stand.
	who := func(named, unnamed string, args ...any) string {
		if f.Contact == "" {
			return i18n.T(unnamed, args...)
		}
		return i18n.T(named, append([]any{"Who", f.Contact}, args...)...)
	}
	if f.InGroup {
		if text, imp, ok := groupFileStatus(f); ok {
			return text, imp
		}
	}
	switch f.State {
	case FileOffered:
		if f.Outgoing {
			return who("filecard.waiting_for_to_accept", "filecard.waiting_for_contact_to_accept"), widget.LowImportance
		}
		return who("filecard.wants_to_send_you", "filecard.contact_wants_to_send_you"), widget.MediumImportance
	case FileTransferring:
		key := "filecard.receiving_of"
		if f.Outgoing {
			key = "filecard.sending_of"
		}
		s := i18n.T(key, "Done", FormatSize(f.Done), "Size", FormatSize(f.Size))
		if f.Speed > 0 {
			s = i18n.T("filecard.with_speed", "Progress", s, "Speed", FormatSize(int64(f.Speed)), "TimeLeft", TimeLeft(float64(f.Size-f.Done)/f.Speed))
		}
		return s, widget.MediumImportance
	case FilePaused:
		if f.Problem != "" {
			return i18n.T("filecard.paused", "Problem", f.Problem), widget.WarningImportance
		}
		return i18n.T("filecard.paused_it_goes_on"), widget.WarningImportance
	case FileComplete:
		switch {
		case f.Saved != "":
			return i18n.T("filecard.saved_as_in", "File", filepath.Base(f.Saved), "Dir", filepath.Dir(f.Saved)), widget.SuccessImportance
		case f.Outgoing:
			return who("filecard.received_it_whole", "filecard.contact_received_it_whole"), widget.SuccessImportance
		}
		return i18n.T("filecard.received_and_checked_it"), widget.SuccessImportance
	case FileDeclined:
		if f.Outgoing {
			return who("filecard.declined_this_file", "filecard.contact_declined_this_file"), widget.LowImportance
		}
		return i18n.T("filecard.you_declined_this_file"), widget.LowImportance
	case FileCancelled:
		if f.ByContact {
			return who("filecard.cancelled_this_transfer", "filecard.contact_cancelled_this_transfer"), widget.LowImportance
		}
		return i18n.T("filecard.you_cancelled_this_transfer"), widget.LowImportance
	case FileTooLarge:
		if f.Outgoing {
			return who("filecard.too_large_for_they", "filecard.too_large_for_contact", "Size", FormatSize(f.Limit)), widget.DangerImportance
		}
		return i18n.T("filecard.not_received_larger_than", "Size", FormatSize(f.Limit)), widget.DangerImportance
	case FileFailed:
		if f.Problem != "" {
			return f.Problem, widget.DangerImportance
		}
		return i18n.T("filecard.the_file_did_not"), widget.DangerImportance
	case FileUnavailable:
		if f.Outgoing {
			return i18n.T("filecard.this_file_is_no"), widget.LowImportance
		}
		return who("filecard.no_longer_has_this", "filecard.contact_no_longer_has_this"), widget.LowImportance
	}
	return "", widget.LowImportance
}

// FormatSize writes a number of bytes the way file managers do: "512
// bytes", "4.2 KB", "18 MB", "2 GB" (units of 1024).
func FormatSize(n int64) string {
	if n < 1024 {
		return i18n.N("filecard.bytes", int(n), "Number", i18n.Decimal(float64(n), 0))
	}
	units := []string{"filecard.kb", "filecard.mb", "filecard.gb", "filecard.tb"}
	v := float64(n) / 1024
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	digits := 1
	if v >= 10 || v == math.Trunc(v) {
		digits = 0
	}
	return i18n.T(units[u], "Number", i18n.Decimal(v, digits))
}

// TimeLeft says how long secs seconds are, roughly: "less than a minute
// left", "about 3 minutes left", "about 2 hours left".
func TimeLeft(secs float64) string {
	switch {
	case secs < 10:
		return i18n.T("filecard.a_few_seconds_left")
	case secs < 60:
		return i18n.N("filecard.about_seconds_left", int(secs/10+0.5)*10)
	case secs < 90:
		return i18n.T("filecard.about_a_minute_left")
	case secs < 3600:
		return i18n.N("filecard.about_minutes_left", int(secs/60+0.5))
	case secs < 5400:
		return i18n.T("filecard.about_an_hour_left")
	}
	return i18n.N("filecard.about_hours_left", int(secs/3600+0.5))
}

// FileIcon is the icon of a file of media type t.
func FileIcon(t string) fyne.Resource {
	switch {
	case strings.HasPrefix(t, "image/"):
		return theme.FileImageIcon()
	case strings.HasPrefix(t, "video/"):
		return theme.FileVideoIcon()
	case strings.HasPrefix(t, "audio/"):
		return theme.FileAudioIcon()
	case strings.HasPrefix(t, "text/"):
		return theme.FileTextIcon()
	case t == "application/pdf":
		return theme.DocumentIcon()
	case strings.HasPrefix(t, "application/") && t != "application/octet-stream":
		return theme.FileApplicationIcon()
	}
	return theme.FileIcon()
}

// TypeName names a file's type in words: "PDF document", "JPEG picture";
// for a type it does not know, the name's extension ("ODT file"), or
// "File".
func TypeName(t, name string) string {
	known := map[string]string{
		"image/jpeg": i18n.T("filecard.jpeg_picture"), "image/png": i18n.T("filecard.png_picture"), "image/gif": i18n.T("filecard.gif_picture"),
		"image/webp": i18n.T("filecard.webp_picture"), "application/pdf": i18n.T("filecard.pdf_document"), "text/plain": i18n.T("filecard.text"),
		"application/zip": i18n.T("filecard.zip_archive"), "audio/mpeg": i18n.T("filecard.mp3_audio"), "video/mp4": i18n.T("filecard.mp4_video"),
		"audio/ogg": i18n.T("filecard.ogg_audio"), "video/webm": i18n.T("filecard.webm_video"), "text/html": i18n.T("filecard.web_page"),
	}
	if s, ok := known[strings.ToLower(strings.TrimSpace(strings.Split(t, ";")[0]))]; ok {
		return s
	}
	if ext := strings.TrimPrefix(path.Ext(name), "."); ext != "" && len(ext) <= 5 {
		return i18n.T("filecard.ext_file", "Ext", strings.ToUpper(ext))
	}
	return i18n.T("filecard.file")
}

// CreateRenderer draws the card's background and its content.
func (c *FileCard) CreateRenderer() fyne.WidgetRenderer {
	return &fileCardRenderer{c: c}
}

type fileCardRenderer struct{ c *FileCard }

func (r *fileCardRenderer) Destroy() {}

func (r *fileCardRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.c.bg, r.c.content}
}

func (r *fileCardRenderer) pad() float32 { return 1.5 * theme.Padding() }

func (r *fileCardRenderer) MinSize() fyne.Size {
	p := r.pad()
	return r.c.content.MinSize().AddWidthHeight(2*p, 2*p)
}

func (r *fileCardRenderer) Layout(s fyne.Size) {
	p := r.pad()
	r.c.bg.Resize(s)
	r.c.content.Move(fyne.NewPos(p, p))
	r.c.content.Resize(fyne.NewSize(s.Width-2*p, s.Height-2*p))
}

func (r *fileCardRenderer) Refresh() {
	c := r.c
	fill, stroke := theme.ColorNameInputBackground, theme.ColorNameSeparator
	if c.info.Outgoing {
		fill = theme.ColorNameHover
	}
	c.bg.FillColor = theme.Color(fill)
	c.bg.StrokeColor = theme.Color(stroke)
	c.bg.Refresh()
	c.content.Refresh()
	r.Layout(c.Size())
}

// HeightForWidth is the card's height when it is w wide (text wraps).
func (c *FileCard) HeightForWidth(w float32) float32 {
	c.Resize(fyne.NewSize(w, c.MinSize().Height))
	c.Refresh()
	return c.MinSize().Height
}

// thumbLayout shows a thumbnail at most the width there is and
// thumbMaxHeight tall, keeping its proportions, on the leading side.
type thumbLayout struct{ img *canvas.Image }

func (l *thumbLayout) size(w float32) fyne.Size {
	if l.img.Image == nil {
		return fyne.NewSize(0, 0)
	}
	b := l.img.Image.Bounds()
	iw, ih := float32(b.Dx()), float32(b.Dy())
	if iw <= 0 || ih <= 0 {
		return fyne.NewSize(0, 0)
	}
	h := min(thumbMaxHeight, ih*w/iw, ih*2)
	return fyne.NewSize(iw*h/ih, h)
}

func (l *thumbLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	s := l.size(FileCardWidth - 4*theme.Padding())
	return fyne.NewSize(0, s.Height)
}

func (l *thumbLayout) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	t := l.size(s.Width)
	for _, o := range objs {
		o.Resize(t)
		o.Move(fyne.NewPos(0, 0))
	}
}

// thinBar is a slim progress bar: a track and the part done, rounded.
type thinBar struct {
	widget.BaseWidget
	value  float64
	paused bool
	track  *canvas.Rectangle
	done   *canvas.Rectangle
}

func newThinBar() *thinBar {
	b := &thinBar{track: canvas.NewRectangle(nil), done: canvas.NewRectangle(nil)}
	b.track.CornerRadius, b.done.CornerRadius = 3, 3
	b.ExtendBaseWidget(b)
	return b
}

func (b *thinBar) setValue(v float64) {
	b.value = v
	b.Refresh()
}

func (b *thinBar) CreateRenderer() fyne.WidgetRenderer { return &thinBarRenderer{b: b} }

type thinBarRenderer struct{ b *thinBar }

func (r *thinBarRenderer) Destroy() {}
func (r *thinBarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.b.track, r.b.done}
}
func (r *thinBarRenderer) MinSize() fyne.Size { return fyne.NewSize(40, 6+theme.Padding()) }
func (r *thinBarRenderer) Layout(s fyne.Size) {
	y := (s.Height - 6) / 2
	r.b.track.Move(fyne.NewPos(0, y))
	r.b.track.Resize(fyne.NewSize(s.Width, 6))
	r.b.done.Move(fyne.NewPos(0, y))
	r.b.done.Resize(fyne.NewSize(max(float32(r.b.value)*s.Width, 6), 6))
}
func (r *thinBarRenderer) Refresh() {
	r.b.track.FillColor = theme.Color(theme.ColorNameInputBorder)
	r.b.done.FillColor = theme.Color(theme.ColorNamePrimary)
	if r.b.paused {
		r.b.done.FillColor = theme.Color(theme.ColorNameWarning)
	}
	r.Layout(r.b.Size())
	r.b.track.Refresh()
	r.b.done.Refresh()
}

// groupFileStatus is what a file shared in a group says where it differs
// from one between contacts (ok false: the same).
func groupFileStatus(f FileInfo) (string, widget.Importance, bool) {
	switch {
	case f.Outgoing && (f.State == FileOffered || f.State == FileComplete || f.State == FileTransferring):
		return i18n.T("filecard.shared_with_group"), widget.LowImportance, true
	case !f.Outgoing && f.State == FileOffered && f.Contact == "":
		return i18n.T("filecard.member_shared_in_group"), widget.MediumImportance, true
	case !f.Outgoing && f.State == FileOffered:
		return i18n.T("filecard.shared_in_group_by", "Name", f.Contact), widget.MediumImportance, true
	case !f.Outgoing && f.State == FilePaused && f.Problem == "":
		return i18n.T("filecard.paused_group"), widget.WarningImportance, true
	case !f.Outgoing && f.State == FileUnavailable:
		return i18n.T("filecard.no_member_has_it"), widget.LowImportance, true
	}
	return "", widget.LowImportance, false
}
