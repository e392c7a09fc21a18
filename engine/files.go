package engine

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nookchat/nook/engine/files"
	"github.com/nookchat/nook/engine/files/transfer"
	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/peer"
	"github.com/nookchat/nook/engine/protocol"
)

// SendFileOptions are the choices of one SendFile.
type SendFileOptions struct {
	// KeepMetadata sends a picture as it is. By default a JPEG or PNG is
	// encoded again from its pixels, without EXIF (GPS position, camera
	// serial numbers), XMP, comments or text chunks, and a GIF or WebP is
	// sent as a PNG of its first frame, for the same reason
	// (docs/files.md §7).
	KeepMetadata bool
}

// Errors of the file methods shown to people.
var (
	// ErrNotAFile is returned by SendFile for a folder or a device.
	ErrNotAFile = errors.New("only ordinary files can be sent")
)

// filesPeer adapts a transfer.Transfers to peer.Files.
type filesPeer struct{ *transfer.Transfers }

func (f filesPeer) Session(conv model.ConversationID, send func(protocol.Record) error) peer.FileSession {
	return f.Transfers.Session(conv, send)
}

// fileLimit is the profile's size limit for received files, in bytes.
func (op *openProfile) fileLimit() int64 {
	if mib := op.settings().FileLimitMiB; mib > 0 {
		return int64(mib) << 20
	}
	return transfer.DefaultMaxSize
}

// autoAccept accepts a picture up to the size set in the settings from a
// verified contact, or from any member of a group the profile is in.
func (op *openProfile) autoAccept(conv model.ConversationID, o *protocol.FileOffer) bool {
	kib := op.settings().AutoAcceptPicturesKiB
	if kib <= 0 || o.Size > uint64(kib)<<10 || !strings.HasPrefix(o.MediaType, "image/") {
		return false
	}
	if _, ok := group.ParseConversation(conv); ok {
		return true
	}
	c, err := op.st.GetContact(string(conv))
	return err == nil && c.State == model.ContactAccepted && c.Verified
}

// fileConv returns the conversation ID under which the files of conv
// are kept: a group's as group.ID.Conversation writes it (lower-case
// hex), whatever case the caller gave, since the files of a group are
// keyed, swept (transfer.SweepGroups) and served by that text; any
// other conversation as given.
func fileConv(conv model.ConversationID) model.ConversationID {
	if gid, ok := group.ParseConversation(conv); ok {
		return gid.Conversation()
	}
	return conv
}

// SendFile offers the file at path in a conversation: it is copied into
// the profile (a picture stripped of its metadata unless
// opts.KeepMetadata), and its message is queued like a text. A contact
// sees its name, size and type and accepts or declines it; the transfer
// then resumes across disconnections and restarts of either side. In a
// group the file is announced to the members, who fetch it from the
// profile's file service in the group, or from any member who has it
// (docs/files.md §8).
func (e *Engine) SendFile(conv model.ConversationID, path string, opts SendFileOptions) (model.Message, error) {
	op, err := e.current()
	if err != nil {
		return model.Message{}, err
	}
	conv = fileConv(conv)
	gid, isGroup := group.ParseConversation(conv)
	var addr identity.Address
	if !isGroup {
		if addr, err = contactOf(conv); err != nil {
			return model.Message{}, err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return model.Message{}, fmt.Errorf("the file cannot be read: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return model.Message{}, fmt.Errorf("the file cannot be read: %w", err)
	}
	if !st.Mode().IsRegular() {
		return model.Message{}, ErrNotAFile
	}
	name := files.SafeName(filepath.Base(path))
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return model.Message{}, err
	}
	var src io.Reader = f
	size := st.Size()
	mediaType := files.MediaType(head)
	if !opts.KeepMetadata && files.IsPicture(head) {
		if size > files.MaxPictureBytes {
			return model.Message{}, fmt.Errorf("this picture is too large to remove its hidden information (location, camera); send it with its metadata kept, or make it smaller")
		}
		b, err := io.ReadAll(io.LimitReader(f, files.MaxPictureBytes+1))
		if err != nil {
			return model.Message{}, err
		}
		clean, typ, err := files.StripMetadata(b)
		if err != nil {
			return model.Message{}, fmt.Errorf("the picture's hidden information (location, camera) cannot be removed: %w", err)
		}
		if typ != mediaType { // a GIF or WebP sent as a PNG
			name = strings.TrimSuffix(name, filepath.Ext(name)) + ".png"
		}
		src, size, mediaType = bytes.NewReader(clean), int64(len(clean)), typ
	}
	if isGroup {
		return op.gfiles.send(gid, conv, src, size, name, mediaType)
	}
	id := model.NewMessageID()
	if _, err := op.files.Import(conv, id, e.cfg.Now(), src, size, name, mediaType); err != nil {
		return model.Message{}, err
	}
	msg, err := op.peers.SendFile(addr, id, name)
	if err != nil {
		op.files.Forget(conv, id)
		return model.Message{}, err
	}
	return msg, nil
}

// File returns the transfer of a file message.
func (e *Engine) File(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	conv = fileConv(conv)
	op, err := e.current()
	if err != nil {
		return model.FileTransfer{}, err
	}
	return op.files.File(conv, id)
}

// Files returns the files sent and received in a conversation.
func (e *Engine) Files(conv model.ConversationID) ([]model.FileTransfer, error) {
	conv = fileConv(conv)
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	return op.files.Files(conv)
}

// AcceptFile accepts an offered file; it arrives while the contact is
// online, resuming where it stopped.
func (e *Engine) AcceptFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	conv = fileConv(conv)
	op, err := e.current()
	if err != nil {
		return model.FileTransfer{}, err
	}
	return op.files.Accept(conv, id)
}

// DeclineFile declines an offered file; the contact is told.
func (e *Engine) DeclineFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	conv = fileConv(conv)
	op, err := e.current()
	if err != nil {
		return model.FileTransfer{}, err
	}
	return op.files.Decline(conv, id)
}

// CancelFile stops a transfer, sent or received; the contact is told. What
// was received of it is deleted.
func (e *Engine) CancelFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	conv = fileConv(conv)
	op, err := e.current()
	if err != nil {
		return model.FileTransfer{}, err
	}
	return op.files.Cancel(conv, id)
}

// SaveFile writes a received (complete and verified) or sent file into
// the folder dir under a safe version of its name, never replacing a file
// there (" (2)" and so on are added), and returns the path written. The
// bytes go to a temporary file in dir first, so that the final name never
// holds half a file.
func (e *Engine) SaveFile(conv model.ConversationID, id model.MessageID, dir string) (string, error) {
	conv = fileConv(conv)
	op, err := e.current()
	if err != nil {
		return "", err
	}
	ft, err := op.files.File(conv, id)
	if err != nil {
		return "", err
	}
	if !ft.Outgoing && ft.State != model.FileComplete {
		return "", transfer.ErrNotReady
	}
	tmp, err := os.CreateTemp(dir, ".nook-save-*")
	if err != nil {
		return "", fmt.Errorf("the file cannot be saved there: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = op.files.WriteTo(conv, id, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("the file could not be saved: %w", err)
	}
	name := files.SafeName(ft.Name)
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 1; i < 1000; i++ {
		target := filepath.Join(dir, name)
		if i > 1 {
			target = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", base, i, ext))
		}
		// A hard link never replaces an existing file; where links are
		// not possible (FAT), rename after checking the name is free.
		err := os.Link(tmp.Name(), target)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			if _, serr := os.Lstat(target); serr == nil {
				continue
			}
			err = os.Rename(tmp.Name(), target)
		}
		if err != nil {
			return "", fmt.Errorf("the file could not be saved: %w", err)
		}
		return target, nil
	}
	return "", errors.New("the file could not be saved: too many files of that name")
}

// FileThumbnail returns a small picture of a picture file (received
// complete, or sent), decoded with the allow-listed, size-capped decoder;
// nothing is written to disk.
func (e *Engine) FileThumbnail(conv model.ConversationID, id model.MessageID) (*image.RGBA, error) {
	conv = fileConv(conv)
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	ft, err := op.files.File(conv, id)
	if err != nil {
		return nil, err
	}
	if ft.Size > files.MaxPictureBytes {
		return nil, files.ErrPictureTooLarge
	}
	var buf bytes.Buffer
	if _, err := op.files.WriteTo(conv, id, &buf); err != nil {
		return nil, err
	}
	return files.Thumbnail(buf.Bytes())
}

// sweepFiles removes the transfers whose message is gone (expired,
// deleted with its conversation).
func (op *openProfile) sweepFiles() error {
	return op.files.Sweep(func(conv model.ConversationID, id model.MessageID) bool {
		ok, err := op.st.HasMessage(conv, id)
		return ok || err != nil
	})
}
