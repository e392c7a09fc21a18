// Package protocol provides the records two Nook peers exchange inside a
// session: Text, Ack, ContactRequest, ContactAccept, ContactReject,
// ProfileGet, ProfileAttr, GroupInvite, Ping, Pong, Disappear, InviteConfirm,
// Reaction, Edit, Change (any change of a message, of a type
// model.Changes names), the file records FileOffer, FileRequest, FileChunk, FileStop and
// FileDone (docs/files.md), and their
// compact binary encoding (docs/protocol.md §5).
//
// A record is a type byte, a layout-version byte and a body of fixed-size and
// length-prefixed fields. Decode checks every length against its limit before
// it allocates, accepts exactly one encoding of each value (so that
// Encode(Decode(b)) == b), and turns record types or layout versions it does
// not know into Unknown, which receivers ignore. Encode refuses records that
// the peer would reject.
//
// The package imports only the standard library and engine/model; it knows
// nothing of frames or keys.
package protocol
