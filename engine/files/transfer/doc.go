// Package transfer carries files between two contacts over their
// authenticated session (docs/files.md): it copies a file to send into the
// profile, answers the receiver's chunk requests, checks and stores
// received chunks, resumes after any interruption, and saves a received
// file out of the profile under a safe name.
//
// Everything is kept in the profile's encrypted store, in the bucket
// "files": a versioned record per transfer (under its conversation and
// message ID), the file's chunks and, on the sender's side, the leaves of
// its chunk tree, under a random per-transfer key. Nothing of a file is
// written outside the profile until SaveFile.
//
// The peer package calls a Transfers through peer.Files: Offered when an
// offer arrives, Offer to write an outgoing file message, and Session for
// the file side of each live session (Sync at its start and on every wake,
// Handle for each file record, Close at its end). A Session sends chunks
// on a goroutine of its own, so the session's loop keeps reading.
//
// Files in groups (group.go, service.go; docs/files.md §8) use the same
// storage and records: ImportGroup gives a shared file a random file key,
// OfferedGroup records a file announced in a group, FetchGroup fetches it
// from its sources in turn (the author, then members who hold it), each
// under a throwaway identity (Dialer), checking every chunk against the
// announcement's chunk tree and dropping a source at its first lie, and a
// member's FileService (StartFileService, ServeGroup) serves the files of
// the group it shared or holds whole to whoever proves the file key over
// the session's channel binding.
package transfer
