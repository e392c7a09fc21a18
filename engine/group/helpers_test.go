package group

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
)

// detRand is a deterministic byte stream for tests: SHA-256 in counter mode.
type detRand struct {
	seed [32]byte
	n    uint64
	buf  []byte
}

func newDetRand(seed string) *detRand { return &detRand{seed: sha256.Sum256([]byte(seed))} }

func (r *detRand) Read(p []byte) (int, error) {
	for i := range p {
		if len(r.buf) == 0 {
			h := sha256.New()
			h.Write(r.seed[:])
			h.Write([]byte{byte(r.n), byte(r.n >> 8), byte(r.n >> 16), byte(r.n >> 24)})
			r.n++
			r.buf = h.Sum(nil)
		}
		p[i] = r.buf[0]
		r.buf = r.buf[1:]
	}
	return len(p), nil
}

// testKey returns a group key made from s.
func testKey(s string) [KeySize]byte { return sha256.Sum256([]byte("key " + s)) }

// testServer returns a server signing key made from s.
func testServer(s string) [32]byte {
	id, err := identity.FromSeed(bytes.Repeat([]byte{byte(len(s))}, 32))
	if err != nil {
		panic(err)
	}
	var k [32]byte
	copy(k[:], id.PublicKey())
	k[0] ^= s[0] // different servers for different names; need not be a point
	return k
}

func testGroup(t testing.TB, name string) *Group {
	t.Helper()
	g, err := New(testKey(name), testServer(name))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func testIdentity(t testing.TB, name string) *identity.Identity {
	t.Helper()
	id, err := identity.Generate(newDetRand("identity " + name))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sealPlain seals an arbitrary padded plaintext (possibly invalid) as a
// member of g could: for tests of what Open does after the AEAD.
func sealPlain(t testing.TB, g *Group, plain []byte) []byte {
	t.Helper()
	if len(plain) != PlainSize {
		t.Fatalf("plaintext of %d bytes", len(plain))
	}
	blob := make([]byte, TagSize+NonceSize, BlobSize)
	newDetRand("nonce").Read(blob[TagSize:])
	g.tag(blob[:TagSize], blob[TagSize:])
	aead, err := g.aead()
	if err != nil {
		t.Fatal(err)
	}
	return aead.Seal(blob, blob[TagSize:], plain, g.id[:])
}

// plaintextOf returns the padded plaintext of a valid message.
func plaintextOf(t testing.TB, g *Group, author *identity.Identity, m *Message) []byte {
	t.Helper()
	p, err := m.encode(make([]byte, 0, PlainSize), g.id, author)
	if err != nil {
		t.Fatal(err)
	}
	return p[:PlainSize]
}
