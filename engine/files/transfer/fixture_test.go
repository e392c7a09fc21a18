package transfer

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

var update = flag.Bool("update", false, "rewrite testdata/record-v1.bin")

// v1Record is the record testdata/record-v1.bin holds, written by layout
// 1's code: later layouts must still read it.
var v1Record = &record{ByContact: true, State: model.FileTransferring, Key: [16]byte{1, 2, 3},
	Name: "Report 2026.pdf", MediaType: "application/pdf", Size: 5_000_000, ChunkSize: 60 << 10,
	SHA256: [32]byte{0xaa}, Root: [32]byte{0xbb}, Have: 40, HashState: []byte("sha256 state"),
	Pending: pendNone, Sent: time.UnixMilli(1_780_000_000_000).UTC()}

// TestRecordV1Fixture reads a transfer record stored by layout 1
// (go test -run TestRecordV1Fixture -args -update writes it, only ever
// from layout 1's code).
func TestRecordV1Fixture(t *testing.T) {
	path := filepath.Join("testdata", "record-v1.bin")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, encodeRecord(v1Record), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, v1Record) {
		t.Fatalf("layout 1 record read as %+v", r)
	}
}
