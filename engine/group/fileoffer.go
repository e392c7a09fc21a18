package group

import (
	"encoding/binary"
	"fmt"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/protocol"
)

// Roles of a KindFileOffer body (docs/files.md §8).
const (
	// FileRoleOffer is the author's announcement of a file: its fields,
	// its key and where the author serves it.
	FileRoleOffer = 1
	// FileRoleHolder is a member's note that it holds a file announced
	// before, verified, and serves it.
	FileRoleHolder = 2
)

const fileOfferLayout = 1

// FileOffer is the body of a KindFileOffer message: a file shared in the
// group (FileRoleOffer), or a member's note that it holds one
// (FileRoleHolder: only Offer and Source are set).
type FileOffer struct {
	Role uint8
	// Offer is, in a holder note, the group message ID of the offer.
	Offer MessageID
	// Size, ChunkSize, SHA256, Root, MediaType and Name follow the rules
	// of a one-to-one FileOffer (protocol.CheckFileFields).
	Size      uint64
	ChunkSize uint32
	SHA256    [32]byte
	Root      [32]byte
	MediaType string
	Name      string
	// Key is the file key: fetching the file proves it (an HMAC over
	// the fetch session's channel binding).
	Key [32]byte
	// Source is the onion address of the author's file service in this
	// group, where it serves the file.
	Source identity.Address
}

// Encode returns the body of a KindFileOffer message holding f.
func (f *FileOffer) Encode() ([]byte, error) {
	if f.Source == "" {
		return nil, fmt.Errorf("%w: a file announcement without its source", ErrInvalid)
	}
	src := f.Source.PublicKey()
	if !validPublicKey(src) {
		return nil, fmt.Errorf("%w: the source is not a valid onion address", ErrInvalid)
	}
	b := []byte{fileOfferLayout, f.Role}
	switch f.Role {
	case FileRoleOffer:
		if err := protocol.CheckFileFields(f.Size, f.ChunkSize, f.MediaType, f.Name); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		b = binary.BigEndian.AppendUint64(b, f.Size)
		b = binary.BigEndian.AppendUint32(b, f.ChunkSize)
		b = append(b, f.SHA256[:]...)
		b = append(b, f.Root[:]...)
		b = append(b, f.Key[:]...)
		b = append(b, src...)
		b = append(b, byte(len(f.MediaType)))
		b = append(b, f.MediaType...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.Name)))
		b = append(b, f.Name...)
	case FileRoleHolder:
		if f.Offer.IsZero() {
			return nil, fmt.Errorf("%w: a holder note without its offer", ErrInvalid)
		}
		b = append(b, f.Offer[:]...)
		b = append(b, src...)
	default:
		return nil, fmt.Errorf("%w: file announcement of role %d", ErrInvalid, f.Role)
	}
	return b, nil
}

// ParseFileOffer parses the body of a KindFileOffer message. Errors wrap
// ErrMalformed.
func ParseFileOffer(body []byte) (*FileOffer, error) {
	r := reader{b: body}
	if v := r.u8(); !r.short && v != fileOfferLayout {
		return nil, fmt.Errorf("%w: file announcement of layout %d", ErrMalformed, v)
	}
	f := &FileOffer{Role: r.u8()}
	var src []byte
	switch f.Role {
	case FileRoleOffer:
		f.Size = r.u64()
		if b := r.take(4); b != nil {
			f.ChunkSize = binary.BigEndian.Uint32(b)
		}
		copy(f.SHA256[:], r.take(32))
		copy(f.Root[:], r.take(32))
		copy(f.Key[:], r.take(32))
		src = r.take(32)
		f.MediaType = string(r.take(int(r.u8())))
		f.Name = string(r.take(int(r.u16())))
	case FileRoleHolder:
		copy(f.Offer[:], r.take(32))
		src = r.take(32)
	default:
		if !r.short {
			return nil, fmt.Errorf("%w: file announcement of role %d", ErrMalformed, f.Role)
		}
	}
	switch {
	case r.short:
		return nil, fmt.Errorf("%w: file announcement truncated", ErrMalformed)
	case r.off != len(body):
		return nil, fmt.Errorf("%w: file announcement with trailing bytes", ErrMalformed)
	case !validPublicKey(src):
		return nil, fmt.Errorf("%w: file source is not a valid public key", ErrMalformed)
	case f.Role == FileRoleHolder && f.Offer.IsZero():
		return nil, fmt.Errorf("%w: holder note without its offer", ErrMalformed)
	}
	if f.Role == FileRoleOffer {
		if err := protocol.CheckFileFields(f.Size, f.ChunkSize, f.MediaType, f.Name); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
	}
	f.Source = identity.AddressFromPublicKey(src)
	return f, nil
}
