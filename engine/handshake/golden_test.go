package handshake

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/wire"
)

var update = flag.Bool("update", false, "rewrite testdata files from the current code")

// TestGoldenTranscript runs the handshake with fixed identities and
// randomness and compares the messages, the handshake hash and the derived
// keys with testdata/transcript-v1.txt, the test vector of
// docs/protocol.md. Regenerate with -update after a deliberate change.
func TestGoldenTranscript(t *testing.T) {
	tr := record(t, testConfig(1), testConfig(2))
	var b strings.Builder
	fmt.Fprintf(&b, "# Nook handshake v1 test vector. Regenerate: go test ./engine/handshake -run TestGoldenTranscript -update\n")
	fmt.Fprintf(&b, "initiator_seed %s\n", hex.EncodeToString(alice.Seed()))
	fmt.Fprintf(&b, "responder_seed %s\n", hex.EncodeToString(bob.Seed()))
	fmt.Fprintf(&b, "initiator_rand chacha8(seed=01 00..00)\nresponder_rand chacha8(seed=02 00..00)\n")
	fmt.Fprintf(&b, "initiator_address %s\nresponder_address %s\n", alice.Address(), bob.Address())
	for i, m := range [][]byte{tr.m1, tr.m2, tr.m3} {
		fmt.Fprintf(&b, "message%d %s\n", i+1, hex.EncodeToString(m))
	}
	fmt.Fprintf(&b, "handshake_hash %x\n", tr.client.binding)
	fmt.Fprintf(&b, "key_i2r %x\nkey_r2i %x\n", tr.client.keys.Send, tr.client.keys.Recv)

	// The first frame: a Text record from the initiator.
	frame := firstFrame(t, tr)
	fmt.Fprintf(&b, "frame1_text_hello %s\n", hex.EncodeToString(frame))
	got := b.String()

	path := filepath.Join("testdata", "transcript-v1.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatal("transcript differs from testdata/transcript-v1.txt; if the change is deliberate, update docs/protocol.md and run with -update")
	}
	if tr.server.peer != alice.Address() || !bytes.Equal(tr.server.binding, tr.client.binding) {
		t.Fatal("server's view differs")
	}
}

func firstFrame(t *testing.T, tr transcript) []byte {
	rec, err := protocol.Encode(&protocol.Text{Body: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	bc := &captureConn{}
	c, err := wire.Open(bc, tr.client.keys, wire.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WriteRecord(rec); err != nil {
		t.Fatal(err)
	}
	return bc.buf.Bytes()
}

// captureConn collects writes.
type captureConn struct {
	nopConn
	buf bytes.Buffer
}

func (c *captureConn) Write(p []byte) (int, error) { return c.buf.Write(p) }
