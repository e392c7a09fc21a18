// Package profile provides Nook's password-protected profiles: a folder
// holding a small plaintext header and an encrypted store (package store),
// with creation, unlocking, password change, deletion, export to one
// encrypted file and import from it.
//
// # Layout
//
// A profile is a folder under a root directory, named by 32 random hex
// digits (the profile ID), never by anything the user typed:
//
//	root/<id>/profile.hdr   plaintext header (below)
//	root/<id>/db/           Badger database, AES-256 under the master key
//
// and, only while a password change is under way (or was interrupted):
//
//	root/<id>/db.rekey/     the database re-encrypted under a new master key
//	root/<id>/profile.hdr.new  the new header (its existence is the commit)
//	root/<id>/db.old/       the old database, moved aside
//
// Folders whose names start with "." are work in progress (creation, import,
// deletion) and are ignored by List.
//
// # Keys
//
// A random 32-byte master key encrypts the database. It is stored in the
// header wrapped (XChaCha20-Poly1305) under a key derived from the password:
//
//	ikm      = Argon2id(password, salt, t, m, p, 32 bytes)
//	checkKey = HKDF-SHA256(ikm, info "nook profile v1 key check")
//	wrapKey  = HKDF-SHA256(ikm, info "nook profile v1 wrap")
//
// Changing the password also changes the master key: someone who kept a
// copy of the old header and knows the old password must not be able to
// read the current files. ChangePassword copies the database into db.rekey
// under a new random master key (a new Badger database, so new data keys
// too; other operations wait meanwhile), writes the new header to
// profile.hdr.new atomically (temporary file, fsync, rename, fsync of the
// folder: the commit), then moves db aside, db.rekey into place and the new
// header over the old, and removes the old database. Unlock finishes a
// change interrupted after the commit (the new password opens the profile)
// and removes the copy of one interrupted before (the old password does):
// never neither, and nothing is lost. The old database's files are deleted,
// not overwritten: their blocks may stay on the disk (see docs/security.md).
//
// The empty password is allowed (the app warns, and removing a password is
// its own action); it goes through Argon2id like any other. The header's
// flag says whether a profile has a password (Info.Password,
// Profile.HasPassword), so that the app can show it, before and after
// unlocking; the flag is covered by the key check, and Unlock refuses
// without a key derivation a password that the flag rules out.
//
// Argon2id parameters default to t=3, m=64 MiB, p=4 (RFC 9106's second
// recommendation) and may not be set lower: Create, ChangePassword, Unlock and
// Import reject weaker ones with ErrWeakParams. The one exception is a test
// binary (testing.Testing reports true), where InsecureTestParams make tests
// fast; a production binary cannot use them even by mistake, and cannot
// unlock a profile a test wrote with them.
//
// # Header format (version 2, 214 bytes, big-endian integers)
//
//	off len
//	  0   8  magic "NOOKPROF"
//	  8   2  format version = 2
//	 10   2  flags: bit 0 set = sealed under the empty password (no
//	         password); the other bits 0
//	 12  16  profile ID (random)
//	 28   8  creation time, Unix seconds
//	 36   1  KDF = 1 (Argon2id)
//	 37   4  t (passes)
//	 41   4  m (KiB)
//	 45   1  p (lanes)
//	 46  32  salt (random, renewed by every password change)
//	 78  32  key check = HMAC-SHA256(checkKey, bytes 0..77)
//	110  24  nonce (random)
//	134  48  wrapped master key: XChaCha20-Poly1305(wrapKey, nonce,
//	         master key, additional data = bytes 0..109)
//	182  32  SHA-256 of bytes 0..181
//
// Format 1 (Nook before the flag) is the same with flags = 0 and nothing
// recorded about the password: List reports PasswordUnknown, and Unlock
// rewrites such a header in format 2 once the password is verified (like
// a password change to the same password: new salt and nonce). Every
// header written (Create, ChangePassword, Import) is format 2.
//
// The trailing hash tells an accidentally damaged header (ErrCorruptHeader)
// from a wrong password (ErrWrongPassword, the key check fails). The header
// holds no name: List shows an ID and a creation time; the display name is
// inside the encrypted database and appears after Unlock.
//
// # Export format
//
// See export.go: a plaintext header authenticated under the export
// password, then the database backup in a chunked AEAD stream.
package profile
