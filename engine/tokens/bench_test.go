package tokens

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/internal/cputime"
)

// BenchmarkIssueBatch100 is one whole issuance of 100 tokens: client
// blinding, server evaluation with the batched proof, client verification
// and unblinding (no proof of work).
func BenchmarkIssueBatch100(b *testing.B) {
	iss := newIssuer(b, 1)
	for b.Loop() {
		issue(b, iss, MaxBatch, crand.Reader)
	}
}

// BenchmarkRedeem is the server's redemption alone (verify + spent set in
// memory), with the process's CPU time per redemption (cpu-ns/op: on a
// shared machine, ns/op also counts the time other work had the core).
func BenchmarkRedeem(b *testing.B) {
	iss := newIssuer(b, 1)
	toks := make([]Token, 0, b.N+MaxBatch)
	for len(toks) < b.N {
		toks = append(toks, issue(b, iss, MaxBatch, crand.Reader)...)
	}
	b.ResetTimer()
	cpu := startCPU()
	for i := 0; i < b.N; i++ {
		if err := iss.Redeem(toks[i]); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// cpuStart is the process's CPU time when a measurement started.
type cpuStart time.Duration

func startCPU() cpuStart {
	t, _ := cputime.Process()
	return cpuStart(t)
}

// report adds the process's CPU time per iteration since s (cpu-ns/op),
// where the system tells it.
func (s cpuStart) report(b *testing.B) {
	if t, ok := cputime.Process(); ok {
		b.ReportMetric(float64(t-time.Duration(s))/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkSolvePoW measures the default difficulty for a batch of 100.
func BenchmarkSolvePoW(b *testing.B) {
	bl := make([][ElementSize]byte, MaxBatch)
	var ch [32]byte
	for b.Loop() {
		crand.Read(ch[:])
		if _, err := SolvePoW(context.Background(), ch, DefaultPoWBits, bl); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add(append([]byte{TokenVersion}, make([]byte, InputSize+OutputSize)...))
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := ParseToken(b)
		if err != nil {
			return
		}
		again, _ := tok.MarshalBinary()
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip %x -> %x", b, again)
		}
	})
}

func FuzzParseWallet(f *testing.F) {
	k, _ := GenerateIssuerKey(testRand(1))
	w := NewWallet(k.Public())
	w.Add(Token{Input: [32]byte{1}}, Token{Output: [64]byte{2}})
	b, _ := w.MarshalBinary()
	f.Add(b)
	f.Add([]byte("NKTW\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWallet(b)
		if err != nil {
			return
		}
		again, _ := w.MarshalBinary()
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip %x -> %x", b, again)
		}
	})
}

func FuzzParseIssuerKey(f *testing.F) {
	k, _ := GenerateIssuerKey(testRand(1))
	sk, _ := k.MarshalBinary()
	f.Add(sk)
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseIssuerKey(b)
		if err != nil {
			return
		}
		again, _ := k.MarshalBinary()
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip %x -> %x", b, again)
		}
	})
}
