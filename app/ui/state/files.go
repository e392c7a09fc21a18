package state

import (
	"image"
	"slices"
	"strings"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// File is a file transfer as the screens show it: the engine's
// FileTransfer, the speed worked out from its progress, its thumbnail
// once read, and where it was saved on this computer.
type File struct {
	model.FileTransfer
	// Speed is bytes per second lately, smoothed; 0 while not known.
	Speed float64
	// Thumb is a picture's thumbnail as the engine decoded it, or nil.
	Thumb image.Image
	// Saved is the path the person saved it to in this session.
	Saved string

	at         time.Time // when Done was last seen grow
	thumbAsked bool
}

// IsPicture reports whether the file is a picture the engine can show a
// thumbnail of: its type is an image's, and its bytes are here (sent, or
// received whole).
func (f File) IsPicture() bool {
	return strings.HasPrefix(f.MediaType, "image/") && (f.Outgoing && f.State != model.FileUnavailable || f.State == model.FileComplete)
}

// speedWeight is how much a new sample counts in the smoothed speed.
const speedWeight = 0.3

// SetClock sets the clock progress is timed with (tests; nil: time.Now).
func (m *Model) SetClock(now func() time.Time) { m.now = now }

func (m *Model) clock() time.Time {
	if m.now != nil {
		return m.now()
	}
	return time.Now()
}

// File returns what is known of the transfer of file message id.
func (m *Model) File(conv model.ConversationID, id model.MessageID) (File, bool) {
	f, ok := m.files[conv][id]
	if !ok {
		return File{}, false
	}
	return *f, true
}

// Files returns the transfers of a conversation known so far, newest
// first.
func (m *Model) Files(conv model.ConversationID) []File {
	var out []File
	for _, f := range m.files[conv] {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b File) int {
		if c := b.Sent.Compare(a.Sent); c != 0 {
			return c
		}
		return strings.Compare(b.ID.String(), a.ID.String())
	})
	return out
}

// NeedFile reports whether the transfer of file message id is to be read
// from the engine: it is not known and was not asked for. It counts as
// asked from then on.
func (m *Model) NeedFile(conv model.ConversationID, id model.MessageID) bool {
	k := fileKey{conv, id}
	if _, ok := m.files[conv][id]; ok || m.fileAsked[k] {
		return false
	}
	m.fileAsked[k] = true
	return true
}

// NeedThumb reports whether a picture's thumbnail is to be read: the
// picture is here, and it was not asked for. It counts as asked from then
// on.
func (m *Model) NeedThumb(conv model.ConversationID, id model.MessageID) bool {
	f, ok := m.files[conv][id]
	if !ok || f.Thumb != nil || f.thumbAsked || !f.IsPicture() {
		return false
	}
	f.thumbAsked = true
	return true
}

// SetFile takes a transfer read in the background. What the events
// reported meanwhile is newer and is kept.
func (m *Model) SetFile(ft model.FileTransfer) Change {
	if _, ok := m.files[ft.Conversation][ft.ID]; ok || !m.unlocked {
		return Change{}
	}
	m.putFile(&File{FileTransfer: ft})
	return m.fileChange(ft.Conversation, ft.ID)
}

// SetFiles takes the transfers of a conversation read in the background
// (the Files list), keeping those the events reported.
func (m *Model) SetFiles(conv model.ConversationID, fts []model.FileTransfer) Change {
	var c Change
	for _, ft := range fts {
		if ft.Conversation == conv {
			c.Merge(m.SetFile(ft))
		}
	}
	if !slices.Contains(c.Files, conv) {
		c.Files = append(c.Files, conv)
	}
	return c
}

// SetThumb takes a picture's thumbnail; img nil (it could not be
// decoded) leaves the file's icon.
func (m *Model) SetThumb(conv model.ConversationID, id model.MessageID, img image.Image) Change {
	f, ok := m.files[conv][id]
	if !ok || img == nil {
		return Change{}
	}
	f.Thumb = img
	return m.fileChange(conv, id)
}

// SetSaved records where the person saved a file.
func (m *Model) SetSaved(conv model.ConversationID, id model.MessageID, path string) Change {
	f, ok := m.files[conv][id]
	if !ok {
		return Change{}
	}
	f.Saved = path
	return m.fileChange(conv, id)
}

func (m *Model) putFile(f *File) {
	conv := f.Conversation
	if m.files[conv] == nil {
		m.files[conv] = map[model.MessageID]*File{}
	}
	m.files[conv][f.ID] = f
}

// fileChanged applies a FileChanged: the new state, and the speed from
// how much more is done since the last report. A transfer that ended
// does not go back to an earlier state.
func (m *Model) fileChanged(ft model.FileTransfer) Change {
	now := m.clock()
	old, ok := m.files[ft.Conversation][ft.ID]
	if ok && old.State.Final() && !ft.State.Final() {
		return Change{} // an older report, read before the end
	}
	f := &File{FileTransfer: ft, at: now}
	if ok {
		f.Thumb, f.thumbAsked, f.Saved = old.Thumb, old.thumbAsked, old.Saved
		f.Speed, f.at = old.Speed, old.at
		if ft.State == model.FileTransferring && ft.Done > old.Done && old.State == model.FileTransferring {
			if dt := now.Sub(old.at).Seconds(); dt > 0 {
				v := float64(ft.Done-old.Done) / dt
				if f.Speed == 0 {
					f.Speed = v
				} else {
					f.Speed = speedWeight*v + (1-speedWeight)*f.Speed
				}
			}
			f.at = now
		} else if ft.Done != old.Done || ft.State != old.State {
			f.at = now
		}
		if ft.State != model.FileTransferring {
			f.Speed = 0
		}
		if ft.State == model.FileComplete && old.State != model.FileComplete {
			f.thumbAsked = false // a received picture shows now
		}
	}
	m.putFile(f)
	return m.fileChange(ft.Conversation, ft.ID)
}

// fileChange is the Change of a file's new state: its bubble, when it is
// in the open conversation's window, and the conversation's Files list.
func (m *Model) fileChange(conv model.ConversationID, id model.MessageID) Change {
	c := Change{Files: []model.ConversationID{conv}}
	if o := m.open; o != nil && o.ID == conv {
		if _, ok := o.Index(id); ok {
			c.Updated = []model.MessageID{id}
		}
	}
	return c
}

type fileKey struct {
	conv model.ConversationID
	id   model.MessageID
}
