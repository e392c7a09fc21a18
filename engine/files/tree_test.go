package files

import (
	"crypto/sha256"
	"fmt"
	"reflect"
	"testing"
)

func leaves(n int) ([][]byte, []Hash) {
	chunks := make([][]byte, n)
	ls := make([]Hash, n)
	for i := range n {
		chunks[i] = []byte(fmt.Sprintf("chunk %d", i))
		ls[i] = Leaf(chunks[i])
	}
	return chunks, ls
}

// TestTreeShape checks Root against the RFC 6962 shape written out by
// hand for small trees.
func TestTreeShape(t *testing.T) {
	_, l := leaves(5)
	h := func(b ...[]byte) Hash {
		s := sha256.New()
		for _, x := range b {
			s.Write(x)
		}
		var out Hash
		s.Sum(out[:0])
		return out
	}
	n := func(a, b Hash) Hash { return h([]byte{1}, a[:], b[:]) }
	if l[0] != h([]byte{0}, []byte("chunk 0")) {
		t.Fatal("leaf hash")
	}
	want := map[int]Hash{
		1: l[0],
		2: n(l[0], l[1]),
		3: n(n(l[0], l[1]), l[2]),
		4: n(n(l[0], l[1]), n(l[2], l[3])),
		5: n(n(n(l[0], l[1]), n(l[2], l[3])), l[4]),
	}
	for k, w := range want {
		if got := Root(l[:k]); got != w {
			t.Errorf("Root of %d leaves differs from the RFC 6962 shape", k)
		}
	}
}

func TestProofs(t *testing.T) {
	for n := 1; n <= 70; n++ {
		chunks, l := leaves(n)
		root := Root(l)
		tree := NewTree(l)
		if tree.Root() != root {
			t.Fatalf("n=%d: Tree.Root differs from Root", n)
		}
		for i := range n {
			p := Proof(l, i)
			if tp := tree.Proof(i); !reflect.DeepEqual(tp, p) {
				t.Fatalf("n=%d i=%d: Tree.Proof differs from Proof", n, i)
			}
			if err := VerifyChunk(root, n, i, chunks[i], p); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			if VerifyChunk(root, n, i, append([]byte("x"), chunks[i]...), p) == nil {
				t.Fatalf("n=%d i=%d: a changed chunk verified", n, i)
			}
			if n > 1 {
				if VerifyChunk(root, n, (i+1)%n, chunks[i], p) == nil {
					t.Fatalf("n=%d i=%d: a chunk verified at another index", n, i)
				}
				bad := append([]Hash(nil), p...)
				bad[0][0] ^= 1
				if VerifyChunk(root, n, i, chunks[i], bad) == nil {
					t.Fatalf("n=%d i=%d: a changed path verified", n, i)
				}
				if VerifyChunk(root, n, i, chunks[i], p[:len(p)-1]) == nil {
					t.Fatalf("n=%d i=%d: a short path verified", n, i)
				}
			}
		}
		if VerifyChunk(root, n, n, chunks[0], nil) == nil || VerifyChunk(root, n, -1, chunks[0], nil) == nil {
			t.Fatalf("n=%d: an index out of range verified", n)
		}
	}
}

func FuzzVerifyChunk(f *testing.F) {
	chunks, l := leaves(9)
	root := Root(l)
	p := Proof(l, 4)
	flat := func(p []Hash) []byte {
		var b []byte
		for _, h := range p {
			b = append(b, h[:]...)
		}
		return b
	}
	f.Add(9, 4, chunks[4], flat(p))
	f.Add(9, 3, chunks[4], flat(p))
	f.Add(1, 0, chunks[0], []byte{})
	f.Fuzz(func(t *testing.T, n, i int, chunk, path []byte) {
		var hp []Hash
		for len(path) >= HashSize {
			hp = append(hp, Hash(path[:HashSize]))
			path = path[HashSize:]
		}
		// The root does not bind the number of leaves (the offer's size
		// does): a path may verify under another n. What must hold is
		// that only real chunks verify, and under the real n only at
		// their own index.
		if VerifyChunk(root, n, i, chunk, hp) != nil {
			return
		}
		if n == 9 && string(chunk) != string(chunks[i]) {
			t.Fatalf("chunk %q verified as chunk %d", chunk, i)
		}
		real := false
		for _, c := range chunks {
			real = real || string(c) == string(chunk)
		}
		if !real {
			t.Fatalf("a chunk that is none of the file's verified: n=%d i=%d %q", n, i, chunk)
		}
	})
}

// BenchmarkProofs measures proofs for every chunk of a 1 GiB file of
// 60 KiB chunks (17 477 leaves), as a sender answers them.
func BenchmarkProofs(b *testing.B) {
	_, l := leaves(17477)
	for b.Loop() {
		tree := NewTree(l)
		for i := range l {
			tree.Proof(i)
		}
	}
}
