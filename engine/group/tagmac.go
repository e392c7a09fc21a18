package group

import (
	"crypto/sha256"
	"encoding"
	"hash"
	"sync"
)

// tagMAC computes HMAC-SHA256 under one key (a group's tag key) with the
// keyed states computed once: SHA-256's state after the key's inner and
// outer padded blocks, kept as their marshalled bytes. A tag then costs
// two SHA-256 blocks and no allocation, where hmac.New costs four and
// several allocations; a catch-up computes one for every blob it reads
// (docs/performance.md, "Catch-up CPU"). Unlike hmac.New's state, which
// Nook cannot reach, every copy of the keyed states is its own: wipe
// overwrites them.
type tagMAC struct {
	mu           sync.Mutex // guards everything below
	h            hash.Hash  // SHA-256, reused
	inner, outer []byte     // marshalled states after key⊕ipad and key⊕opad
	sum          [sha256.Size]byte
}

// newTagMAC returns the HMAC-SHA256 of key (at most a SHA-256 block) and
// clears key.
func newTagMAC(key []byte) *tagMAC {
	if len(key) > sha256.BlockSize {
		panic("group: tag key longer than a block")
	}
	var pad [sha256.BlockSize]byte
	m := &tagMAC{h: sha256.New()}
	for i, p := range []byte{0x36, 0x5c} {
		copy(pad[:], key)
		clear(pad[len(key):])
		for j := range pad {
			pad[j] ^= p
		}
		m.h.Reset()
		m.h.Write(pad[:])
		st, err := m.h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			panic("group: SHA-256 state: " + err.Error())
		}
		if i == 0 {
			m.inner = st
		} else {
			m.outer = st
		}
	}
	clear(pad[:])
	clear(key)
	m.h.Reset()
	return m
}

// tag writes HMAC(key, msg) truncated to len(dst) bytes (at most 32) into
// dst; false after wipe.
func (m *tagMAC) tag(dst, msg []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.inner == nil {
		return false
	}
	u := m.h.(encoding.BinaryUnmarshaler)
	if u.UnmarshalBinary(m.inner) != nil {
		return false
	}
	m.h.Write(msg)
	inner := m.h.Sum(m.sum[:0])
	if u.UnmarshalBinary(m.outer) != nil {
		return false
	}
	m.h.Write(inner)
	copy(dst, m.h.Sum(m.sum[:0]))
	clear(m.sum[:])
	return true
}

// wipe overwrites the keyed states, and the hash's state and buffer;
// tag fails afterwards.
func (m *tagMAC) wipe() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.inner)
	clear(m.outer)
	m.inner, m.outer = nil, nil
	var zeros [sha256.BlockSize - 1]byte
	m.h.Reset()
	m.h.Write(zeros[:]) // over the buffered bytes of the last message
	m.h.Reset()
	clear(m.sum[:])
}
