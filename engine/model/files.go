package model

import "time"

// FileState is where a file transfer stands (docs/files.md).
type FileState uint8

// File states. The last five are final.
const (
	// FileOffered: sent or received, not yet accepted.
	FileOffered FileState = iota + 1
	// FileTransferring: accepted, chunks are moving (or wait for the
	// contact to come back).
	FileTransferring
	// FileComplete: the receiver has the whole file and it matched its
	// SHA-256; on the sender's side, the receiver said so.
	FileComplete
	// FileDeclined: the receiver declined it.
	FileDeclined
	// FileTooLarge: over the receiver's size limit (FileTransfer.Limit).
	FileTooLarge
	// FileCancelled: one side cancelled it (FileTransfer.ByContact says
	// which).
	FileCancelled
	// FileFailed: the data did not match what was offered; nothing of it
	// is kept.
	FileFailed
	// FileUnavailable: the sender no longer has the file.
	FileUnavailable
)

func (s FileState) String() string {
	switch s {
	case FileOffered:
		return "offered"
	case FileTransferring:
		return "transferring"
	case FileComplete:
		return "complete"
	case FileDeclined:
		return "declined"
	case FileTooLarge:
		return "too large"
	case FileCancelled:
		return "cancelled"
	case FileFailed:
		return "failed"
	case FileUnavailable:
		return "unavailable"
	}
	return "unknown"
}

// Final reports whether nothing more will happen to the transfer.
func (s FileState) Final() bool { return s >= FileComplete }

// FileTransfer is a file sent or received in a one-to-one conversation:
// the message of kind KindFile with the same conversation and ID carries
// it in the history.
type FileTransfer struct {
	Conversation ConversationID
	ID           MessageID
	Outgoing     bool
	// Name is the name the sender gave it (a base name; saving cleans it
	// again); MediaType a hint such as "image/jpeg".
	Name      string
	MediaType string
	Size      int64
	SHA256    [32]byte
	State     FileState
	// Done is how many bytes are stored (receiver) or were sent
	// (sender, in this session; Size once complete).
	Done int64
	// ByContact: the contact, not this profile, declined, cancelled or
	// refused it.
	ByContact bool
	// Limit is the receiver's size limit, for FileTooLarge.
	Limit int64
	// Sent is when the file was offered (the sender's clock).
	Sent time.Time
	// Problem, when set, is a plain sentence saying why the transfer is
	// paused or failed ("Not enough disk space…").
	Problem string
}

// FileChanged reports a transfer's new state or progress. Progress is
// reported at most a few times a second per transfer.
type FileChanged struct{ File FileTransfer }

func (FileChanged) isEvent() {}

// The engine's FileTransfer.Problem sentences, in English; app/ui shows
// each in the person's language by matching them (one a later version
// adds is shown as it is).
const (
	ProblemDiskFull = "Not enough disk space. Free some space, then accept the file again to continue."
	ProblemMismatch = "The file did not match what was offered, so nothing of it was kept."
)
