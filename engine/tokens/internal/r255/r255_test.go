package r255

import (
	"bufio"
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"filippo.io/edwards25519"
	"github.com/cloudflare/circl/group"
)

// readLines returns the lines of a testdata file that are neither blank
// nor comments.
func readLines(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rfc9496 returns the vectors of testdata/rfc9496-ristretto255.txt by
// kind ("multiple", "invalid", "label", "map"), each line's fields after
// the kind.
func rfc9496(t *testing.T) map[string][][]string {
	v := map[string][][]string{}
	for _, l := range readLines(t, "rfc9496-ristretto255.txt") {
		kind, rest, _ := strings.Cut(l, " ")
		if kind == "label" {
			v[kind] = append(v[kind], []string{rest})
		} else {
			v[kind] = append(v[kind], strings.Fields(rest))
		}
	}
	return v
}

func smallScalar(i uint64) *edwards25519.Scalar {
	var b [32]byte
	b[0], b[1] = byte(i), byte(i>>8)
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b[:])
	if err != nil {
		panic(err)
	}
	return s
}

// TestGeneratorMultiples checks RFC 9496 A.1: the encodings of B·0 to
// B·15, computed by repeated addition and by ScalarBaseMult and
// ScalarMult, and decoded back.
func TestGeneratorMultiples(t *testing.T) {
	vs := rfc9496(t)["multiple"]
	if len(vs) != 16 {
		t.Fatalf("%d multiples", len(vs))
	}
	sum := NewIdentity()
	for i, v := range vs {
		want := v[0]
		if got := hex.EncodeToString(sum.Bytes()); got != want {
			t.Errorf("B·%d by addition: %s, want %s", i, got, want)
		}
		if got := hex.EncodeToString(new(Element).ScalarBaseMult(smallScalar(uint64(i))).Bytes()); got != want {
			t.Errorf("B·%d by ScalarBaseMult: %s", i, got)
		}
		if got := hex.EncodeToString(new(Element).ScalarMult(smallScalar(uint64(i)), NewGenerator()).Bytes()); got != want {
			t.Errorf("B·%d by ScalarMult: %s", i, got)
		}
		d, err := new(Element).SetCanonicalBytes(unhex(t, want))
		if err != nil {
			t.Fatalf("B·%d does not decode: %v", i, err)
		}
		if d.Equal(sum) != 1 || hex.EncodeToString(d.Bytes()) != want {
			t.Errorf("B·%d decoded is another element", i)
		}
		if i > 0 && d.Equal(NewIdentity()) == 1 {
			t.Errorf("B·%d equals the identity", i)
		}
		sum.Add(sum, NewGenerator())
	}
}

// TestInvalidEncodings checks that every encoding of RFC 9496 A.2 is
// refused, and that bad lengths are.
func TestInvalidEncodings(t *testing.T) {
	vs := rfc9496(t)["invalid"]
	if len(vs) != 29 {
		t.Fatalf("%d invalid encodings", len(vs))
	}
	for _, v := range vs {
		e := NewGenerator()
		if _, err := e.SetCanonicalBytes(unhex(t, v[0])); err == nil {
			t.Errorf("%s decoded", v[0])
		}
		if e.Equal(NewGenerator()) != 1 {
			t.Errorf("a refused decoding changed the element")
		}
	}
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := new(Element).SetCanonicalBytes(make([]byte, n)); err == nil {
			t.Errorf("%d bytes decoded", n)
		}
	}
}

// TestOneWayMap checks RFC 9496 A.3: each input is the SHA-512 of its
// label, and maps to the element given.
func TestOneWayMap(t *testing.T) {
	v := rfc9496(t)
	maps, labels := v["map"], v["label"]
	if len(maps) != 11 || len(labels) != 7 {
		t.Fatalf("%d map vectors, %d labels", len(maps), len(labels))
	}
	for i, l := range labels {
		if h := sha512.Sum512([]byte(l[0])); hex.EncodeToString(h[:]) != maps[i][0] {
			t.Errorf("SHA-512 of label %d is not the vector's input", i)
		}
	}
	for i, m := range maps {
		e, err := new(Element).SetUniformBytes(unhex(t, m[0]))
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(e.Bytes()); got != m[1] {
			t.Errorf("map vector %d: %s, want %s", i, got, m[1])
		}
	}
	if _, err := new(Element).SetUniformBytes(make([]byte, 63)); err == nil {
		t.Error("63 bytes mapped")
	}
}

// TestExpandMessageXMD checks RFC 9380 K.3 (expand_message_xmd with
// SHA-512) and the limits on lengths.
func TestExpandMessageXMD(t *testing.T) {
	var dst []byte
	n := 0
	cur := map[string]string{}
	check := func() {
		size, err := strconv.Atoi(cur["len_in_bytes"])
		if err != nil {
			t.Fatal(err)
		}
		out := make([]byte, size)
		if err := ExpandMessageXMD(out, []byte(cur["msg"]), dst); err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(out); got != cur["uniform_bytes"] {
			t.Errorf("msg %.10q, %d bytes: %s", cur["msg"], size, got)
		}
		n++
		cur = map[string]string{}
	}
	for _, l := range readLines(t, "rfc9380-expand-message-xmd-sha512.txt") {
		k, v, _ := strings.Cut(l, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "DST" {
			dst = []byte(v)
			continue
		}
		cur[k] = v
		if k == "uniform_bytes" {
			check()
		}
	}
	if n != 10 || len(dst) != 38 {
		t.Fatalf("%d vectors, DST of %d bytes", n, len(dst))
	}
	for _, c := range []struct{ out, dst int }{{0, 1}, {255*64 + 1, 1}, {32, 0}, {32, 256}} {
		if ExpandMessageXMD(make([]byte, c.out), nil, make([]byte, c.dst)) == nil {
			t.Errorf("%d bytes with a tag of %d accepted", c.out, c.dst)
		}
	}
	if ExpandMessageXMD(make([]byte, 255*64), nil, []byte("x")) != nil {
		t.Error("the largest output refused")
	}
}

var circlGroup = group.Ristretto255

// circlScalar returns circl's scalar for k.
func circlScalar(t testing.TB, k *edwards25519.Scalar) group.Scalar {
	s := circlGroup.NewScalar()
	if err := s.UnmarshalBinary(k.Bytes()); err != nil {
		t.Fatal(err)
	}
	return s
}

func randomScalar(r *rand.ChaCha8) *edwards25519.Scalar {
	var b [64]byte
	r.Read(b[:])
	s, _ := edwards25519.NewScalar().SetUniformBytes(b[:])
	return s
}

// TestMatchesCircl compares this package with circl (the implementation
// the tokens package uses elsewhere) on 2000 random messages, tags and
// scalars: hash to group, scalar multiplication, addition, encoding and
// decoding give the same bytes.
func TestMatchesCircl(t *testing.T) {
	r := rand.NewChaCha8([32]byte{1})
	for i := range 2000 {
		msg := make([]byte, r.Uint64()%100)
		r.Read(msg)
		dst := make([]byte, 1+r.Uint64()%60)
		r.Read(dst)
		k := randomScalar(r)

		mine, err := new(Element).HashToGroup(msg, dst)
		if err != nil {
			t.Fatal(err)
		}
		theirs := circlGroup.HashToElement(msg, dst)
		cb, _ := theirs.MarshalBinaryCompress()
		if !bytes.Equal(mine.Bytes(), cb) {
			t.Fatalf("%d: hash to group %x, circl %x", i, mine.Bytes(), cb)
		}
		mk := new(Element).ScalarMult(k, mine)
		ck := circlGroup.NewElement().Mul(theirs, circlScalar(t, k))
		cb, _ = ck.MarshalBinaryCompress()
		if !bytes.Equal(mk.Bytes(), cb) {
			t.Fatalf("%d: k·P %x, circl %x", i, mk.Bytes(), cb)
		}
		gk := new(Element).ScalarBaseMult(k)
		cb, _ = circlGroup.NewElement().MulGen(circlScalar(t, k)).MarshalBinaryCompress()
		if !bytes.Equal(gk.Bytes(), cb) {
			t.Fatalf("%d: k·B %x, circl %x", i, gk.Bytes(), cb)
		}
		sum := new(Element).Add(mk, gk)
		cb, _ = circlGroup.NewElement().Add(ck, circlGroup.NewElement().MulGen(circlScalar(t, k))).MarshalBinaryCompress()
		if !bytes.Equal(sum.Bytes(), cb) {
			t.Fatalf("%d: sum %x, circl %x", i, sum.Bytes(), cb)
		}
		d, err := new(Element).SetCanonicalBytes(cb)
		if err != nil || d.Equal(sum) != 1 || !bytes.Equal(d.Bytes(), cb) {
			t.Fatalf("%d: circl's encoding %x does not decode to the element (%v)", i, cb, err)
		}
	}
}

// TestDecodeMatchesCircl decodes 20 000 random strings (most are not
// elements; those with the top bit clear and a non-negative s are more
// often) with both implementations: they accept the same ones, as the
// same elements.
func TestDecodeMatchesCircl(t *testing.T) {
	r := rand.NewChaCha8([32]byte{2})
	accepted := 0
	for range 20000 {
		var b [32]byte
		r.Read(b[:])
		if r.Uint64()%2 == 0 {
			b[31] &= 0x7f
			b[0] &^= 1
		}
		if decodeAgrees(t, b[:]) {
			accepted++
		}
	}
	if accepted < 1000 {
		t.Fatalf("only %d of the random strings were elements", accepted)
	}
}

// decodeAgrees checks that this package and circl decode b alike and
// reports whether b is an element.
func decodeAgrees(t testing.TB, b []byte) bool {
	mine, err := new(Element).SetCanonicalBytes(b)
	theirs := circlGroup.NewElement()
	cerr := theirs.UnmarshalBinary(b)
	if (err == nil) != (cerr == nil) {
		t.Fatalf("%x: decoding gives %v here, %v in circl", b, err, cerr)
	}
	if err != nil {
		return false
	}
	cb, _ := theirs.MarshalBinaryCompress()
	if !bytes.Equal(mine.Bytes(), cb) || !bytes.Equal(cb, b) {
		t.Fatalf("%x: re-encoded %x here, %x by circl", b, mine.Bytes(), cb)
	}
	return true
}

// FuzzHashToGroup compares hash to group and multiplication by a scalar
// with circl.
func FuzzHashToGroup(f *testing.F) {
	f.Add([]byte("abc"), []byte("HashToGroup-OPRFV1-\x01-ristretto255-SHA512"), make([]byte, 64))
	f.Add([]byte{}, []byte{0}, bytes.Repeat([]byte{0xff}, 64))
	f.Fuzz(func(t *testing.T, msg, dst, scalar []byte) {
		mine, err := new(Element).HashToGroup(msg, dst)
		if len(dst) == 0 || len(dst) > 255 {
			if err == nil {
				t.Fatal("bad tag accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		theirs := circlGroup.HashToElement(msg, dst)
		cb, _ := theirs.MarshalBinaryCompress()
		if !bytes.Equal(mine.Bytes(), cb) {
			t.Fatalf("hash to group %x, circl %x", mine.Bytes(), cb)
		}
		var wide [64]byte
		copy(wide[:], scalar)
		k, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
		cb, _ = circlGroup.NewElement().Mul(theirs, circlScalar(t, k)).MarshalBinaryCompress()
		if got := new(Element).ScalarMult(k, mine).Bytes(); !bytes.Equal(got, cb) {
			t.Fatalf("k·P %x, circl %x", got, cb)
		}
	})
}

// FuzzSetCanonicalBytes compares decoding with circl's.
func FuzzSetCanonicalBytes(f *testing.F) {
	f.Add(NewGenerator().Bytes())
	f.Add(make([]byte, 32))
	f.Add(bytes.Repeat([]byte{0xff}, 32))
	p := bytes.Repeat([]byte{0xff}, 32) // 2²⁵⁵-19, not canonical
	p[0], p[31] = 0xed, 0x7f
	f.Add(p)
	f.Fuzz(func(t *testing.T, b []byte) { decodeAgrees(t, b) })
}

// BenchmarkScalarMult is k·P with a random k, in constant time.
func BenchmarkScalarMult(b *testing.B) {
	r := rand.NewChaCha8([32]byte{3})
	k, p := randomScalar(r), new(Element).ScalarBaseMult(randomScalar(r))
	for b.Loop() {
		p.ScalarMult(k, p)
	}
}

// BenchmarkHashToGroup is expand_message_xmd and the one-way map of a
// 32-byte message.
func BenchmarkHashToGroup(b *testing.B) {
	msg, dst := make([]byte, 32), []byte("HashToGroup-OPRFV1-\x01-ristretto255-SHA512")
	e := new(Element)
	for b.Loop() {
		e.HashToGroup(msg, dst)
	}
}

// BenchmarkEncode is the encoding of an element.
func BenchmarkEncode(b *testing.B) {
	e := NewGenerator()
	var out [32]byte
	for b.Loop() {
		e.Encode(&out)
	}
}
