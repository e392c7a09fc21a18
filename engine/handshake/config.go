package handshake

import (
	"context"
	"crypto/rand"
	"io"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/wire"
)

// DefaultTimeout bounds each handshake read and write when Config.Timeout is
// zero. It is sized for Tor, where a round trip can take seconds.
const DefaultTimeout = 60 * time.Second

// DefaultReplayCacheSize is the size of a ReplayCache made with size 0.
const DefaultReplayCacheSize = 4096

// ProtocolVersion is the protocol version this package implements
// (docs/protocol.md §3.8).
const ProtocolVersion = 1

// Config configures Client and Server. A nil *Config means the defaults.
type Config struct {
	// Rand is the source of ephemeral keys; crypto/rand when nil. Tests
	// inject a deterministic reader to record transcripts.
	Rand io.Reader
	// Now returns the current time for deadlines; time.Now when nil.
	Now func() time.Time
	// Timeout bounds every handshake read and write; DefaultTimeout when
	// zero. The context's deadline, if earlier, wins.
	Timeout time.Duration
	// Replay, if set, makes Server reject first messages whose ephemeral key
	// it has seen (ErrReplay). Share one cache among all of a listener's
	// handshakes.
	Replay *ReplayCache
	// Wire configures the session's frames (keepalive, idle timeout).
	Wire wire.Config

	// versions overrides the supported protocol versions, for tests of
	// version negotiation only.
	versions []uint16
}

func (c *Config) rand() io.Reader {
	if c == nil || c.Rand == nil {
		return rand.Reader
	}
	return c.Rand
}

func (c *Config) now() time.Time {
	if c == nil || c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Config) timeout() time.Duration {
	if c == nil || c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c *Config) supported() []uint16 {
	if c == nil || len(c.versions) == 0 {
		return []uint16{ProtocolVersion}
	}
	return c.versions
}

func (c *Config) wire() wire.Config {
	if c == nil {
		return wire.Config{}
	}
	w := c.Wire
	if w.Now == nil && c.Now != nil {
		w.Now = c.Now
	}
	return w
}

// deadline returns the deadline for the next read or write.
func (c *Config) deadline(ctx context.Context) time.Time {
	d := c.now().Add(c.timeout())
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	return d
}

// ReplayCache remembers the ephemeral keys of the most recent first
// handshake messages a server has seen. It is safe for concurrent use.
type ReplayCache struct {
	mu   sync.Mutex // guards seen, ring, next
	seen map[[32]byte]struct{}
	ring [][32]byte // insertion order; the oldest entry is evicted first
	next int
}

// NewReplayCache returns a cache of size entries (DefaultReplayCacheSize if
// size ≤ 0).
func NewReplayCache(size int) *ReplayCache {
	if size <= 0 {
		size = DefaultReplayCacheSize
	}
	return &ReplayCache{seen: make(map[[32]byte]struct{}, size), ring: make([][32]byte, 0, size)}
}

// check reports whether e was seen before, and remembers it.
func (c *ReplayCache) check(e [32]byte) (replayed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.seen[e]; ok {
		return true
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, e)
	} else {
		delete(c.seen, c.ring[c.next])
		c.ring[c.next] = e
		c.next = (c.next + 1) % len(c.ring)
	}
	c.seen[e] = struct{}{}
	return false
}
