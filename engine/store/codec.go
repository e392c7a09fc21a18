package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// recordVersion is the version byte that starts every record this code writes.
const recordVersion = 1

// maxString bounds every length-prefixed field, so that a damaged length
// cannot make a decoder allocate much.
const maxString = 1 << 20

// enc appends the fields of a record to a byte slice.
type enc struct{ b []byte }

func (e *enc) byte(v byte)      { e.b = append(e.b, v) }
func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) string(v string)  { e.uvarint(uint64(len(v))); e.b = append(e.b, v...) }
func (e *enc) raw(v []byte)     { e.b = append(e.b, v...) }

func (e *enc) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// time writes t as a presence byte, then its Unix seconds (zig-zag varint)
// and nanoseconds. The location is not kept: decoded times are in UTC.
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.byte(0)
		return
	}
	e.byte(1)
	e.b = binary.AppendVarint(e.b, t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

// dec reads the fields of a record. The first error sticks: later reads
// return zero values, and err reports it.
type dec struct {
	b    []byte
	what string // record kind, for error messages
	err  error
}

func (d *dec) fail(reason string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s record: %s", ErrCorrupt, d.what, reason)
	}
	d.b = nil
}

func (d *dec) byte() byte {
	if len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bad boolean")
	return false
}

func (d *dec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) raw(n int) []byte {
	if n < 0 || len(d.b) < n {
		d.fail("truncated")
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > maxString {
		d.fail("field too long")
		return ""
	}
	return string(d.raw(int(n)))
}

func (d *dec) time() time.Time {
	switch d.byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		d.fail("bad time")
		return time.Time{}
	}
	sec := d.varint()
	nsec := d.uvarint()
	if d.err != nil {
		return time.Time{}
	}
	if nsec >= 1e9 || sec < math.MinInt64/2 || sec > math.MaxInt64/2 {
		d.fail("bad time")
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec)).UTC()
	if t.IsZero() {
		// The zero time has its own encoding; another one is not canonical.
		d.fail("bad time")
		return time.Time{}
	}
	return t
}

// version reads and checks the version byte.
func (d *dec) version() {
	v := d.byte()
	if d.err == nil && v != recordVersion {
		d.fail(fmt.Sprintf("unknown version %d", v))
	}
}

// done reports the first error, or an error if bytes are left over.
func (d *dec) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}
