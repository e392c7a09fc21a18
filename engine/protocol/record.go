package protocol

import (
	"fmt"
)

// Type is a record's type byte.
type Type uint8

// Record types of protocol version 1 (docs/protocol.md §5).
const (
	TypeText            Type = 0x01
	TypeAck             Type = 0x02
	TypeContactRequest  Type = 0x03
	TypeContactAccept   Type = 0x04
	TypeContactReject   Type = 0x05
	TypeProfileGet      Type = 0x06
	TypeProfileAttr     Type = 0x07
	TypeGroupInvite     Type = 0x08
	TypeFileOffer       Type = 0x09
	TypePing            Type = 0x0a
	TypePong            Type = 0x0b
	TypeDisappear       Type = 0x0c
	TypeInviteConfirm   Type = 0x0d
	TypeReaction        Type = 0x0e
	TypeRequestReceived Type = 0x0f
	TypeEdit            Type = 0x10
	// TypeChange carries any change of a message: a model.ChangeType and
	// its payload (docs/protocol.md §5).
	TypeChange Type = 0x11
	// File transfers (docs/files.md): 0x40 on, clear of the message
	// records above and of the server records (0x20 on).
	TypeFileRequest Type = 0x40
	TypeFileChunk   Type = 0x41
	TypeFileStop    Type = 0x42
	TypeFileDone    Type = 0x43
	// TypeFileFetch opens the fetch of a group file (docs/files.md §8).
	TypeFileFetch Type = 0x44
)

// LayoutV1 is the layout version of every record type this package knows.
const LayoutV1 = 1

func (t Type) String() string {
	if rt, ok := recordTypes[t]; ok {
		return rt.name
	}
	return fmt.Sprintf("Type(%#02x)", uint8(t))
}

// Record is one of the record types of this package, or Unknown.
type Record interface {
	// Type returns the record's type byte.
	Type() Type
	// encode appends the record's body (without type and version) to e.
	encode(e *encoder)
}

// Unknown is a record of a type, or a layout version of a known type, that
// this package does not know. Receivers ignore it; it exists so that newer
// peers can add records without breaking older ones.
type Unknown struct {
	RecordType Type
	Version    uint8
	Body       []byte
}

// Type returns the unknown record's type byte.
func (u *Unknown) Type() Type { return u.RecordType }

func (u *Unknown) encode(e *encoder) { e.raw(u.Body) }

// recordType is what this package knows of one record type: its name and
// the decoder of each layout version it reads. Adding a record type, or a
// layout of one, is one entry here (docs/protocol.md §5 gives the layouts).
type recordType struct {
	name    string
	layouts map[uint8]func(d *decoder) Record
}

// v1 is the layouts of a type that has only layout 1.
func v1(dec func(d *decoder) Record) map[uint8]func(d *decoder) Record {
	return map[uint8]func(d *decoder) Record{LayoutV1: dec}
}

// recordTypes holds every known record type; server.go adds the server
// protocol's.
var recordTypes = map[Type]recordType{
	TypeText:            {"Text", map[uint8]func(d *decoder) Record{LayoutV1: decodeText, 2: decodeTextV2}},
	TypeAck:             {"Ack", v1(decodeAck)},
	TypeContactRequest:  {"ContactRequest", v1(decodeContactRequest)},
	TypeContactAccept:   {"ContactAccept", v1(decodeContactAccept)},
	TypeContactReject:   {"ContactReject", v1(func(*decoder) Record { return &ContactReject{} })},
	TypeProfileGet:      {"ProfileGet", v1(decodeProfileGet)},
	TypeProfileAttr:     {"ProfileAttr", v1(decodeProfileAttr)},
	TypeGroupInvite:     {"GroupInvite", map[uint8]func(d *decoder) Record{2: decodeGroupInviteV2}},
	TypeFileOffer:       {"FileOffer", map[uint8]func(d *decoder) Record{2: decodeFileOfferV2}},
	TypeFileRequest:     {"FileRequest", v1(decodeFileRequest)},
	TypeFileChunk:       {"FileChunk", v1(decodeFileChunk)},
	TypeFileStop:        {"FileStop", v1(decodeFileStop)},
	TypeFileDone:        {"FileDone", v1(func(d *decoder) Record { return &FileDone{ID: d.id("id")} })},
	TypeFileFetch:       {"FileFetch", v1(decodeFileFetch)},
	TypePing:            {"Ping", v1(func(d *decoder) Record { return &Ping{Nonce: d.u64("nonce")} })},
	TypePong:            {"Pong", v1(func(d *decoder) Record { return &Pong{Nonce: d.u64("nonce")} })},
	TypeDisappear:       {"Disappear", v1(decodeDisappear)},
	TypeInviteConfirm:   {"InviteConfirm", v1(decodeInviteConfirm)},
	TypeReaction:        {"Reaction", v1(decodeReaction)},
	TypeRequestReceived: {"RequestReceived", v1(func(*decoder) Record { return &RequestReceived{} })},
	TypeEdit:            {"Edit", v1(decodeEdit)},
	TypeChange:          {"Change", v1(decodeChange)},
}

// Decode parses one record. Unknown types and layout versions give an
// *Unknown and no error. Errors wrap ErrMalformed.
func Decode(b []byte) (Record, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than a record header", ErrMalformed, len(b))
	}
	t, v := Type(b[0]), b[1]
	dec, ok := recordTypes[t].layouts[v]
	if !ok {
		return &Unknown{RecordType: t, Version: v, Body: append([]byte(nil), b[2:]...)}, nil
	}
	d := &decoder{b: b[2:], typ: t}
	r := dec(d)
	if err := d.finish(); err != nil {
		return nil, err
	}
	return r, nil
}

// Encode returns the encoding of r. Errors wrap ErrInvalid.
func Encode(r Record) ([]byte, error) { return AppendEncode(nil, r) }

// AppendEncode appends the encoding of r to dst and returns the extended
// slice: a sender that reuses dst allocates nothing per record. On error
// it returns dst as it was. Errors wrap ErrInvalid.
func AppendEncode(dst []byte, r Record) ([]byte, error) {
	if r == nil {
		return dst, fmt.Errorf("%w: nil record", ErrInvalid)
	}
	version := uint8(LayoutV1)
	switch r := r.(type) {
	case *Unknown:
		version = r.Version
	case interface{ layout() uint8 }:
		version = r.layout()
	}
	e := &encoder{b: append(dst, byte(r.Type()), version), typ: r.Type()}
	r.encode(e)
	if e.err != nil {
		return dst, e.err
	}
	return e.b, nil
}
