package protocol

import (
	"errors"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// Limits of the file records (docs/files.md).
const (
	MaxFileSize      = 1 << 40   // FileOffer size, bytes
	MinChunkSize     = 1 << 10   // FileOffer chunk size, bytes
	MaxChunkSize     = 192 << 10 // FileOffer chunk size and FileChunk data, bytes
	MaxMediaType     = 64        // FileOffer media type, bytes
	MaxRequestChunks = 64        // chunks one FileRequest asks for
	MaxProofDepth    = 32        // hashes in a FileChunk's audit path
)

// FileOffer offers a file: a message of the conversation, stored,
// acknowledged (Ack) and deleted like a Text. Only layout 2 is read;
// layout 1 (id, size, sha256, name) was never sent and decodes as an
// Unknown.
type FileOffer struct {
	ID model.MessageID
	// Sent is the author's clock (millisecond precision, UTC).
	Sent time.Time
	// Disappear is the message's disappearing timer, as in Text.
	Disappear time.Duration
	// Size is the file's length, 1 to MaxFileSize bytes.
	Size uint64
	// ChunkSize is the length of every chunk but the last: a multiple of
	// 1024 from MinChunkSize to MaxChunkSize.
	ChunkSize uint32
	// SHA256 is the hash of the whole file; Root the root of its chunk
	// tree (docs/files.md §3).
	SHA256, Root [32]byte
	// MediaType is a hint for display: at most MaxMediaType bytes of
	// [a-z0-9.+-/], may be empty.
	MediaType string
	// Name is a base name: no path separators or control characters.
	Name string
}

// Type returns TypeFileOffer.
func (*FileOffer) Type() Type { return TypeFileOffer }

func (r *FileOffer) layout() uint8 { return 2 }

func (r *FileOffer) encode(e *encoder) {
	e.id(r.ID)
	e.u64(uint64(r.Sent.UnixMilli()))
	e.check("disappear", checkDisappear(r.Disappear))
	e.u32(uint32(r.Disappear / time.Second))
	e.check("size", checkFileSize(r.Size))
	e.u64(r.Size)
	e.check("chunk_size", checkChunkSize(r.ChunkSize))
	e.u32(r.ChunkSize)
	e.raw(r.SHA256[:])
	e.raw(r.Root[:])
	e.check("type", checkMediaType(r.MediaType))
	e.lenBytes("type", 1, MaxMediaType, []byte(r.MediaType))
	e.check("name", checkFileName(r.Name))
	e.lenBytes("name", 2, MaxFileNameSize, []byte(r.Name))
}

func decodeFileOfferV2(d *decoder) Record {
	r := &FileOffer{ID: d.id("id")}
	r.Sent = time.UnixMilli(int64(d.u64("sent"))).UTC()
	r.Disappear = time.Duration(d.u32("disappear")) * time.Second
	d.check("disappear", checkDisappear(r.Disappear))
	r.Size = d.u64("size")
	d.check("size", checkFileSize(r.Size))
	r.ChunkSize = d.u32("chunk_size")
	d.check("chunk_size", checkChunkSize(r.ChunkSize))
	copy(r.SHA256[:], d.take("sha256", 32))
	copy(r.Root[:], d.take("root", 32))
	r.MediaType = string(d.lenBytes("type", 1, MaxMediaType))
	d.check("type", checkMediaType(r.MediaType))
	r.Name = string(d.lenBytes("name", 2, MaxFileNameSize))
	d.check("name", checkFileName(r.Name))
	return r
}

// Chunks returns the number of chunks of the offered file.
func (r *FileOffer) Chunks() uint64 {
	if r.ChunkSize == 0 {
		return 0
	}
	return (r.Size + uint64(r.ChunkSize) - 1) / uint64(r.ChunkSize)
}

// FileRequest asks the sender of an offered file for chunks First to
// First+Count-1; the first request also accepts the offer.
type FileRequest struct {
	ID    model.MessageID
	First uint32
	Count uint16 // 1 to MaxRequestChunks
}

// Type returns TypeFileRequest.
func (*FileRequest) Type() Type { return TypeFileRequest }

func (r *FileRequest) encode(e *encoder) {
	e.id(r.ID)
	e.u32(r.First)
	if r.Count == 0 || r.Count > MaxRequestChunks {
		e.fail("count", fmt.Errorf("must be 1 to %d", MaxRequestChunks))
	}
	e.u16(r.Count)
}

func decodeFileRequest(d *decoder) Record {
	r := &FileRequest{ID: d.id("id"), First: d.u32("first"), Count: d.u16("count")}
	if d.err == nil && (r.Count == 0 || r.Count > MaxRequestChunks) {
		d.fail("count", "%d, must be 1 to %d", r.Count, MaxRequestChunks)
	}
	return r
}

// FileChunk carries one chunk of a file with its audit path in the
// file's chunk tree, from the leaf up.
type FileChunk struct {
	ID    model.MessageID
	Index uint32
	Proof [][32]byte // at most MaxProofDepth hashes
	Data  []byte     // 1 to MaxChunkSize bytes
}

// Type returns TypeFileChunk.
func (*FileChunk) Type() Type { return TypeFileChunk }

func (r *FileChunk) encode(e *encoder) {
	e.id(r.ID)
	e.u32(r.Index)
	if len(r.Proof) > MaxProofDepth {
		e.fail("proof", fmt.Errorf("more than %d hashes", MaxProofDepth))
		return
	}
	e.u8(uint8(len(r.Proof)))
	for _, h := range r.Proof {
		e.raw(h[:])
	}
	if len(r.Data) == 0 {
		e.fail("data", errors.New("empty"))
		return
	}
	e.lenBytes("data", 4, MaxChunkSize, r.Data)
}

func decodeFileChunk(d *decoder) Record {
	r := &FileChunk{ID: d.id("id"), Index: d.u32("index")}
	n := int(d.u8("depth"))
	if d.err == nil && n > MaxProofDepth {
		d.fail("depth", "%d hashes, at most %d", n, MaxProofDepth)
	}
	if d.err != nil {
		return nil
	}
	if n > 0 {
		r.Proof = make([][32]byte, n)
		for i := range r.Proof {
			copy(r.Proof[i][:], d.take("proof", 32))
		}
	}
	r.Data = d.lenBytes("data", 4, MaxChunkSize)
	if d.err == nil && len(r.Data) == 0 {
		d.fail("data", "empty")
	}
	return r
}

// StopReason says why a transfer stopped.
type StopReason uint8

// Stop reasons (docs/files.md §4).
const (
	StopDeclined    StopReason = 1 // the receiver declined the offer
	StopTooLarge    StopReason = 2 // over the receiver's size limit (Limit)
	StopCancelled   StopReason = 3 // either side cancelled
	StopFailed      StopReason = 4 // the receiver found the data not matching the offer
	StopUnavailable StopReason = 5 // the sender no longer has the file
)

// FileStop ends a transfer, from either side.
type FileStop struct {
	ID     model.MessageID
	Reason StopReason // 1 to 5
	// Limit is the receiver's size limit for StopTooLarge, else zero.
	Limit uint64
}

// Type returns TypeFileStop.
func (*FileStop) Type() Type { return TypeFileStop }

func (r *FileStop) encode(e *encoder) {
	e.id(r.ID)
	e.check("reason", checkStop(r.Reason, r.Limit))
	e.u8(uint8(r.Reason))
	e.u64(r.Limit)
}

func decodeFileStop(d *decoder) Record {
	r := &FileStop{ID: d.id("id"), Reason: StopReason(d.u8("reason")), Limit: d.u64("limit")}
	d.check("reason", checkStop(r.Reason, r.Limit))
	return r
}

// FileDone tells the sender that the whole file arrived and matched its
// SHA-256.
type FileDone struct{ ID model.MessageID }

// Type returns TypeFileDone.
func (*FileDone) Type() Type { return TypeFileDone }

func (r *FileDone) encode(e *encoder) { e.id(r.ID) }

// FileFetch opens the fetch of a group file from a member who serves it
// (docs/files.md §8): the offer's ID as stored and the membership proof,
// an HMAC under the file key over the session's channel binding.
type FileFetch struct {
	ID    model.MessageID
	Proof [32]byte
}

// Type returns TypeFileFetch.
func (*FileFetch) Type() Type { return TypeFileFetch }

func (r *FileFetch) encode(e *encoder) {
	e.id(r.ID)
	e.raw(r.Proof[:])
}

func decodeFileFetch(d *decoder) Record {
	r := &FileFetch{ID: d.id("id")}
	copy(r.Proof[:], d.take("proof", 32))
	return r
}

// CheckFileFields reports why the fields of an offered file (its size,
// chunk size, media type and name) break the rules of a FileOffer; a
// group's file announcement follows the same rules.
func CheckFileFields(size uint64, chunkSize uint32, mediaType, name string) error {
	for _, err := range []error{checkFileSize(size), checkChunkSize(chunkSize), checkMediaType(mediaType), checkFileName(name)} {
		if err != nil {
			return err
		}
	}
	if len(mediaType) > MaxMediaType {
		return fmt.Errorf("media type longer than %d bytes", MaxMediaType)
	}
	return nil
}

func checkFileSize(n uint64) error {
	if n == 0 || n > MaxFileSize {
		return fmt.Errorf("file size must be 1 to %d bytes", uint64(MaxFileSize))
	}
	return nil
}

func checkChunkSize(n uint32) error {
	if n < MinChunkSize || n > MaxChunkSize || n%1024 != 0 {
		return fmt.Errorf("chunk size must be a multiple of 1024 from %d to %d", MinChunkSize, MaxChunkSize)
	}
	return nil
}

func checkMediaType(s string) error {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-' || c == '/') {
			return errors.New("media type holds a character other than [a-z0-9.+-/]")
		}
	}
	return nil
}

func checkStop(r StopReason, limit uint64) error {
	if r < StopDeclined || r > StopUnavailable {
		return fmt.Errorf("unknown stop reason %d", r)
	}
	if r != StopTooLarge && limit != 0 {
		return errors.New("a limit only comes with too large")
	}
	return nil
}
