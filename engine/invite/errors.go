package invite

import (
	"errors"
)

// Errors returned while parsing an invite (Parse, ParseAt, DecodeImage...).
// Each names one thing that can be wrong with what the user pasted or
// photographed; Hint gives the sentence to show beside it.
var (
	// ErrNotInvite is returned by Parse for text that does not start with
	// "NOOK:" and a kind and version, such as a web address or an onion
	// address on its own.
	ErrNotInvite = errors.New("not a nook invite")
	// ErrTooLong is returned by Parse for text longer than any invite
	// (MaxTextLen), before anything else is looked at.
	ErrTooLong = errors.New("text is too long to be a nook invite")
	// ErrVersion is returned by Parse for a well-formed invite whose kind or
	// version this version of Nook does not know: it was made by a newer Nook.
	ErrVersion = errors.New("invite format is newer than this version of nook")
	// ErrCharacters is returned by Parse when the part after the prefix holds a
	// character that no invite contains (invites use A–Z and 2–7).
	ErrCharacters = errors.New("invite contains characters that cannot appear in an invite")
	// ErrChecksum is returned by Parse when the checksum does not match: the
	// invite was mistyped or damaged.
	ErrChecksum = errors.New("invite checksum does not match")
	// ErrTruncated is returned by Parse when the invite is shorter than its own
	// header says it is: part of it was not copied.
	ErrTruncated = errors.New("invite is incomplete")
	// ErrMalformed is returned by Parse, ParseBundle and Bundle.UnmarshalBinary
	// for an invite whose checksum is right but whose content breaks the format
	// (a name that is too long or not UTF-8, unknown flags, trailing bytes,
	// a time out of range). Such an invite was made by broken software.
	ErrMalformed = errors.New("invite is malformed")
	// ErrAddress is returned by Parse and Bundle.Verify when an onion address
	// in the invite is not valid. The error also wraps the identity.ErrAddress*
	// error that says why.
	ErrAddress = errors.New("invite contains an invalid onion address")
	// ErrKey is returned by Parse and Bundle.Verify when a key in the invite is
	// not usable: a server signing key or token key that is not a valid curve
	// point, or a group key of all zeros.
	ErrKey = errors.New("invite contains an invalid key")
	// ErrSignature is returned by Parse and Bundle.Verify when the server's
	// signature over its bundle does not verify: the bundle was altered.
	ErrSignature = errors.New("server bundle signature is not valid")
	// ErrExpired is returned by Parse for a contact invite past its expiry
	// time, and by SecretSet.Consume for a proof made with an expired secret.
	ErrExpired = errors.New("invite has expired")
)

// Errors returned by the QR functions.
var (
	// ErrNoQRCode is returned by DecodeImage and its variants when no QR code
	// could be read from the image.
	ErrNoQRCode = errors.New("no qr code found in the image")
	// ErrImage is returned by DecodeImageBytes and DecodeImageFile for data
	// that is not a PNG, JPEG, GIF or WebP image, or is a broken one.
	ErrImage = errors.New("not a supported image")
	// ErrImageTooLarge is returned by DecodeImageBytes and DecodeImageFile for
	// an image larger than MaxImageBytes or MaxImagePixels, before it is
	// decoded.
	ErrImageTooLarge = errors.New("image is too large")
	// ErrQRSize is returned by QRPNG and QRImage when the requested size is
	// too small to draw the code with at least one pixel per module.
	ErrQRSize = errors.New("requested qr code size is too small")
)

// Errors returned by the in-person verification functions.
var (
	// ErrNoSecret is returned by ContactInvite.Proof for an invite that
	// carries no one-time secret.
	ErrNoSecret = errors.New("invite carries no one-time secret")
	// ErrProof is returned by SecretSet.Consume when the proof matches no
	// outstanding secret: it is wrong, or its secret was already used.
	ErrProof = errors.New("proof does not match any outstanding invite")
	// ErrTooManySecrets is returned by SecretSet.Issue when MaxSecrets
	// unexpired secrets are already outstanding.
	ErrTooManySecrets = errors.New("too many outstanding invite secrets")
)

var hints = []struct {
	err  error
	hint string
}{
	{ErrNotInvite, "This is not a Nook invite. A Nook invite starts with \"NOOK:\"."},
	{ErrTooLong, "This text is longer than any Nook invite. Copy only the invite."},
	{ErrVersion, "This invite was made by a newer version of Nook. Update Nook and try again."},
	{ErrCharacters, "The invite contains a character it cannot contain. After the prefix an invite uses only the letters A–Z and the digits 2–7; check for typos."},
	{ErrChecksum, "The invite was mistyped or damaged. Check it, or ask for it again."},
	{ErrTruncated, "Part of the invite is missing. Copy the whole invite, including its end."},
	{ErrMalformed, "The invite was made by faulty software. Ask for a new invite."},
	{ErrAddress, "The address in this invite is not valid. Ask for a new invite."},
	{ErrKey, "A key in this invite is not valid. Ask for a new invite."},
	{ErrSignature, "The server's signature does not match: this invite was altered. Do not use it; ask for a new one in person."},
	{ErrExpired, "This invite has expired. Ask for a new one."},
	{ErrNoQRCode, "No QR code could be read. Try a sharper, larger or better-lit picture, or paste the invite as text."},
	{ErrImage, "This file is not an image Nook can read. Use a PNG or JPEG image."},
	{ErrImageTooLarge, "This image is too large. Crop it to the QR code or use a smaller picture."},
	{ErrQRSize, "The QR code does not fit in the requested size."},
	{ErrNoSecret, "This invite carries no verification secret."},
	{ErrProof, "This contact could not prove that you met: the invite was already used, or it is not the one you gave."},
	{ErrTooManySecrets, "Too many invites are waiting to be used. Wait for some to expire."},
	{ErrName, "A name can have at most 64 characters, and no control, text-direction or invisible characters."},
}

// Hint returns a sentence that tells the user what to do about err, or "" if
// err is nil or not one of this package's errors. It is meant to be shown
// beside the error, not instead of it.
func Hint(err error) string {
	if err == nil {
		return ""
	}
	for _, h := range hints {
		if errors.Is(err, h.err) {
			return h.hint
		}
	}
	return ""
}
