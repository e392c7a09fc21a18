package group

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"testing"
)

// TestTagMAC checks the reusable HMAC against crypto/hmac: keys of 0 to 64
// bytes, messages shorter and longer than a block, one after another and
// from several goroutines at once; and that after wipe its keyed states
// are zeros and it computes nothing.
func TestTagMAC(t *testing.T) {
	for _, klen := range []int{0, 1, 32, 63, 64} {
		key := make([]byte, klen)
		rand.Read(key)
		m := newTagMAC(bytes.Clone(key))
		for _, mlen := range []int{0, 1, NonceSize, 55, 56, 64, 65, 200} {
			msg := make([]byte, mlen)
			rand.Read(msg)
			want := hmac.New(sha256.New, key)
			want.Write(msg)
			var got [sha256.Size]byte
			if !m.tag(got[:], msg) || !bytes.Equal(got[:], want.Sum(nil)) {
				t.Fatalf("key of %d bytes, message of %d: %x, want %x", klen, mlen, got, want.Sum(nil))
			}
			var short [TagSize]byte
			if !m.tag(short[:], msg) || !bytes.Equal(short[:], got[:TagSize]) {
				t.Fatalf("truncated tag %x of %x", short, got)
			}
		}
	}

	key := bytes.Repeat([]byte{7}, 32)
	m := newTagMAC(bytes.Clone(key))
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for i := range 8 {
		wg.Go(func() {
			msg := []byte{byte(i), 1, 2, 3}
			want := hmac.New(sha256.New, key)
			want.Write(msg)
			for range 200 {
				var got [sha256.Size]byte
				if !m.tag(got[:], msg) || !bytes.Equal(got[:], want.Sum(nil)) {
					errs <- "a tag computed concurrently differs"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}

	inner, outer := m.inner, m.outer
	m.wipe()
	if !bytes.Equal(inner, make([]byte, len(inner))) || !bytes.Equal(outer, make([]byte, len(outer))) {
		t.Error("keyed states left after wipe")
	}
	var got [TagSize]byte
	if m.tag(got[:], []byte("x")) {
		t.Error("a tag after wipe")
	}
	m.wipe() // twice is fine
}

// BenchmarkTag is the tag a catch-up computes for every blob it reads.
func BenchmarkTag(b *testing.B) {
	g := testGroup(b, "tag")
	nonce := make([]byte, NonceSize)
	var dst [TagSize]byte
	for b.Loop() {
		g.tag(dst[:], nonce)
	}
}
