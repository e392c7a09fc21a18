// Package enginetest holds the engine configuration that tests use, in one
// place: cheap key derivation, unsynced databases, fast redials and a
// group server without proof of work. The engine's own tests, the app's
// and the demo's take their settings from here.
//
// It does not import the engine (the engine's own tests use it), so it
// gives the parts of an engine.Config rather than the whole:
//
//	engine.New(engine.Config{
//		DataDir:     dir,
//		Transport:   tr,
//		Profile:     enginetest.Profile(),
//		PeerBackoff: enginetest.PeerBackoff(),
//		Server:      enginetest.Server(),
//	})
//
// Never use these settings outside tests: the key derivation is weak on
// purpose and the profile package refuses it outside tests.
package enginetest

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/transport"
)

// Profile returns profile options with cheap key derivation and without
// synced writes.
func Profile() profile.Options {
	return profile.Options{KDF: profile.InsecureTestParams, NoSync: true}
}

// PeerBackoff returns a redial interval of 20 to 200 ms: a contact that
// comes online is reached within a test's patience.
func PeerBackoff() [2]time.Duration {
	return [2]time.Duration{20 * time.Millisecond, 200 * time.Millisecond}
}

// Server returns the configuration of a group server hosted in a test:
// no proof of work, no synced writes.
func Server() groupserver.Config {
	return groupserver.Config{PoWBits: groupserver.NoPoW, NoSync: true}
}

// Address returns the onion address of a fresh identity: someone no test
// engine knows (tests outside the engine use it rather than the identity
// package, which a frontend does not import).
func Address() string {
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		panic("enginetest: " + err.Error())
	}
	return string(id.Address())
}

// DialServer opens a session with the group server at addr over tr under a
// throwaway identity, as a group client does: for tests and benchmarks that
// post to a server or read from it directly.
func DialServer(ctx context.Context, tr transport.Transport, addr identity.Address) (*handshake.Session, error) {
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		return nil, err
	}
	raw, err := tr.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	sess, err := handshake.Client(ctx, raw, id, addr, nil)
	if err != nil {
		raw.Close()
		return nil, err
	}
	return sess, nil
}
