// Package files holds what sharing files needs apart from the transfer
// itself (docs/files.md): safe names for files saved out of a profile
// (SafeName), the chunk tree that lets every chunk of a file be verified
// against the root its sender committed to (Root, Proof, VerifyChunk), and
// pictures: safe, allow-listed, size-capped decoding (DecodePicture),
// metadata stripping by re-encoding (StripMetadata) and thumbnails
// (Thumbnail).
//
// Pictures are decoded the way invite pictures are (engine/invite,
// docs/security.md §3): the format is chosen by the file's first bytes
// from an allow-list, its decoder is called directly (never through the
// image package's registry, where other decoders may be registered), the
// size the header declares is checked against MaxPictureBytes,
// MaxPicturePixels and MaxPictureMemory before anything is decoded, a
// decoder's panic is an error, and a decoded picture larger than declared
// is refused.
//
// The package imports only the standard library and golang.org/x/image;
// it never logs.
package files
