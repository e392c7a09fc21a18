package transfer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// recordVersion is the layout of a stored transfer record. A new layout
// gets a new number, and decodeRecord keeps reading the old ones: layout
// 2 is layout 1 with a flag for a group file, which is followed by its
// file key (docs/files.md §8).
const recordVersion = 2

// Pending records a FileStop or FileDone that waits to be written to the
// contact.
const (
	pendNone = 0
	pendStop = 1
	pendDone = 2
)

// errCorrupt is wrapped by every error decoding a stored record.
var errCorrupt = errors.New("transfer record is damaged")

// maxHashState bounds a stored SHA-256 state (Go's is 108 bytes).
const maxHashState = 256

// record is one transfer as stored under its conversation and message ID.
type record struct {
	Outgoing  bool
	ByContact bool
	State     model.FileState
	// Key names the transfer's chunk and leaf keys: random, so those keys
	// say nothing of the conversation.
	Key       [16]byte
	Name      string
	MediaType string
	Size      uint64
	ChunkSize uint32
	SHA256    [32]byte
	Root      [32]byte
	// Have is how many chunks are stored: all of them on the sender's
	// side, a prefix on the receiver's.
	Have uint32
	// HashState is the receiver's SHA-256 state after Have chunks.
	HashState []byte
	Pending   uint8
	Reason    protocol.StopReason
	Limit     uint64
	// Sent is the file message's time (the sender's clock), in
	// milliseconds.
	Sent time.Time
	// Group marks a file shared in a group; FileKey is its file key,
	// which proves membership when it is fetched.
	Group   bool
	FileKey [32]byte
}

// chunks is the number of chunks of the file.
func (r *record) chunks() uint32 {
	return uint32((r.Size + uint64(r.ChunkSize) - 1) / uint64(r.ChunkSize))
}

// chunkLen is the length chunk i must have.
func (r *record) chunkLen(i uint32) int {
	if i+1 < r.chunks() {
		return int(r.ChunkSize)
	}
	return int(r.Size - uint64(i)*uint64(r.ChunkSize))
}

// done is how many bytes of the file are stored (receiver).
func (r *record) done() int64 {
	return int64(min(r.Size, uint64(r.Have)*uint64(r.ChunkSize)))
}

func encodeRecord(r *record) []byte {
	b := []byte{recordVersion}
	var flags byte
	if r.Outgoing {
		flags |= 1
	}
	if r.ByContact {
		flags |= 2
	}
	if r.Group {
		flags |= 4
	}
	b = append(b, flags, byte(r.State))
	b = append(b, r.Key[:]...)
	b = appendString(b, r.Name)
	b = appendString(b, r.MediaType)
	b = binary.AppendUvarint(b, r.Size)
	b = binary.AppendUvarint(b, uint64(r.ChunkSize))
	b = append(b, r.SHA256[:]...)
	b = append(b, r.Root[:]...)
	b = binary.AppendUvarint(b, uint64(r.Have))
	b = appendString(b, string(r.HashState))
	b = append(b, r.Pending, byte(r.Reason))
	b = binary.AppendUvarint(b, r.Limit)
	b = binary.AppendUvarint(b, uint64(max(0, r.Sent.UnixMilli())))
	if r.Group {
		b = append(b, r.FileKey[:]...)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// decoder reads a stored record; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errCorrupt, what)
	}
}

func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.fail(what)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte(what string) byte {
	if v := d.take(1, what); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) uvarint(what string, max uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	// One encoding per value: the shortest.
	if n <= 0 || v > max || n != len(binary.AppendUvarint(nil, v)) {
		d.fail(what)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string(what string, max int) string {
	n := d.uvarint(what, uint64(max))
	return string(d.take(int(n), what))
}

func decodeRecord(b []byte) (*record, error) {
	d := &decoder{b: b}
	v := d.byte("version")
	if d.err == nil && v != 1 && v != recordVersion {
		return nil, fmt.Errorf("%w: version %d", errCorrupt, v)
	}
	r := &record{}
	flags := d.byte("flags")
	r.Outgoing, r.ByContact, r.Group = flags&1 != 0, flags&2 != 0, flags&4 != 0
	if known := byte(7); v == 1 && flags&^3 != 0 || flags&^known != 0 {
		d.fail("flags")
	}
	r.State = model.FileState(d.byte("state"))
	if d.err == nil && (r.State < model.FileOffered || r.State > model.FileUnavailable) {
		d.fail("state")
	}
	copy(r.Key[:], d.take(16, "key"))
	r.Name = d.string("name", protocol.MaxFileNameSize)
	r.MediaType = d.string("type", protocol.MaxMediaType)
	r.Size = d.uvarint("size", protocol.MaxFileSize)
	r.ChunkSize = uint32(d.uvarint("chunk size", protocol.MaxChunkSize))
	if d.err == nil && (r.Size == 0 || r.ChunkSize < protocol.MinChunkSize) {
		d.fail("size")
	}
	copy(r.SHA256[:], d.take(32, "sha256"))
	copy(r.Root[:], d.take(32, "root"))
	r.Have = uint32(d.uvarint("have", 1<<32-1))
	if d.err == nil && r.Have > r.chunks() {
		d.fail("have")
	}
	if hs := d.string("hash state", maxHashState); hs != "" {
		r.HashState = []byte(hs)
	}
	r.Pending = d.byte("pending")
	r.Reason = protocol.StopReason(d.byte("reason"))
	r.Limit = d.uvarint("limit", 1<<63-1)
	r.Sent = time.UnixMilli(int64(d.uvarint("sent", 1<<62))).UTC()
	if d.err == nil && (r.Pending > pendDone || r.Reason > protocol.StopUnavailable) {
		d.fail("pending")
	}
	if r.Group {
		copy(r.FileKey[:], d.take(32, "file key"))
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}
