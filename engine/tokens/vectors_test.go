package tokens

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/cloudflare/circl/oprf"
	"github.com/cloudflare/circl/zk/dleq"
)

// TestRFC9497Vectors runs RFC 9497 Appendix A.1.2 (ristretto255-SHA512,
// VOPRF mode) against this package's key derivation, evaluation (Issue),
// proof and redemption check (Verify), with circl's client for the
// deterministic blinds the vectors fix.
func TestRFC9497Vectors(t *testing.T) {
	f, err := os.Open("testdata/rfc9497-ristretto255-voprf.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var head map[string]string
	var blocks []map[string]string
	cur := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if line == "" {
			if len(cur) > 0 {
				if head == nil {
					head = cur
				} else {
					blocks = append(blocks, cur)
				}
			}
			cur = map[string]string{}
			continue
		}
		k, v, _ := strings.Cut(line, " = ")
		cur[k] = v
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	if head == nil || len(blocks) != 3 {
		t.Fatalf("parsed %d vectors", len(blocks))
	}
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	list := func(s string) [][]byte {
		var out [][]byte
		for _, p := range strings.Split(s, ",") {
			out = append(out, unhex(p))
		}
		return out
	}
	key, err := DeriveIssuerKey(unhex(head["Seed"]), unhex(head["KeyInfo"]))
	if err != nil {
		t.Fatal(err)
	}
	if sk, _ := key.MarshalBinary(); !bytes.Equal(sk, unhex(head["skSm"])) {
		t.Fatalf("skSm %x", sk)
	}
	if pk := key.Public(); !bytes.Equal(pk[:], unhex(head["pkSm"])) {
		t.Fatalf("pkSm %x", pk)
	}
	iss := NewIssuer(key, NewMemorySpent())
	g := suite.Group()
	for i, v := range blocks {
		inputs := list(v["Input"])
		var blinds []oprf.Blind
		for _, b := range list(v["Blind"]) {
			s := g.NewScalar()
			if err := s.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			blinds = append(blinds, s)
		}
		pk, _ := key.Public().key(nil)
		cl := oprf.NewVerifiableClient(suite, pk)
		fin, req, err := cl.DeterministicBlind(inputs, blinds)
		if err != nil {
			t.Fatal(err)
		}
		blinded, _ := encodeElements(req.Elements)
		if got := joinHex(blinded); got != v["BlindedElement"] {
			t.Fatalf("vector %d BlindedElement %s", i, got)
		}
		ev, _, err := iss.Issue(blinded)
		if err != nil {
			t.Fatal(err)
		}
		if got := joinHex(ev); got != v["EvaluationElement"] {
			t.Fatalf("vector %d EvaluationElement %s", i, got)
		}
		// The proof with the vector's randomness.
		r := g.NewScalar()
		r.UnmarshalBinary(unhex(v["ProofRandomScalar"]))
		evals, _ := decodeElements(ev)
		sk, pkE := g.NewScalar(), g.NewElement()
		sk.UnmarshalBinary(unhex(head["skSm"]))
		pkE.UnmarshalBinary(unhex(head["pkSm"]))
		params := dleq.Params{G: g, H: suite.Hash(), DST: []byte("OPRFV1-\x01-ristretto255-SHA512")}
		proof, err := dleq.Prover{Params: params}.ProveBatchWithRandomnessRFC9497(sk, pkE, req.Elements, evals, r)
		if err != nil {
			t.Fatal(err)
		}
		if pb, _ := proof.MarshalBinary(); hex.EncodeToString(pb) != v["Proof"] {
			t.Fatalf("vector %d Proof %x", i, pb)
		}
		// Finalize with the RFC's proof: it verifies and gives the outputs.
		p := new(dleq.Proof)
		if err := p.UnmarshalBinary(g, unhex(v["Proof"])); err != nil {
			t.Fatal(err)
		}
		outs, err := cl.Finalize(fin, &oprf.Evaluation{Elements: evals, Proof: p})
		if err != nil {
			t.Fatalf("vector %d: RFC proof refused: %v", i, err)
		}
		for j, want := range list(v["Output"]) {
			if !bytes.Equal(outs[j], want) {
				t.Fatalf("vector %d Output %x", i, outs[j])
			}
			if !iss.srv.VerifyFinalize(inputs[j], want) {
				t.Fatalf("vector %d: redemption check refuses the RFC output", i)
			}
		}
	}
}

func joinHex(v [][ElementSize]byte) string {
	var s []string
	for _, e := range v {
		s = append(s, hex.EncodeToString(e[:]))
	}
	return strings.Join(s, ",")
}
