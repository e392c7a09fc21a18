package group

import "errors"

// Errors of Open, in the order Open checks. Each is returned wrapped, with
// what was wrong, and never with message text or keys.
var (
	// ErrBlobSize is returned by Open for a blob that does not have exactly
	// BlobSize bytes.
	ErrBlobSize = errors.New("group blob has the wrong size")
	// ErrNotOurs is returned by Open when the blob's tag does not match the
	// group: it belongs to another group on the same server. It is the
	// normal, cheap outcome of trial decryption and no cause for alarm.
	ErrNotOurs = errors.New("blob belongs to another group")
	// ErrTampered is returned by Open when the tag matches but the
	// authenticated decryption fails: the blob was modified or forged.
	ErrTampered = errors.New("group blob was tampered with")
	// ErrVersion is returned by Open (and by the plaintext decoder) for a
	// message in a layout version this package does not know: written by a
	// newer Nook.
	ErrVersion = errors.New("group message in an unknown format version")
	// ErrMalformed is returned by Open for a blob that decrypts but whose
	// plaintext breaks the layout (lengths, padding, encoding, an invalid
	// author key).
	ErrMalformed = errors.New("malformed group message")
	// ErrBadSignature is returned by Open when the author's signature does
	// not verify: someone holding the group key wrote in another member's
	// name.
	ErrBadSignature = errors.New("group message signature does not verify")
)

// Errors of Seal.
var (
	// ErrBodyTooLong is returned (wrapped, with the length and the limit) by
	// Seal for a text that does not fit into one blob; MaxText tells the
	// limit beforehand.
	ErrBodyTooLong = errors.New("message too long for a group message")
	// ErrInvalid is returned (wrapped, with what was wrong) by Seal and New
	// for arguments they cannot accept: an empty or invalid text, a bad
	// display name, a zero sequence number, a key of zeros.
	ErrInvalid = errors.New("invalid group message")
)
