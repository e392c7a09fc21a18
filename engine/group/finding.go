package group

import (
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/identity"
)

// FindingKind names what a Timeline noticed about the server's stream.
type FindingKind uint8

// Kinds of finding (docs/groups.md, "The timeline").
const (
	// FindingGap: an author's sequence number skipped Missing numbers (or
	// the first message seen from the author has Seq > 1): the server
	// dropped messages, or no longer keeps them.
	FindingGap FindingKind = iota + 1
	// FindingUnknownRef: a message refers (Prev) to a message not seen
	// before it: one dropped, or held back (then FindingLate follows).
	FindingUnknownRef
	// FindingLate: a message arrived after one that referred to it: the
	// server reordered messages.
	FindingLate
	// FindingReordered: an author's sequence number went backwards with a
	// message not seen before: the server reordered or held back messages.
	FindingReordered
	// FindingEquivocation: two different messages with one author and one
	// sequence number: the author's client signed two versions.
	FindingEquivocation
	// FindingInjected: a blob with the group's tag failed to open (AEAD,
	// layout or signature): forged or modified.
	FindingInjected
	// FindingUnreadable: a message in a newer layout version than this
	// client reads.
	FindingUnreadable
)

func (k FindingKind) String() string {
	switch k {
	case FindingGap:
		return "gap"
	case FindingUnknownRef:
		return "unknown reference"
	case FindingLate:
		return "late"
	case FindingReordered:
		return "reordered"
	case FindingEquivocation:
		return "equivocation"
	case FindingInjected:
		return "injected"
	case FindingUnreadable:
		return "unreadable"
	}
	return fmt.Sprintf("FindingKind(%d)", uint8(k))
}

// Finding is one thing a Timeline noticed. It holds no message text and no
// keys.
type Finding struct {
	Kind FindingKind
	// Author is the author of the message observed (empty for
	// FindingInjected and FindingUnreadable).
	Author identity.Address
	// Message is the message observed (zero for FindingInjected and
	// FindingUnreadable).
	Message MessageID
	// Ref is, for FindingUnknownRef, the message referred to; for
	// FindingLate, the message that referred to this one earlier.
	Ref MessageID
	// Seq is the observed message's sequence number; Last the author's
	// highest sequence number seen before it.
	Seq, Last uint64
	// Missing is the number of skipped sequence numbers (FindingGap).
	Missing uint64
	// Start is set when the finding concerns the start of what this client
	// has seen of the author: after joining a group, history the server no
	// longer keeps looks like this, so it is a weaker sign.
	Start bool
	// Err is, for FindingInjected, the check that failed (wraps
	// ErrTampered, ErrMalformed or ErrBadSignature).
	Err error
}

// String describes the finding for people, without message text, keys or
// addresses.
func (f Finding) String() string {
	switch f.Kind {
	case FindingGap:
		if f.Start {
			return fmt.Sprintf("%d earlier messages of a member are missing (dropped by the server or no longer kept)", f.Missing)
		}
		return fmt.Sprintf("the server dropped %d messages of a member (sequence %d to %d)", f.Missing, f.Last+1, f.Seq-1)
	case FindingUnknownRef:
		if f.Start {
			return "a member refers to a message this client never received (perhaps from before it joined)"
		}
		return "a member refers to a message the server did not deliver before it"
	case FindingLate:
		return "the server delivered a message after one that replied to it (reordered)"
	case FindingReordered:
		return fmt.Sprintf("the server delivered a member's message %d after message %d (reordered)", f.Seq, f.Last)
	case FindingEquivocation:
		return fmt.Sprintf("a member signed two different messages numbered %d", f.Seq)
	case FindingInjected:
		switch {
		case errors.Is(f.Err, ErrBadSignature):
			return "a message with a forged signature was rejected"
		case errors.Is(f.Err, ErrMalformed):
			return "a malformed message was rejected"
		}
		return "a modified or forged message was rejected"
	case FindingUnreadable:
		return "a message in a newer format could not be read; update Nook"
	}
	return f.Kind.String()
}
