// Package invite provides the things one Nook user hands to another: contact,
// server and group invites as short versioned text (NOOK:C1:…, NOOK:S1:…,
// NOOK:G1:…, and NOOK:G2:… or NOOK:G3:… for a group in a later epoch, naming
// its owner or on several servers), the signed group-server Bundle, QR codes
// for them (rendering to PNG and to a terminal, reading from photos and
// screenshots), and the one-time secret that lets the first connection after
// an in-person exchange prove that the two people met.
//
// The text format is specified in docs/invites.md. In short, an invite is
//
//	NOOK:<kind><version>:BASE32(payload ‖ SHA-256("NOOK:<kind><version>:" ‖ payload)[:4])
//
// in upper case, so that the whole text fits a QR code's alphanumeric mode.
// Parse accepts it in any case, ignores white space, line breaks and
// invisible characters, and finds it in the text around it (a sentence,
// quotes).
//
// Every parsing error wraps one of the sentinel errors of this package, and
// Hint returns a sentence a user interface can show next to it.
//
// The package never logs, and no error it returns contains a secret.
package invite
