package handshake

import (
	"context"
	"crypto/ed25519"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/wire/wiretest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testIdentity returns a fixed identity for seed byte b.
func testIdentity(b byte) *identity.Identity {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	id, err := identity.FromSeed(seed)
	if err != nil {
		panic(err)
	}
	return id
}

var (
	alice   = testIdentity(1) // usually the dialler
	bob     = testIdentity(2) // usually the listener
	mallory = testIdentity(3)
)

// detRand returns a deterministic random source.
func detRand(seed byte) io.Reader {
	return rand.NewChaCha8([32]byte{seed})
}

// testConfig returns a config with deterministic randomness.
func testConfig(seed byte) *Config {
	return &Config{Rand: detRand(seed), Timeout: 10 * time.Second}
}

// outcome is the result of one side of a handshake.
type outcome struct {
	s   *Session
	err error
}

// runPair runs a client and a server handshake over the two conns and
// returns both outcomes. Sessions are closed when the test ends.
func runPair(t testing.TB, cc, sc net.Conn, cl local, peer identity.Address, ccfg *Config, sl local, scfg *Config) (c, s outcome) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.s, c.err = client(ctx, cc, cl, peer, ccfg)
	}()
	go func() {
		defer wg.Done()
		s.s, s.err = server(ctx, sc, sl, scfg)
	}()
	wg.Wait()
	t.Cleanup(func() {
		for _, o := range []outcome{c, s} {
			if o.s != nil {
				o.s.Close()
			}
		}
	})
	return c, s
}

// mitm relays whole 8192-byte units between a client conn and a server
// conn, letting edit change (or replace) each one. dir is 0 for client to
// server, 1 for server to client; i counts units in that direction from 0.
// It returns a function that closes everything and waits for the relays.
func mitm(client, server net.Conn, edit func(dir, i int, unit []byte) []byte) (stop func()) {
	var wg sync.WaitGroup
	relay := func(dir int, from, to net.Conn) {
		defer wg.Done()
		defer from.Close()
		defer to.Close()
		for i := 0; ; i++ {
			unit := make([]byte, MessageSize)
			if _, err := io.ReadFull(from, unit); err != nil {
				return
			}
			if edit != nil {
				unit = edit(dir, i, unit)
			}
			if _, err := to.Write(unit); err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go relay(0, client, server)
	go relay(1, server, client)
	return func() {
		client.Close()
		server.Close()
		wg.Wait()
	}
}

// mitmPair returns a client conn and a server conn with a mitm between them.
func mitmPair(t testing.TB, tr wiretest.Transport, edit func(dir, i int, unit []byte) []byte) (net.Conn, net.Conn) {
	cc, m1 := tr.Pair(t)
	m2, sc := tr.Pair(t)
	stop := mitm(m1, m2, edit)
	t.Cleanup(stop)
	return cc, sc
}

// transcript is one recorded handshake.
type transcript struct {
	m1, m2, m3 []byte
	client     *result
	server     *result
}

// record runs a handshake between the state machines without I/O.
func record(t testing.TB, ccfg, scfg *Config) transcript {
	t.Helper()
	c, err := newInitiator(ccfg, localFrom(alice), bob.Address())
	if err != nil {
		t.Fatal(err)
	}
	s := newResponder(scfg, localFrom(bob))
	var tr transcript
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tr.m1, err = c.message1()
	must(err)
	must(s.readMessage1(tr.m1))
	tr.m2, err = s.message2()
	must(err)
	must(c.readMessage2(tr.m2))
	tr.m3, tr.client, err = c.message3()
	must(err)
	tr.server, err = s.readMessage3(tr.m3)
	must(err)
	return tr
}
