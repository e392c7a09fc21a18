package protocol

import "errors"

var (
	// ErrMalformed is returned by Decode for bytes that are not a valid
	// record of a known type and layout version: a field too long, a length
	// past the end, invalid UTF-8, trailing bytes. The message names the
	// record type and field. A receiver drops the record.
	ErrMalformed = errors.New("protocol: malformed record")
	// ErrInvalid is returned by Encode for a record that breaks a limit (a
	// body too long, a display name with control characters, ...), which
	// the peer would reject.
	ErrInvalid = errors.New("protocol: invalid record")
)
