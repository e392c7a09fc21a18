package protocol

import (
	"fmt"
)

// Type is a record's type byte.
type Type uint8

// Record types of protocol version 1 (docs/protocol.md §5).
const (
	TypeText           Type = 0x01
	TypeAck            Type = 0x02
	TypeContactRequest Type = 0x03
	TypeContactAccept  Type = 0x04
	TypeContactReject  Type = 0x05
	TypeProfileGet     Type = 0x06
	TypeProfileAttr    Type = 0x07
	TypeGroupInvite    Type = 0x08
	TypeFileOffer      Type = 0x09
	TypePing           Type = 0x0a
	TypePong           Type = 0x0b
	TypeDisappear      Type = 0x0c
	TypeInviteConfirm  Type = 0x0d
)

// LayoutV1 is the layout version of every record type this package knows.
const LayoutV1 = 1

var typeNames = map[Type]string{
	TypeText:           "Text",
	TypeAck:            "Ack",
	TypeContactRequest: "ContactRequest",
	TypeContactAccept:  "ContactAccept",
	TypeContactReject:  "ContactReject",
	TypeProfileGet:     "ProfileGet",
	TypeProfileAttr:    "ProfileAttr",
	TypeGroupInvite:    "GroupInvite",
	TypeFileOffer:      "FileOffer",
	TypePing:           "Ping",
	TypePong:           "Pong",
	TypeDisappear:      "Disappear",
	TypeInviteConfirm:  "InviteConfirm",
}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
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

// decoders maps each known type to the decoder of its layout version 1.
var decoders = map[Type]func(d *decoder) Record{
	TypeText:           decodeText,
	TypeAck:            decodeAck,
	TypeContactRequest: decodeContactRequest,
	TypeContactAccept:  decodeContactAccept,
	TypeContactReject:  func(*decoder) Record { return &ContactReject{} },
	TypeProfileGet:     decodeProfileGet,
	TypeProfileAttr:    decodeProfileAttr,
	TypeGroupInvite:    decodeGroupInvite,
	TypeFileOffer:      decodeFileOffer,
	TypePing:           func(d *decoder) Record { return &Ping{Nonce: d.u64("nonce")} },
	TypePong:           func(d *decoder) Record { return &Pong{Nonce: d.u64("nonce")} },
	TypeDisappear:      decodeDisappear,
	TypeInviteConfirm:  decodeInviteConfirm,
}

// decodersV2 maps the types that have a layout version 2 to its decoder.
var decodersV2 = map[Type]func(d *decoder) Record{
	TypeText: decodeTextV2,
}

// Decode parses one record. Unknown types and layout versions give an
// *Unknown and no error. Errors wrap ErrMalformed.
func Decode(b []byte) (Record, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than a record header", ErrMalformed, len(b))
	}
	t, v := Type(b[0]), b[1]
	dec, ok := decoders[t]
	if v == 2 {
		dec, ok = decodersV2[t]
	}
	if !ok || v != LayoutV1 && v != 2 {
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
func Encode(r Record) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil record", ErrInvalid)
	}
	version := uint8(LayoutV1)
	switch r := r.(type) {
	case *Unknown:
		version = r.Version
	case interface{ layout() uint8 }:
		version = r.layout()
	}
	e := &encoder{b: []byte{byte(r.Type()), version}, typ: r.Type()}
	r.encode(e)
	if e.err != nil {
		return nil, e.err
	}
	return e.b, nil
}
