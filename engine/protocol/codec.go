package protocol

import (
	"encoding/binary"
	"fmt"

	"github.com/nookchat/nook/engine/model"
)

// decoder reads the fields of one record body. The first error sticks; every
// later read returns zero values, so a record's decode function reads all its
// fields and checks d.err once.
type decoder struct {
	b   []byte
	typ Type
	err error
}

func (d *decoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s.%s: %s", ErrMalformed, d.typ, field, fmt.Sprintf(format, args...))
	}
}

// take returns the next n bytes: a slice of the input, not a copy, whose
// capacity ends with it.
func (d *decoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.fail(field, "needs %d bytes, %d left", n, len(d.b))
		return nil
	}
	v := d.b[:n:n] // appending to it never writes over what follows
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8(field string) uint8 {
	if v := d.take(field, 1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) u16(field string) uint16 {
	if v := d.take(field, 2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (d *decoder) u32(field string) uint32 {
	if v := d.take(field, 4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) u64(field string) uint64 {
	if v := d.take(field, 8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (d *decoder) id(field string) model.MessageID {
	var id model.MessageID
	copy(id[:], d.take(field, len(id)))
	return id
}

// lenBytes reads a length of width 1, 2 or 4 bytes and then that many bytes,
// after checking the length against max and the bytes left. It returns a
// copy (nil for zero length).
func (d *decoder) lenBytes(field string, width int, max int) []byte {
	var n uint64
	switch width {
	case 1:
		n = uint64(d.u8(field))
	case 2:
		n = uint64(d.u16(field))
	default:
		n = uint64(d.u32(field))
	}
	if d.err != nil {
		return nil
	}
	if n > uint64(max) {
		d.fail(field, "length %d over the limit of %d", n, max)
		return nil
	}
	v := d.take(field, int(n))
	if len(v) == 0 {
		return nil
	}
	return append([]byte(nil), v...)
}

// check records a validation error for field.
func (d *decoder) check(field string, err error) {
	if err != nil {
		d.fail(field, "%v", err)
	}
}

// finish returns the first error, or an error if bytes are left over.
func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("end", "%d trailing bytes", len(d.b))
	}
	return d.err
}

// encoder appends fields; its methods mirror decoder's.
type encoder struct {
	b   []byte
	typ Type
	err error
}

func (e *encoder) fail(field string, err error) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: %s.%s: %v", ErrInvalid, e.typ, field, err)
	}
}

func (e *encoder) check(field string, err error) {
	if err != nil {
		e.fail(field, err)
	}
}

func (e *encoder) u8(v uint8)           { e.b = append(e.b, v) }
func (e *encoder) u16(v uint16)         { e.b = binary.BigEndian.AppendUint16(e.b, v) }
func (e *encoder) u32(v uint32)         { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64)         { e.b = binary.BigEndian.AppendUint64(e.b, v) }
func (e *encoder) id(v model.MessageID) { e.b = append(e.b, v[:]...) }
func (e *encoder) raw(v []byte)         { e.b = append(e.b, v...) }
func (e *encoder) lenBytes(field string, width, max int, v []byte) {
	if len(v) > max {
		e.fail(field, fmt.Errorf("length %d over the limit of %d", len(v), max))
		return
	}
	switch width {
	case 1:
		e.u8(uint8(len(v)))
	case 2:
		e.u16(uint16(len(v)))
	default:
		e.u32(uint32(len(v)))
	}
	e.raw(v)
}
