package profile

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the seed corpus under testdata/fuzz")

var fuzzStreamKey = bytes.Repeat([]byte{0x42}, 32)

// headerSeed is a header sealed under password. (The seed "valid-v1" is a
// format 1 header, written by the Nook before format 2.)
func headerSeed(password string) []byte {
	h := &header{params: InsecureTestParams, created: time.Unix(1700000000, 0)}
	h.id[0] = 1
	h.seal(bytes.NewReader(bytes.Repeat([]byte{9}, 64)), password, bytes.Repeat([]byte{5}, 32))
	return h.marshal()
}

// exportSeed is an export file body: header, then a stream under
// fuzzStreamKey holding a payload prefix and some bytes.
func exportSeed(payload int) []byte {
	h := &exportHeader{params: InsecureTestParams}
	var buf bytes.Buffer
	buf.Write(h.marshal())
	w, _ := newStreamWriter(fuzzStreamKey, &buf)
	w.Write([]byte{payloadVersion, 0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00})
	w.Write(bytes.Repeat([]byte{7}, payload))
	w.Close()
	return buf.Bytes()
}

// FuzzParseHeader: any bytes give a header or an error, never a panic, and
// an accepted header marshals back to the same bytes.
func FuzzParseHeader(f *testing.F) {
	f.Add(headerSeed("pw"))
	f.Add(headerSeed(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader(b)
		if err != nil {
			return
		}
		if !bytes.Equal(h.marshal(), b) {
			t.Fatalf("header does not round-trip")
		}
	})
}

// FuzzExportReader: the export header parser and the payload stream reader
// (under a fixed key: the KDF is not what is fuzzed) never panic, and the
// reader ends with io.EOF only after a last chunk.
func FuzzExportReader(f *testing.F) {
	f.Add(exportSeed(10))
	f.Add(exportSeed(chunkSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := parseExportHeader(b[:min(len(b), exportHeaderSize)]); err == nil {
			if !bytes.Equal(h.marshal(), b[:exportHeaderSize]) {
				t.Fatalf("export header does not round-trip")
			}
		}
		if len(b) < exportHeaderSize {
			return
		}
		r, _, err := readPayload(fuzzStreamKey, bytes.NewReader(b[exportHeaderSize:]))
		if err != nil {
			return
		}
		io.Copy(io.Discard, r)
	})
}

// TestWriteFuzzCorpus rewrites testdata/fuzz with -update.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the seed corpus")
	}
	write := func(target, name string, b []byte) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hs := headerSeed("pw")
	write("FuzzParseHeader", "valid", hs)
	write("FuzzParseHeader", "valid-nopassword", headerSeed(""))
	write("FuzzParseHeader", "truncated", hs[:100])
	write("FuzzParseHeader", "newer", append([]byte(headerMagic), 0, formatVersion+1))
	es := exportSeed(100)
	write("FuzzExportReader", "valid", es)
	write("FuzzExportReader", "truncated", es[:len(es)-5])
	write("FuzzExportReader", "header-only", es[:exportHeaderSize])
}
