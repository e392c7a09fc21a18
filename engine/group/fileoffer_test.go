package group

import (
	"bytes"
	"crypto/rand"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func testFileOffer(t testing.TB) *FileOffer {
	return &FileOffer{Role: FileRoleOffer, Size: 5_000_000, ChunkSize: 60 << 10, SHA256: [32]byte{1}, Root: [32]byte{2},
		Key: [32]byte{3}, Source: testIdentity(t, "file service").Address(), MediaType: "application/pdf", Name: "report.pdf"}
}

// TestFileOfferBody: a file announcement and a holder note, sealed and
// opened like any message, come back field for field; announcements
// breaking a FileOffer's rules are refused when sealed.
func TestFileOfferBody(t *testing.T) {
	g := testGroup(t, "files")
	alice := testIdentity(t, "alice")
	offer := testFileOffer(t)
	holder := &FileOffer{Role: FileRoleHolder, Offer: MessageID{9}, Source: testIdentity(t, "bob's service").Address()}
	for i, f := range []*FileOffer{offer, holder} {
		blob, err := g.Seal(rand.Reader, alice, &Message{Seq: uint64(i + 1), Sent: t0, Kind: KindFileOffer, File: f})
		if err != nil {
			t.Fatal(err)
		}
		m, err := g.Open(blob)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != KindFileOffer || !reflect.DeepEqual(m.File, f) {
			t.Fatalf("opened %+v, want %+v", m.File, f)
		}
	}
	long := *offer
	long.Name = strings.Repeat("n", 255)
	if _, err := g.Seal(rand.Reader, alice, &Message{Seq: 3, Sent: t0, Kind: KindFileOffer, File: &long}); err != nil {
		t.Fatalf("a file of the longest name does not fit a message: %v", err)
	}
	bad := map[string]func(f *FileOffer){
		"no source":      func(f *FileOffer) { f.Source = "" },
		"empty":          func(f *FileOffer) { f.Size = 0 },
		"odd chunk":      func(f *FileOffer) { f.ChunkSize = 1000 },
		"name slash":     func(f *FileOffer) { f.Name = "a/b" },
		"type uppercase": func(f *FileOffer) { f.MediaType = "Image/PNG" },
		"role 3":         func(f *FileOffer) { f.Role = 3 },
		"holder no offer": func(f *FileOffer) {
			*f = FileOffer{Role: FileRoleHolder, Source: f.Source}
		},
	}
	for name, change := range bad {
		f := *offer
		change(&f)
		if _, err := g.Seal(rand.Reader, alice, &Message{Seq: 4, Sent: t0, Kind: KindFileOffer, File: &f}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: sealed (%v)", name, err)
		}
	}
	if _, err := g.Seal(rand.Reader, alice, &Message{Seq: 4, Sent: t0, Kind: KindFileOffer}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an announcement without its file sealed (%v)", err)
	}
}

// fileOfferSeeds are bodies for FuzzFileOffer: valid ones and broken.
func fileOfferSeeds(t testing.TB) [][]byte {
	offer, err := testFileOffer(t).Encode()
	if err != nil {
		t.Fatal(err)
	}
	holder, err := (&FileOffer{Role: FileRoleHolder, Offer: MessageID{9}, Source: testIdentity(t, "bob").Address()}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	smallOrder := append(bytes.Clone(holder[:2+32]), make([]byte, 32)...) // the identity point as source
	return [][]byte{offer, holder, offer[:len(offer)-1], append(bytes.Clone(offer), 0), holder[:40], smallOrder,
		{1}, {2, 1}, {1, 3}, {}, append([]byte{1, 2}, make([]byte, 64)...)}
}

// FuzzFileOffer: the parser never panics, returns ErrMalformed for what
// it refuses, and what it accepts encodes back to its input.
func FuzzFileOffer(f *testing.F) {
	for _, s := range fileOfferSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fo, err := ParseFileOffer(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error without ErrMalformed: %v", err)
			}
			return
		}
		enc, err := fo.Encode()
		if err != nil {
			t.Fatalf("accepted an announcement that does not encode: %v", err)
		}
		if !bytes.Equal(enc, body) {
			t.Fatal("accepted announcement does not encode to its input")
		}
	})
}

// TestFileOfferSeedsMalformed: the broken seeds are refused.
func TestFileOfferSeedsMalformed(t *testing.T) {
	for i, s := range fileOfferSeeds(t)[2:] {
		if _, err := ParseFileOffer(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("seed %d: %v, want ErrMalformed", i+2, err)
		}
	}
}
