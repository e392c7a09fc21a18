// Package engine is Nook's core as one in-process object that a frontend
// drives: it opens a profile, runs Tor, talks to contacts and group servers,
// and reports everything that happens on one event stream.
//
// The engine never imports a UI toolkit (a test enforces it): the desktop app
// in app/ calls its methods and turns its events into screen updates.
//
// The engine's methods are grouped by file: profiles.go (create, unlock,
// lock, password, export, import, delete), conversations.go (contacts and
// one-to-one messages), invites.go (invite text and QR codes, in-person
// invites), verify.go (safety codes, verified contacts), groups.go and hosting.go (groups, known servers, a server
// hosted in the app), settings.go and torsettings.go (how to reach Tor:
// ModeAuto, direct, built-in bridges, the person's own bridges), connect.go
// (Automatic: direct, then snowflake, then obfs4, each left after
// ConnectConfig.Stall without bootstrap progress or Limit in all, the way
// that worked remembered; its steps and timeouts are injectable, and every
// TorStatus event carries a plain Note saying what is tried and why),
// events.go (the event stream).
//
// Packages below engine/, leaves first:
//
//	model        the vocabulary: IDs, messages, contacts, events (standard library only)
//	identity     ed25519 identities and Tor v3 onion addresses
//	store        the encrypted Badger database and its records
//	profile      profile folders: Argon2id-protected keys, unlock, export, import
//	transport    the Listen/Dial interface protocol code uses; loopback for tests
//	tor          the bundled Tor, managed and supervised; tortest runs a
//	             private Tor network on 127.0.0.1 for tests and the demo
//	wire         fixed-size sealed frames (docs/protocol.md §4)
//	protocol     the typed records peers and servers exchange (§5)
//	handshake    the mutually authenticated Noise XX handshake (§3)
//	peer         one-to-one sessions, contact policy, outbox and receipts
//	invite       invite text, QR codes, server bundles, one-time secrets (docs/invites.md)
//	tokens       anonymous posting tokens: RFC 9497 VOPRF (docs/groups.md)
//	group        group keys and sealed fixed-size group messages
//	groupclient  a profile's side of groups: posting, catch-up, checks
//	groupserver  the untrusted group server, as a library (app/server runs it)
package engine
