// Package groupserver provides the untrusted Nook group server as a
// library: the headless daemon (app/server) and the desktop app host it the
// same way. It stores opaque blobs of exactly protocol.BlobSize bytes in the
// order it receives them, issues anonymous posting tokens (engine/tokens)
// behind a small proof of work, redeems one token per post, and streams
// stored and live blobs to subscribers (docs/groups.md, "Server protocol").
//
// Lifecycle: New checks the configuration and does nothing else; Start
// opens the data dir (creating keys on first use), publishes the onion
// service through Config.Transport and starts the accept loop; Close stops
// accepting, closes every connection, waits for every goroutine and closes
// the store.
//
// # Data dir
//
//	identity.key  the server's ed25519 seed: its onion address and bundle signing key
//	issuer.key    the token issuer's ristretto255 private scalar
//	store.key     a random 32-byte key for the Badger store
//	bundle        the signed bundle (kept so the invite is stable across restarts)
//	store/        Badger (engine/store): blobs, sequence numbers, the spent-token set
//
// Key files are "NKSK" ‖ version 1 ‖ kind ‖ 32 bytes, mode 0600, in a 0700
// directory, written atomically. The server's data is not secret from its
// operator (who holds store.key next to the store), but it is kept out of
// plaintext on disk anyway: a copied disk image or backup of store/ alone
// reveals nothing, and nothing a client sent is ever written unencrypted.
//
// # Privacy
//
// Logs and Stats hold counts only: no addresses (every client dials with a
// throwaway identity anyway), no per-client timings, no sequence numbers
// tied to a connection. Errors returned to the caller never name a client.
package groupserver
