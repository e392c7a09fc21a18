package protocol

import (
	"bytes"
	"testing"
)

// FuzzDecode checks that Decode never panics and that whatever it accepts
// encodes back to the same bytes (one encoding per value).
func FuzzDecode(f *testing.F) {
	for _, r := range validRecords() {
		if b, err := Encode(r); err == nil && len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Add([]byte{0x02, 0x01, 0xff, 0xff})
	f.Fuzz(fuzzRoundTrip)
}

// fuzzRoundTrip checks that b either fails to decode (with no record) or
// decodes to a record that encodes back to exactly b.
func fuzzRoundTrip(t *testing.T, b []byte) {
	r, err := Decode(b)
	if err != nil {
		if r != nil {
			t.Fatal("record and error")
		}
		return
	}
	again, err := Encode(r)
	if err != nil {
		t.Fatalf("decoded %T does not encode: %v", r, err)
	}
	if !bytes.Equal(again, b) {
		t.Fatalf("round trip: %x -> %x", b, again)
	}
}
