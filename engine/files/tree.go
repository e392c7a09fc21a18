package files

import (
	"crypto/sha256"
	"errors"
	"math/bits"
)

// HashSize is the size of a tree hash (SHA-256).
const HashSize = sha256.Size

// MaxDepth is the longest audit path: a tree of at most 2^32 chunks.
const MaxDepth = 32

// Hash is a node of a chunk tree.
type Hash = [HashSize]byte

// ErrProof is returned by VerifyChunk for a chunk that does not lead to
// the root.
var ErrProof = errors.New("the chunk does not match the file's tree")

// Leaf returns the tree leaf of one chunk: SHA-256(0x00 ‖ chunk).
func Leaf(chunk []byte) Hash {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(chunk)
	var out Hash
	h.Sum(out[:0])
	return out
}

func node(l, r Hash) Hash {
	var b [1 + 2*HashSize]byte
	b[0] = 1
	copy(b[1:], l[:])
	copy(b[1+HashSize:], r[:])
	return sha256.Sum256(b[:])
}

// split is the size of the left subtree of n > 1 leaves: the largest power
// of two below n (RFC 6962 §2.1).
func split(n int) int { return 1 << (bits.Len(uint(n-1)) - 1) }

// Root returns the root of the tree over leaves (RFC 6962 §2.1 with the
// leaf and node hashes above). It returns the zero hash for no leaves.
func Root(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return Hash{}
	case 1:
		return leaves[0]
	}
	k := split(len(leaves))
	return node(Root(leaves[:k]), Root(leaves[k:]))
}

// Proof returns the audit path of leaf i among leaves: the sibling hashes
// from the leaf up to the root.
func Proof(leaves []Hash, i int) []Hash {
	if i < 0 || i >= len(leaves) {
		return nil
	}
	var path []Hash
	for len(leaves) > 1 {
		k := split(len(leaves))
		if i < k {
			path = append(path, Root(leaves[k:]))
			leaves = leaves[:k]
		} else {
			path = append(path, Root(leaves[:k]))
			leaves, i = leaves[k:], i-k
		}
	}
	// Collected from the top down; the path is read from the leaf up.
	for a, b := 0, len(path)-1; a < b; a, b = a+1, b-1 {
		path[a], path[b] = path[b], path[a]
	}
	return path
}

// Tree holds every node of a chunk tree that proofs need, so that each
// Proof costs O(log n) instead of rehashing subtrees: the perfect,
// aligned subtrees level by level, and the subtrees along the right edge
// (those of other sizes), computed once.
type Tree struct {
	n      int
	levels [][]Hash // levels[j][i]: root of leaves [i·2^j, (i+1)·2^j)
	edge   map[int]Hash
}

// NewTree builds the tree over leaves (at least one).
func NewTree(leaves []Hash) *Tree {
	t := &Tree{n: len(leaves), levels: [][]Hash{leaves}, edge: map[int]Hash{}}
	for cur := leaves; len(cur) > 1; {
		next := make([]Hash, len(cur)/2)
		for i := range next {
			next[i] = node(cur[2*i], cur[2*i+1])
		}
		t.levels = append(t.levels, next)
		cur = next
	}
	return t
}

// rootOf returns the root of leaves [a, b): a perfect aligned subtree
// from the levels, a right-edge one (b = n) computed once.
func (t *Tree) rootOf(a, b int) Hash {
	if size := b - a; size&(size-1) == 0 {
		j := bits.TrailingZeros(uint(size))
		return t.levels[j][a>>j]
	}
	if h, ok := t.edge[a]; ok && b == t.n {
		return h
	}
	k := split(b - a)
	h := node(t.rootOf(a, a+k), t.rootOf(a+k, b))
	if b == t.n {
		t.edge[a] = h
	}
	return h
}

// Root returns the tree's root.
func (t *Tree) Root() Hash { return t.rootOf(0, t.n) }

// Proof returns the audit path of leaf i, as Proof does.
func (t *Tree) Proof(i int) []Hash {
	if i < 0 || i >= t.n {
		return nil
	}
	var path []Hash
	a, b := 0, t.n
	for b-a > 1 {
		k := split(b - a)
		if i < a+k {
			path = append(path, t.rootOf(a+k, b))
			b = a + k
		} else {
			path = append(path, t.rootOf(a, a+k))
			a += k
		}
	}
	for x, y := 0, len(path)-1; x < y; x, y = x+1, y-1 {
		path[x], path[y] = path[y], path[x]
	}
	return path
}

// VerifyChunk checks that chunk is chunk i of a tree of n leaves with the
// given root, by its audit path. It returns ErrProof if not.
func VerifyChunk(root Hash, n, i int, chunk []byte, path []Hash) error {
	if n <= 0 || i < 0 || i >= n || len(path) > MaxDepth {
		return ErrProof
	}
	h, ok := climb(Leaf(chunk), n, i, path)
	if !ok || h != root {
		return ErrProof
	}
	return nil
}

// climb recomputes the root from leaf i's hash and its path, following
// the shape of a tree of n leaves from the top down; ok is false if the
// path has the wrong length.
func climb(leaf Hash, n, i int, path []Hash) (Hash, bool) {
	// The path's order is leaf-up; the shape is known top-down, so first
	// record, from the top, which side leaf i is on at each level.
	var left [MaxDepth]bool
	depth := 0
	for n > 1 {
		if depth == MaxDepth {
			return Hash{}, false
		}
		k := split(n)
		if i < k {
			left[depth], n = true, k
		} else {
			left[depth], n, i = false, n-k, i-k
		}
		depth++
	}
	if depth != len(path) {
		return Hash{}, false
	}
	h := leaf
	for j := range depth {
		sib := path[j]
		if left[depth-1-j] {
			h = node(h, sib)
		} else {
			h = node(sib, h)
		}
	}
	return h, true
}
