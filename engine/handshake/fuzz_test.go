package handshake

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func pad(b []byte, n int) []byte {
	m := make([]byte, n)
	copy(m, b)
	return m
}

// FuzzServerMessage1 feeds arbitrary first messages to a server.
func FuzzServerMessage1(f *testing.F) {
	for _, s := range fuzzSeeds(f)["FuzzServerMessage1"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := pad(b, MessageSize)
		s := newResponder(testConfig(2), localFrom(bob))
		if err := s.readMessage1(m); err != nil {
			if !isSentinel(err) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if !bytes.Equal(appendOffer(nil, s.offer), m[headerSize:msg1Prefix]) {
			t.Fatal("offer does not round-trip")
		}
		if _, err := s.message2(); err != nil && !isSentinel(err) {
			t.Fatal(err)
		}
	})
}

// FuzzServerMessage3 feeds arbitrary third messages to a server that has
// answered a genuine first message: none may be accepted.
func FuzzServerMessage3(f *testing.F) {
	for _, s := range fuzzSeeds(f)["FuzzServerMessage3"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := record(t, testConfig(1), testConfig(2))
		s := newResponder(testConfig(2), localFrom(bob))
		if err := s.readMessage1(tr.m1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.message2(); err != nil {
			t.Fatal(err)
		}
		m := pad(b, MessageSize)
		res, err := s.readMessage3(m)
		if err == nil && !bytes.Equal(m, tr.m3) {
			t.Fatalf("forged message 3 accepted as %s", res.peer.Short())
		}
		if err != nil && !isSentinel(err) {
			t.Fatalf("unclassified error %v", err)
		}
	})
}

// FuzzClientMessage2 feeds arbitrary second messages to a client.
func FuzzClientMessage2(f *testing.F) {
	for _, s := range fuzzSeeds(f)["FuzzClientMessage2"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := record(t, testConfig(1), testConfig(2))
		c, _ := newInitiator(testConfig(1), localFrom(alice), bob.Address())
		if _, err := c.message1(); err != nil {
			t.Fatal(err)
		}
		m := pad(b, MessageSize)
		err := c.readMessage2(m)
		if err == nil && !bytes.Equal(m, tr.m2) {
			t.Fatal("forged message 2 accepted")
		}
		if err != nil && !isSentinel(err) {
			t.Fatalf("unclassified error %v", err)
		}
	})
}

// FuzzPayloads checks the decrypted payload parsers and their round trip.
func FuzzPayloads(f *testing.F) {
	for _, s := range fuzzSeeds(f)["FuzzPayloads"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := parsePayload2(pad(b, payload2Len)); err == nil {
			if !bytes.Equal(p.marshal(), pad(b, payload2Len)) {
				t.Fatal("payload 2 does not round-trip")
			}
		} else if !isSentinel(err) {
			t.Fatal(err)
		}
		if p, err := parsePayload3(pad(b, payload3Len)); err == nil {
			if !bytes.Equal(p.marshal(), pad(b, payload3Len)) {
				t.Fatal("payload 3 does not round-trip")
			}
		} else if !isSentinel(err) {
			t.Fatal(err)
		}
	})
}

// fuzzSeeds returns the seeds of each fuzzer, built from a recorded
// handshake (trailing zeros trimmed, since inputs are zero-padded).
func fuzzSeeds(tb testing.TB) map[string][][]byte {
	tr := record(tb, testConfig(1), testConfig(2))
	trim := func(b []byte) []byte { return bytes.TrimRight(b, "\x00") }
	p2 := (&payload2{version: 1, echo: offer{1}, key: bob.PublicKey(), sig: make([]byte, 64)}).marshal()
	p3 := (&payload3{key: alice.PublicKey(), sig: bytes.Repeat([]byte{7}, 64)}).marshal()
	return map[string][][]byte{
		"FuzzServerMessage1": {trim(tr.m1), []byte("Nook\x01\x02\x00\x01\x00\x02"), []byte("Nook\x02")},
		"FuzzServerMessage3": {tr.m3, tr.m3[:100]},
		"FuzzClientMessage2": {tr.m2, tr.m2[:80]},
		"FuzzPayloads":       {trim(p2), trim(p3)},
	}
}

// TestWriteFuzzCorpus writes the seeds to testdata/fuzz with -update, so
// `go test` runs them even without the fuzz engine.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	writeCorpus(t, fuzzSeeds(t))
}

func writeCorpus(t *testing.T, seeds map[string][][]byte) {
	for name, ss := range seeds {
		dir := filepath.Join("testdata", "fuzz", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range ss {
			data := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%d", i)), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
