// Package engine is Nook's core as one in-process object that a frontend
// drives: it opens a profile, runs Tor, talks to contacts and group servers,
// and reports everything that happens on one event stream.
//
// The engine never imports a UI toolkit (a test enforces it): the desktop app
// in app/ calls its methods and turns its events into screen updates.
//
// Packages below engine/, leaves first:
//
//	model      the vocabulary: IDs, messages, contacts (standard library only)
//	identity   ed25519 identities and Tor v3 onion addresses
//	store      the encrypted Badger database and its records
//	profile    profile folders: Argon2id-protected keys, unlock, export, import
//	transport  the Listen/Dial interface protocol code uses; loopback for tests
//	tor        the bundled Tor, managed and supervised (bine); tortest runs a
//	           private Tor network on 127.0.0.1 for tests
//	handshake  the mutually authenticated peer handshake
//	wire       fixed-size sealed frames
//	protocol   the typed records peers exchange
package engine
