package protocol

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func elems(n int, seed byte) [][ElementSize]byte {
	v := make([][ElementSize]byte, n)
	for i := range v {
		for j := range v[i] {
			v[i][j] = seed + byte(i) + byte(j)
		}
	}
	return v
}

// blob returns a blob of BlobSize bytes, every one b.
func blob(b byte) []byte { return bytes.Repeat([]byte{b}, BlobSize) }

func fullBlob(b byte) (out [BlobSize]byte) {
	for i := range out {
		out[i] = b ^ byte(i)
	}
	return out
}

// validServerRecords holds records of every server type, at and near limits.
func validServerRecords() []Record {
	blob := fullBlob(7)
	return []Record{
		&TokenChallengeRequest{},
		&TokenChallenge{Challenge: [32]byte{1, 2, 3}, Bits: 18},
		&TokenChallenge{Bits: MaxPoWBits},
		&TokenRequest{Challenge: [32]byte{9}, Blinded: elems(1, 1), Nonce: 77},
		&TokenRequest{Blinded: elems(MaxTokenBatch, 3), Nonce: 1<<64 - 1},
		&TokenResponse{Evaluated: elems(1, 5), Proof: [64]byte{1, 63: 2}},
		&TokenResponse{Evaluated: elems(MaxTokenBatch, 6)},
		&Refused{Request: TypeTokenRequest, Reason: ReasonBadPoW},
		&Refused{Request: TypeSubscribe, Reason: 0xee},
		&Post{Blob: blob[:], Token: bytes.Repeat([]byte{4}, 96)},
		&Post{Blob: blob[:]},
		&Post{Blob: []byte{1}, Token: []byte{2}},
		&Post{Blob: make([]byte, MaxPostBlob), Token: make([]byte, MaxPostToken)},
		&Post{},
		&PostResult{Status: PostOK, Seq: 1},
		&PostResult{Status: PostTokenSpent},
		&PostResult{Status: 0x7f},
		&Subscribe{},
		&Subscribe{Cursor: 1<<64 - 1},
		&Blob{Seq: 1, Blob: blob},
		&Blob{Seq: 1<<64 - 1},
		&CaughtUp{Head: 0, Oldest: 1},
		&CaughtUp{Head: 10, Oldest: 3},
		&CaughtUp{Head: 10, Oldest: 11},
		&Blobs{Blobs: []BlobRef{{Seq: 1, Blob: blob[:]}}},
		&Blobs{Blobs: []BlobRef{{Seq: 5, Blob: blob[:]}, {Seq: 3, Blob: make([]byte, BlobSize)}}},
		&AcceptBlobs{},
	}
}

func normaliseServer(r Record) Record {
	if p, ok := r.(*Post); ok {
		c := *p
		if len(c.Blob) == 0 {
			c.Blob = nil
		}
		if len(c.Token) == 0 {
			c.Token = nil
		}
		return &c
	}
	return r
}

func TestServerRoundTrip(t *testing.T) {
	for i, r := range validServerRecords() {
		t.Run(fmt.Sprintf("%s/%d", r.Type(), i), func(t *testing.T) { checkRoundTrip(t, r, normaliseServer) })
	}
}

// TestServerRecordsFitOneFrame checks that the records sent for every blob
// and post fit one frame (8173 bytes of data), so a post or a streamed blob
// is one 8192-byte unit on the wire.
func TestServerRecordsFitOneFrame(t *testing.T) {
	blob := fullBlob(1)
	for _, r := range []Record{
		&Blob{Seq: 1, Blob: blob},
		&Post{Blob: blob[:], Token: make([]byte, MaxPostToken)},
		&TokenRequest{Blinded: elems(MaxTokenBatch, 0)},
		&TokenResponse{Evaluated: elems(MaxTokenBatch, 0)},
	} {
		b, err := Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 8173 {
			t.Errorf("%s is %d bytes, more than one frame", r.Type(), len(b))
		}
	}
}

// TestBlobsShareInput checks that a decoded Blobs record's blobs are the
// bytes it was decoded from (a catch-up copies no blob), at the most blobs
// a record carries, and that such a record is nine frames of data.
func TestBlobsShareInput(t *testing.T) {
	r := &Blobs{}
	for i := range MaxBlobs {
		r.Blobs = append(r.Blobs, BlobRef{Seq: uint64(100 + i), Blob: blob(byte(i))})
	}
	b := mustEncode(t, r)
	if frames := (len(b) + 8172) / 8173; frames != 9 {
		t.Errorf("%d blobs in %d frames of data, want 9", MaxBlobs, frames)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	bs := got.(*Blobs).Blobs
	if len(bs) != MaxBlobs || bs[3].Seq != 103 || !bytes.Equal(bs[3].Blob, blob(3)) {
		t.Fatalf("decoded %d blobs", len(bs))
	}
	b[3+3*(8+BlobSize)+8] = 0xee // the first byte of the fourth blob
	if bs[3].Blob[0] != 0xee || len(bs[3].Blob) != BlobSize {
		t.Error("a decoded blob is a copy of the record's bytes")
	}
}

// TestBlobsCapped checks that a decoded blob's capacity ends with it
// (second review, item 5): appending to one never writes over the next
// blob, nor over the bytes after the record in a larger read buffer.
func TestBlobsCapped(t *testing.T) {
	r := &Blobs{Blobs: []BlobRef{{Seq: 1, Blob: blob(0xaa)}, {Seq: 2, Blob: blob(0xbb)}}}
	enc := mustEncode(t, r)
	buf := make([]byte, len(enc), len(enc)+BlobSize) // a reader's buffer, with room after the record
	copy(buf, enc)
	got, err := Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	bs := got.(*Blobs).Blobs
	for i, b := range bs {
		if cap(b.Blob) != len(b.Blob) {
			t.Errorf("blob %d: capacity %d, length %d", i, cap(b.Blob), len(b.Blob))
		}
	}
	_ = append(bs[0].Blob, 0x11)
	_ = append(bs[1].Blob, 0x22)
	if !bytes.Equal(buf, enc) {
		t.Error("appending to a decoded blob wrote over the record")
	}
	if buf[:len(buf)+1][len(buf)] != 0 {
		t.Error("appending to the last blob wrote past the record in its buffer")
	}
}

// TestServerEncoding pins the byte layout of docs/groups.md.
func TestServerEncoding(t *testing.T) {
	tests := []struct {
		r    Record
		want string
	}{
		{&TokenChallengeRequest{}, "2001"},
		{&TokenChallenge{Challenge: [32]byte{0xaa}, Bits: 20}, "2101 aa" + strings.Repeat("00", 31) + " 14"},
		{&TokenRequest{Challenge: [32]byte{0xbb}, Blinded: elems(1, 0), Nonce: 5},
			"2201 bb" + strings.Repeat("00", 31) + " 01 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 0000000000000005"},
		{&Refused{Request: TypeTokenRequest, Reason: ReasonRateLimited}, "2401 22 05"},
		{&Post{Blob: []byte{1, 2}, Token: []byte{3}}, "2501 0002 0102 0001 03"},
		{&PostResult{Status: PostOK, Seq: 258}, "2601 00 0000000000000102"},
		{&PostResult{Status: PostWrongSize}, "2601 04 0000000000000000"},
		{&Subscribe{Cursor: 9}, "2701 0000000000000009"},
		{&CaughtUp{Head: 3, Oldest: 2}, "2901 0000000000000003 0000000000000002"},
	}
	for _, tt := range tests {
		b, err := Encode(tt.r)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hex.EncodeToString(b), strings.ReplaceAll(tt.want, " ", ""); got != want {
			t.Errorf("%s: got %s, want %s", tt.r.Type(), got, want)
		}
	}
	b, _ := Encode(&Blob{Seq: 1})
	if len(b) != 2+8+BlobSize || hex.EncodeToString(b[:10]) != "28010000000000000001" {
		t.Errorf("Blob layout: %x…", b[:10])
	}
	b, _ = Encode(&Blobs{Blobs: []BlobRef{{Seq: 1, Blob: blob(0xaa)}, {Seq: 2, Blob: blob(0xbb)}}})
	if len(b) != 3+2*(8+BlobSize) || hex.EncodeToString(b[:11]) != "2a01020000000000000001" || b[11] != 0xaa ||
		hex.EncodeToString(b[11+BlobSize:][:8]) != "0000000000000002" || b[11+BlobSize+8] != 0xbb {
		t.Errorf("Blobs layout: %x…", b[:11])
	}
	if b, _ = Encode(&AcceptBlobs{}); hex.EncodeToString(b) != "2b01" {
		t.Errorf("AcceptBlobs layout: %x", b)
	}
	b, _ = Encode(&TokenResponse{Evaluated: elems(2, 0), Proof: [64]byte{0xcc}})
	if len(b) != 2+1+2*32+64 || b[2] != 2 || b[2+1+64] != 0xcc {
		t.Errorf("TokenResponse layout: %x", b)
	}
}

func TestServerEncodeRefusesInvalid(t *testing.T) {
	bad := []Record{
		&TokenChallenge{Bits: MaxPoWBits + 1},
		&TokenRequest{},
		&TokenRequest{Blinded: elems(MaxTokenBatch+1, 0)},
		&TokenResponse{},
		&Post{Blob: make([]byte, MaxPostBlob+1)},
		&Post{Token: make([]byte, MaxPostToken+1)},
		&PostResult{Status: PostOK},
		&PostResult{Status: PostNoToken, Seq: 3},
		&Blob{},
		&CaughtUp{},
		&CaughtUp{Head: 3, Oldest: 5},
		&Blobs{},
		&Blobs{Blobs: make([]BlobRef, MaxBlobs+1)},
		&Blobs{Blobs: []BlobRef{{Seq: 0, Blob: blob(1)}}},
		&Blobs{Blobs: []BlobRef{{Seq: 1, Blob: blob(1)[1:]}}},
		&Blobs{Blobs: []BlobRef{{Seq: 1}}},
	}
	checkRefused(t, bad)
}

func TestServerDecodeMalformed(t *testing.T) {
	enc := func(r Record) []byte { return mustEncode(t, r) }
	z := func(n int) []byte { return make([]byte, n) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	blob := enc(&Blob{Seq: 1})
	tests := map[string][]byte{
		"challenge request with body": {0x20, 0x01, 0x00},
		"challenge short":             cat([]byte{0x21, 0x01}, z(32)),
		"challenge bits too high":     cat([]byte{0x21, 0x01}, z(32), []byte{MaxPoWBits + 1}),
		"token request zero":          cat([]byte{0x22, 0x01}, z(32), []byte{0}, z(8)),
		"token request too many":      cat([]byte{0x22, 0x01}, z(32), []byte{MaxTokenBatch + 1}, z(32*(MaxTokenBatch+1)), z(8)),
		"token request short":         cat([]byte{0x22, 0x01}, z(32), []byte{2}, z(32), z(8)),
		"token request trailing":      cat(enc(&TokenRequest{Blinded: elems(1, 0)}), []byte{0}),
		"token response no proof":     cat([]byte{0x23, 0x01, 1}, z(32)),
		"token response huge count":   cat([]byte{0x23, 0x01, 0xff}, z(64)),
		"refused short":               {0x24, 0x01, 0x22},
		"post blob too long":          cat([]byte{0x25, 0x01}, []byte{0x20, 0x01}, z(MaxPostBlob+1), []byte{0, 0}),
		"post token too long":         cat([]byte{0x25, 0x01, 0, 0, 0x01, 0x01}, z(MaxPostToken+1)),
		"post length past end":        {0x25, 0x01, 0x10, 0x00, 1, 2, 3},
		"post result ok seq 0":        cat([]byte{0x26, 0x01, 0}, z(8)),
		"post result refused seq":     cat([]byte{0x26, 0x01, 2}, z(7), []byte{1}),
		"subscribe short":             {0x27, 0x01, 0, 0},
		"blob seq 0":                  cat([]byte{0x28, 0x01}, z(8), z(BlobSize)),
		"blob short":                  blob[:len(blob)-1],
		"blob long":                   cat(blob, []byte{0}),
		"caught up oldest 0":          cat([]byte{0x29, 0x01}, z(16)),
		"blobs none":                  {0x2a, 0x01, 0},
		"blobs too many":              cat([]byte{0x2a, 0x01, MaxBlobs + 1}, bytes.Repeat(cat([]byte{0, 0, 0, 0, 0, 0, 0, 1}, z(BlobSize)), MaxBlobs+1)),
		"blobs count past end":        cat([]byte{0x2a, 0x01, 0xff}, []byte{0, 0, 0, 0, 0, 0, 0, 1}, z(BlobSize)),
		"blobs short":                 cat([]byte{0x2a, 0x01, 2}, []byte{0, 0, 0, 0, 0, 0, 0, 1}, z(BlobSize)),
		"blobs trailing":              cat([]byte{0x2a, 0x01, 1}, []byte{0, 0, 0, 0, 0, 0, 0, 1}, z(BlobSize), []byte{0}),
		"blobs seq 0":                 cat([]byte{0x2a, 0x01, 2}, []byte{0, 0, 0, 0, 0, 0, 0, 1}, z(BlobSize), z(8), z(BlobSize)),
		"accept blobs with body":      {0x2b, 0x01, 0},
		"caught up oldest past head":  cat([]byte{0x29, 0x01}, z(7), []byte{1}, z(7), []byte{3}),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := Decode(b)
			if !errors.Is(err, ErrMalformed) || r != nil {
				t.Fatalf("got %v, %v; want ErrMalformed", r, err)
			}
		})
	}
}

func TestServerTypeNames(t *testing.T) {
	for _, r := range validServerRecords() {
		if s := r.Type().String(); strings.HasPrefix(s, "Type(") {
			t.Errorf("type %#02x has no name", uint8(r.Type()))
		}
	}
	if PostTokenSpent.String() != "token spent" || ReasonBadPoW.String() != "bad proof of work" || Reason(0xee).String() != "Reason(0xee)" {
		t.Error("status and reason names")
	}
}

// FuzzDecodeServer checks the server records like FuzzDecode: no panics,
// and whatever decodes encodes back to the same bytes.
func FuzzDecodeServer(f *testing.F) {
	for _, r := range validServerRecords() {
		if b, err := Encode(r); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0x22, 0x01, 0xff})
	f.Add([]byte{0x2a, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xff})
	f.Fuzz(fuzzRoundTrip)
}

// FuzzDecodeInto checks that DecodeInto, given a Blob to decode into,
// decodes exactly what Decode does (the same records, the same errors),
// from the same seeds as FuzzDecodeServer.
func FuzzDecodeInto(f *testing.F) {
	for _, r := range validServerRecords() {
		if b, err := Encode(r); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0x28, 0x01, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		want, werr := Decode(b)
		got, gerr := DecodeInto(b, &Blob{Seq: 7})
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("Decode: %v, DecodeInto: %v", werr, gerr)
		}
		if werr != nil {
			if !errors.Is(gerr, ErrMalformed) {
				t.Fatalf("DecodeInto: %v, want ErrMalformed", gerr)
			}
			return
		}
		eb, _ := Encode(want)
		gb, _ := Encode(got)
		if !bytes.Equal(eb, gb) || want.Type() != got.Type() {
			t.Fatalf("DecodeInto gave %T, Decode %T", got, want)
		}
	})
}

func TestWriteServerFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeServer")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, r := range validServerRecords() {
		b, err := Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		data := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
