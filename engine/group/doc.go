// Package group provides Nook's group cryptography: the group ID and
// subkeys derived from a group key and its server, the signed, versioned,
// padded group message, sealing it into a fixed-size blob that an
// untrusted server stores without being able to tell groups, authors or
// lengths apart, opening such blobs with a distinct error for each way they
// can be wrong, and a Timeline that watches the order in which the server
// delivers them and reports what the server dropped, reordered, replayed
// or injected.
//
// The format is specified in docs/groups.md ("Group messages"). In short:
//
//	groupID = HKDF(key, salt = server signing key, "nook group id v1")
//	blob    = tag [16] ‖ nonce [24] ‖ XChaCha20-Poly1305(sealKey, nonce, padded plaintext, ad = groupID)
//	tag     = HMAC-SHA256(tagKey, nonce)[:16]
//
// and every blob has exactly BlobSize bytes.
//
// A group moves through epochs (docs/groups.md, "Governed groups"): NewEpoch
// gives the group under a later epoch's key, and a KindRotate message
// carries a Rotation, the new key wrapped for each remaining member
// (NewRotation, Rotation.Unwrap).
//
// Members sign with per-group keys; a KindKnownTo message carries a
// member's contact tags (NewKnownTo, KnownTo.Has), by which a contact,
// and nobody else, recognises them (docs/groups.md, "Per-group
// identities").
//
// A Group is immutable and safe for concurrent use. A Timeline belongs to
// one goroutine.
package group
