package invite

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// The fuzz targets check, for every parser, that it never panics, that each
// error it returns has a hint, and that what it accepts round-trips: parse
// → encode gives back the input in canonical form (so no two texts mean the
// same invite, beyond case and white space), and parsing that again gives
// the same value. Seed corpora are in testdata/fuzz/; go test -update
// rewrites them from seeds().

// seeds returns the seed inputs of each fuzz target.
func seeds(t testing.TB) map[string][][]byte {
	t.Helper()
	_, invs := sortedInvites(t)
	out := map[string][][]byte{}
	add := func(target string, b []byte) { out[target] = append(out[target], b) }
	for _, n := range []string{"contact", "contact-verified", "server", "group", "group-epoch", "group-owned", "group-servers"} {
		inv := invs[n]
		text := inv.Encode()
		add("FuzzParse", []byte(text))
		add("FuzzParse", []byte(strings.ToLower(text[:40])+"\n"+text[40:]))
		add("FuzzParse", []byte(text[:len(text)-3]))
		payload, _ := decodePayload(text)
		switch inv.Kind() {
		case KindContact:
			add("FuzzContactPayload", payload)
		case KindServer:
			add("FuzzServerPayload", payload)
			add("FuzzBundle", payload)
		case KindGroup:
			if strings.HasPrefix(text, PrefixGroupOwned) {
				add("FuzzGroupOwnedPayload", payload)
				add("FuzzGroupOwnedPayload", payload[:len(payload)-5])
				one := slices.Clone(payload)
				if inv.(*GroupInvite).Epoch() == 0 {
					one[4+64] = 0 // no server
				} else {
					one[4+96] = 1 // three servers said to be one
				}
				add("FuzzGroupOwnedPayload", one)
			} else if inv.(*GroupInvite).Epoch() > 0 {
				add("FuzzGroupEpochPayload", payload)
				add("FuzzGroupEpochPayload", payload[:len(payload)-5])
				zero := append([]byte{0, 0, 0, 0}, payload[4:]...)
				add("FuzzGroupEpochPayload", zero)
			} else {
				add("FuzzGroupPayload", payload)
			}
		}
	}
	add("FuzzParse", []byte("NOOK:C2:AAAAAAAA"))
	add("FuzzParse", []byte("nook:"))
	add("FuzzParse", []byte(testID(t, 1).Address().String()))
	// As people paste invites: in a sentence, with invisible characters,
	// with words after it.
	contact := invs["contact"].Encode()
	add("FuzzParse", []byte(`Here is my invite: "`+contact+`".`))
	add("FuzzParse", []byte(contact[:31]+"\u00ad"+contact[31:40]+"\u200d\u200f"+contact[40:]))
	add("FuzzParse", []byte("Add me on Nook:\n"+contact[:30]+"\n"+contact[30:]+"\nsee you"))
	// Two invites, a text-direction control inside one and around one, a
	// full stop before a closing quote of several bytes and before a
	// no-break space (security review 2, L-B, L-F).
	add("FuzzParse", []byte("Don't use the old one ("+invs["contact-verified"].Encode()+"), use "+contact))
	add("FuzzParse", []byte(contact+"\n\n"+contact))
	add("FuzzParse", []byte(contact[:31]+"\u202e"+contact[31:]))
	add("FuzzParse", []byte("\u2067"+contact+"\u2069"))
	add("FuzzParse", []byte("“"+contact+".”"))
	add("FuzzParse", []byte(contact+".\u00a0See you"))
	// A group payload whose key is one byte short.
	if g, ok := invs["group"].(*GroupInvite); ok {
		key := g.Key()
		add("FuzzGroupPayload", appendName(append(key[:GroupKeySize-1:GroupKeySize-1], mustMarshal(g.Bundle(), nil)...), g.Name()))
	}
	set := NewSecretSet(func() time.Time { return testNow })
	for range 3 {
		if _, _, err := set.Issue(testRand(), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := set.MarshalBinary()
	add("FuzzSecretSet", data)
	add("FuzzSecretSet", []byte{1, 0, 0})
	// Version 1 (no flags byte), as the versions before MarkShared saved it.
	add("FuzzSecretSet", append(append([]byte{1, 0, 1}, bytes.Repeat([]byte{0xa5}, SecretSize)...), 0, 0, 0, 0, 0x69, 0xa4, 0x38, 0x50))
	png, err := QRPNG(invs["contact"].Encode(), 120)
	if err != nil {
		t.Fatal(err)
	}
	add("FuzzDecodeImageBytes", png)
	img, _ := QRImage("NOOK:", 50)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	add("FuzzDecodeImageBytes", buf.Bytes())
	add("FuzzDecodeImageBytes", pngHeader(3, 3))
	// WebP: a 1×1 lossless picture, the same in a VP8X container, and the
	// bomb; TIFF and BMP, which are refused.
	add("FuzzDecodeImageBytes", webpFile([]byte("VP8L"), vp8l(1, 1)))
	add("FuzzDecodeImageBytes", webpFile([]byte("VP8X"), vp8x(1, 1), []byte("VP8L"), vp8l(1, 1)))
	add("FuzzDecodeImageBytes", webpBomb())
	var ti, bm bytes.Buffer
	if err := tiff.Encode(&ti, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bm, img); err != nil {
		t.Fatal(err)
	}
	add("FuzzDecodeImageBytes", ti.Bytes())
	add("FuzzDecodeImageBytes", bm.Bytes())
	return out
}

// decodePayload returns the payload of a valid invite.
func decodePayload(text string) ([]byte, error) {
	s, err := compact(text)
	if err != nil {
		return nil, err
	}
	_, body, err := splitPrefix(s)
	if err != nil {
		return nil, err
	}
	raw, _, err := decodeBody(body, 0)
	if err != nil || len(raw) < ChecksumSize {
		return nil, fmt.Errorf("no payload")
	}
	return raw[:len(raw)-ChecksumSize], nil
}

// TestFuzzCorpus checks the seed corpora in testdata/fuzz are those seeds()
// makes (go test -update rewrites them).
func TestFuzzCorpus(t *testing.T) {
	for target, inputs := range seeds(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		for i, in := range inputs {
			path := filepath.Join(dir, fmt.Sprintf("seed-%02d", i))
			var want string
			if target == "FuzzParse" {
				want = fmt.Sprintf("go test fuzz v1\nstring(%q)\n", in)
			} else {
				want = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", in)
			}
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if string(got) != want {
				t.Fatalf("%s is out of date (run go test -update)", path)
			}
		}
	}
}

// checkParsed checks an accepted invite round-trips to canonical.
func checkParsed(t *testing.T, inv Invite, canonical string) {
	t.Helper()
	enc := inv.Encode()
	if enc != canonical {
		t.Fatalf("parse→encode changed the invite:\n in  %q\n out %q", canonical, enc)
	}
	again, err := ParseAt(enc, testNow)
	if err != nil {
		t.Fatalf("encoded invite does not parse: %v", err)
	}
	sameInvite(t, inv, again)
	if inv.Kind().String() == "" {
		t.Fatal("kind without a name")
	}
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if Hint(err) == "" {
		t.Fatalf("error without a hint: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds(f)["FuzzParse"] {
		f.Add(string(s))
	}
	f.Fuzz(func(t *testing.T, text string) {
		inv, err := ParseAt(text, testNow)
		if err != nil {
			checkErr(t, err)
			return
		}
		// The invite found is in the text: what remains of it without white
		// space and invisible characters, in upper case, holds the invite's
		// canonical text.
		enc := inv.Encode()
		all := strings.Map(func(r rune) rune {
			switch {
			case unicode.IsSpace(r) || invisible(r):
				return -1
			case 'a' <= r && r <= 'z':
				return r - 'a' + 'A'
			}
			return r
		}, text)
		if !strings.Contains(all, enc) {
			t.Fatalf("accepted %q, which is not in %q", enc, text)
		}
		checkParsed(t, inv, enc)
	})
}

// fuzzPayload fuzzes one kind's payload decoder behind a valid checksum.
func fuzzPayload(f *testing.F, target, prefix string) {
	for _, s := range seeds(f)[target] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		text := frame(prefix, data)
		inv, err := ParseAt(text, testNow)
		if err != nil {
			checkErr(t, err)
			return
		}
		checkParsed(t, inv, text)
	})
}

func FuzzContactPayload(f *testing.F) { fuzzPayload(f, "FuzzContactPayload", PrefixContact) }
func FuzzServerPayload(f *testing.F)  { fuzzPayload(f, "FuzzServerPayload", PrefixServer) }
func FuzzGroupPayload(f *testing.F)   { fuzzPayload(f, "FuzzGroupPayload", PrefixGroup) }

// FuzzGroupOwnedPayload fuzzes G3 payloads (group3.go).
func FuzzGroupOwnedPayload(f *testing.F) {
	fuzzPayload(f, "FuzzGroupOwnedPayload", PrefixGroupOwned)
}

// FuzzGroupEpochPayload fuzzes G2 payloads (group2.go).
func FuzzGroupEpochPayload(f *testing.F) {
	fuzzPayload(f, "FuzzGroupEpochPayload", PrefixGroupEpoch)
}

func FuzzBundle(f *testing.F) {
	for _, s := range seeds(f)["FuzzBundle"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Bundle
		if err := b.UnmarshalBinary(data); err != nil {
			checkErr(t, err)
			return
		}
		enc, err := b.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded bundle does not encode: %v", err)
		}
		if !bytes.Equal(enc, data) {
			t.Fatalf("bundle changed in a round trip:\n%x\n%x", data, enc)
		}
		if err := b.Verify(); err != nil {
			checkErr(t, err)
		} else if _, err := ParseBundle(data); err != nil {
			t.Fatalf("verified bundle does not parse: %v", err)
		}
	})
}

func FuzzSecretSet(f *testing.F) {
	for _, s := range seeds(f)["FuzzSecretSet"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewSecretSet(func() time.Time { return time.Unix(0, 0) })
		if err := s.UnmarshalBinary(data); err != nil {
			checkErr(t, err)
			return
		}
		enc, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		want := len(data)
		if data[0] == 1 { // version 1 is rewritten as version 2, a flags byte more per secret
			want += (len(data) - 3) / secretEntrySizeV1
		}
		if len(enc) != want {
			t.Fatalf("secret set of %d bytes marshals to %d", len(data), len(enc))
		}
		s2 := NewSecretSet(func() time.Time { return time.Unix(0, 0) })
		if err := s2.UnmarshalBinary(enc); err != nil {
			t.Fatalf("marshalled set does not unmarshal: %v", err)
		}
		enc2, _ := s2.MarshalBinary()
		if !bytes.Equal(enc, enc2) {
			t.Fatal("secret set changed in a round trip")
		}
	})
}

func FuzzDecodeImageBytes(f *testing.F) {
	for _, s := range seeds(f)["FuzzDecodeImageBytes"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := decodeImage(data)
		if err != nil {
			checkErr(t, err)
			return
		}
		if b := img.Bounds(); b.Dx()*b.Dy() > 1<<20 {
			return // decoding a large image is slow, not interesting
		}
		text, err := ReadQR(img)
		if err != nil {
			checkErr(t, err)
			return
		}
		if _, err := ParseAt(text, testNow); err != nil {
			checkErr(t, err)
		}
	})
}
