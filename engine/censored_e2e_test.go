package engine

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
)

// TestAutomaticWhenTorIsBlocked: an engine behind a censor (tortest.Censor:
// every connection of its tor goes through a proxy that lets through only
// an obfs4 bridge's port) in ModeAuto, with the private network's bridge as
// its built-in obfs4 bridge and a snowflake program that crashes at once:
// direct makes no progress and is left after Stall, snowflake makes none
// either and is left, obfs4 connects; the notes say each step and why; the
// way is remembered. The censored person then becomes a contact of an
// uncensored one and they exchange messages both ways. Started again, the
// engine tries obfs4 first and connects without trying the others.
func TestAutomaticWhenTorIsBlocked(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the private Tor network")
	}
	n := tortest.Shared(t)
	obfs4 := tortest.Obfs4(t)
	ctx := t.Context()
	br, censor := n.CensoredBridge(ctx, t, obfs4)
	crash := filepath.Join(t.TempDir(), "snowflake-client")
	if err := os.WriteFile(crash, []byte("#!/bin/sh\necho crashed >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	const stall = 15 * time.Second
	censored := func(c *Config) {
		c.Tor.PrivateNetwork = n.Censored(censor)
		c.Connect = ConnectConfig{
			Stall:            stall,
			Limit:            2 * time.Minute,
			Obfs4Bridges:     []string{br.Line},
			SnowflakeBridges: []string{"snowflake 127.0.0.1:9 0123456789ABCDEF0123456789ABCDEF01234567 url=https://127.0.0.1:9/"},
			Programs:         map[string]string{tor.Obfs4Program: obfs4, tor.SnowflakeProgram: crash},
		}
	}
	dir := t.TempDir()
	start := time.Now()
	maya := torEngineWith(t, n, "maya", dir, censored)
	const slow = 3 * time.Minute
	maya.waitUntil("maya connected", slow, func() bool { return torConnected(maya) })
	t.Logf("Automatic behind the censor: ready through obfs4 after %v (stall timeout %v)", time.Since(start).Round(time.Millisecond), stall)
	checkNotes(t, torNotes(maya),
		"Trying a direct connection…",
		"No progress with a direct connection for 15 seconds",
		"No progress with the built-in snowflake bridges for 15 seconds",
		"Trying the built-in obfs4 bridges…",
		"Connected through the built-in obfs4 bridges.",
	)
	if s, err := maya.LoadTorSettings(); err != nil || s.Worked != ModeObfs4 {
		t.Fatalf("remembered %+v, %v", s, err)
	}
	if len(censor.Refused()) == 0 {
		t.Fatal("the censor refused nothing")
	}
	for _, p := range censor.Passed() {
		if !strings.HasSuffix(p, ":"+strconv.Itoa(br.PTPort)) {
			t.Errorf("the censor let through %s", p)
		}
	}

	// Messages with an uncensored contact.
	jonas := uncensoredContact(t, n, maya, slow)
	maya.sendDelivered(jonas.self(), "from behind the censor", slow)
	jonas.sendDelivered(maya.self(), "to behind the censor", slow)

	// Started again: obfs4 first, nothing else tried.
	maya.Close()
	refused := len(censor.Refused())
	start = time.Now()
	maya2 := torEngineWith(t, n, "maya again", dir, censored)
	maya2.waitUntil("maya connected again", slow, func() bool { return torConnected(maya2) })
	t.Logf("started again: ready through obfs4 after %v", time.Since(start).Round(time.Millisecond))
	for _, ev := range maya2.seen {
		if s, ok := ev.(model.TorStatus); ok && (strings.Contains(s.Note, "direct") || strings.Contains(s.Note, "snowflake")) {
			t.Errorf("the second start tried another way: %q", s.Note)
		}
	}
	if got := len(censor.Refused()); got != refused {
		t.Errorf("the second start made %d refused connections; it should go straight to the bridge", got-refused)
	}
}

// TestAutomaticThroughSnowflake: an engine in ModeAuto behind the
// snowflake censor of tortest.StartSnowflake (it lets through only the
// snowflake broker and WebRTC's UDP to loopback; the proxy runs in a
// namespace with nothing but loopback), with that deployment as its
// built-in snowflake bridge and the bundled snowflake-client: direct makes
// no progress and is left after Stall, snowflake connects and is
// remembered, and the censored person exchanges messages with an
// uncensored contact through it: the onion service published through
// snowflake is reached.
func TestAutomaticThroughSnowflake(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the private Tor network")
	}
	progs := tortest.BuildSnowflake(t) // skips at once when they cannot be built
	n := tortest.Shared(t)
	ctx := t.Context()
	sf := n.StartSnowflake(ctx, t, progs)
	const stall = 15 * time.Second
	start := time.Now()
	maya := torEngineWith(t, n, "maya", t.TempDir(), func(c *Config) {
		c.Tor.PrivateNetwork = n.Censored(sf.Censor)
		c.Connect = ConnectConfig{
			Stall:            stall,
			Limit:            2 * time.Minute,
			Order:            []ConnectMode{ModeDirect, ModeSnowflake},
			SnowflakeBridges: []string{sf.Bridge.Line},
			Programs:         map[string]string{tor.SnowflakeProgram: progs.Client},
			ProgramArgs:      map[string][]string{tor.SnowflakeProgram: sf.ClientArgs},
		}
	})
	const slow = 3 * time.Minute
	maya.waitUntil("maya connected", slow, func() bool {
		return torConnected(maya)
	})
	t.Logf("Automatic behind the snowflake censor: ready through snowflake after %v (stall timeout %v)", time.Since(start).Round(time.Millisecond), stall)
	checkNotes(t, torNotes(maya),
		"Trying a direct connection…",
		"No progress with a direct connection for 15 seconds",
		"Trying the built-in snowflake bridges…",
		"Connected through the built-in snowflake bridges.",
	)
	if s, err := maya.LoadTorSettings(); err != nil || s.Worked != ModeSnowflake {
		t.Fatalf("remembered %+v, %v", s, err)
	}

	jonas := uncensoredContact(t, n, maya, slow)
	maya.sendDelivered(jonas.self(), "through snowflake", slow)
	jonas.sendDelivered(maya.self(), "to the snowflake side", slow)

	if len(sf.Censor.Refused()) == 0 {
		t.Error("the censor refused nothing: the direct attempt was not censored")
	}
	for _, p := range sf.Censor.Passed() {
		if p != "127.0.0.1:"+strconv.Itoa(sf.BrokerPort) {
			t.Errorf("the censor let through a TCP connection to %s", p)
		}
	}
	if sf.RelayConnections() == 0 {
		t.Error("the proxy never carried a client to the bridge")
	}
	// The one refused request off loopback is the client's DNS query for
	// pion's multicast address (see engine/tor TestCensoredThroughSnowflake).
	for _, out := range sf.Censor.Outside() {
		if out != "udp 1.1.1.1:53" {
			t.Errorf("the snowflake client asked for a destination off 127.0.0.0/8: %s", out)
		}
	}
}

// TestAutomaticPastSilentBridge: a bridge that never answers (a listener
// on loopback that accepts the obfs4 connection and says nothing) as the
// built-in obfs4 bridge, tried first: the real tor and obfs4proxy reach it
// and get no reply, Automatic leaves it after Stall, saying why, and
// connects directly; the engine answers calls all along.
func TestAutomaticPastSilentBridge(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the private Tor network")
	}
	n := tortest.Shared(t)
	obfs4 := tortest.Obfs4(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	// A well-formed line: node ID and a public key, neither anyone's.
	key := make([]byte, 52)
	rand.Read(key)
	silent := fmt.Sprintf("obfs4 %s %X cert=%s iat-mode=0", ln.Addr(), key[:20], base64.RawStdEncoding.EncodeToString(key))
	const stall = 15 * time.Second
	start := time.Now()
	maya := torEngineWith(t, n, "maya", t.TempDir(), func(c *Config) {
		c.Connect = ConnectConfig{
			Stall:        stall,
			Limit:        2 * time.Minute,
			Order:        []ConnectMode{ModeObfs4, ModeDirect},
			Obfs4Bridges: []string{silent},
			Programs:     map[string]string{tor.Obfs4Program: obfs4},
		}
	})
	maya.waitUntil("maya connected", 3*time.Minute, func() bool {
		// The engine answers while tor waits on the silent bridge.
		if _, err := maya.LoadTorSettings(); err != nil {
			t.Fatalf("LoadTorSettings while connecting: %v", err)
		}
		return torConnected(maya)
	})
	t.Logf("past a silent bridge: ready directly after %v (stall timeout %v)", time.Since(start).Round(time.Millisecond), stall)
	checkNotes(t, torNotes(maya),
		"Trying the built-in obfs4 bridges…",
		"No progress with the built-in obfs4 bridges for 15 seconds, which is what a blocked connection looks like.",
		"Trying a direct connection…",
		"Connected through a direct connection.",
	)
	if accepted.Load() == 0 {
		t.Error("nothing reached the silent bridge: tor and obfs4proxy did not try it")
	}
	if s, err := maya.LoadTorSettings(); err != nil || s.Worked != ModeDirect {
		t.Errorf("remembered %+v, %v", s, err)
	}
}

// torConnected reports whether te has seen the TorStatus event saying tor
// is ready ("Connected through …").
func torConnected(te *testEngine) bool {
	for _, ev := range te.seen {
		if s, ok := ev.(model.TorStatus); ok && s.State == model.TorReady && strings.HasPrefix(s.Note, "Connected through") {
			return true
		}
	}
	return false
}

// torNotes returns the notes of the TorStatus events te has seen, in
// order, each note once where it repeats.
func torNotes(te *testEngine) []string {
	var notes []string
	for _, ev := range te.seen {
		if s, ok := ev.(model.TorStatus); ok && s.Note != "" && (len(notes) == 0 || notes[len(notes)-1] != s.Note) {
			notes = append(notes, s.Note)
		}
	}
	return notes
}

// uncensoredContact starts Jonas's engine on n, outside the censor, gives
// him and maya a profile each and makes them contacts, waiting up to
// timeout for each step.
func uncensoredContact(t *testing.T, n *tortest.Network, maya *testEngine, timeout time.Duration) *testEngine {
	t.Helper()
	jonas := torEngine(t, n, "jonas")
	jonas.waitUntil("jonas ready", timeout, func() bool { return jonas.TorStatus().State == model.TorReady })
	maya.createProfile("Maya", "m")
	jonas.createProfile("Jonas", "j")
	jonas.acceptInviteOf(maya)
	maya.waitUntil("jonas accepted at maya", timeout, func() bool {
		c, err := maya.Contact(jonas.self())
		return err == nil && c.State == model.ContactAccepted
	})
	return jonas
}
