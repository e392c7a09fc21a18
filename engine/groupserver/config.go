package groupserver

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/transport"
)

// Defaults of Config (docs/groups.md, "Limits").
const (
	DefaultMaxConns         = 256
	DefaultHandshakeTimeout = 60 * time.Second
	DefaultIdleTimeout      = 5 * time.Minute
	DefaultGrace            = 30 * time.Second
	DefaultRecordRate       = 20  // records per second per connection
	DefaultRecordBurst      = 200 // records
	DefaultMaxSubs          = 512
	DefaultLiveBuffer       = 256 // blobs per subscriber
	DefaultMaxBatch         = tokens.MaxBatch
	DefaultPoWBits          = tokens.DefaultPoWBits
	DefaultMaxBlobs         = 100_000
	DefaultMaxBytes         = 512 << 20
	DefaultRetention        = 30 * 24 * time.Hour
	DefaultPruneInterval    = time.Minute
	DefaultCommitBatch      = 64 // posts
)

// maxCommitBatch bounds Config.CommitBatch: 256 posts of one blob each
// are about 1 MiB, within one Badger transaction of engine/store's
// memtable size.
const maxCommitBatch = 256

// Config configures a Server. Zero values mean the defaults.
type Config struct {
	// DataDir holds the server's keys, bundle and store (see the package
	// documentation). Required; created if missing.
	DataDir string
	// Transport publishes the onion service (Tor, or loopback in tests and
	// demos). Required.
	Transport transport.Transport

	// MaxConns is the number of concurrent connections; more are closed
	// right after accept.
	MaxConns int
	// HandshakeTimeout bounds the handshake of each connection.
	HandshakeTimeout time.Duration
	// IdleTimeout closes a connection that sends no frame for that long
	// (clients send keepalives). Negative disables it.
	IdleTimeout time.Duration
	// Grace is how long a connection keeps its slot without earning it:
	// after its handshake, and after the last time it earned it, it must
	// subscribe, post with a token, or be issued tokens (a proof of work)
	// within Grace, or it is closed. When every slot is taken, the oldest
	// connection that has not earned its slot is closed for a newcomer.
	// It must leave a client time to solve the proof of work between its
	// challenge and its token request: the default is about 100 times
	// what the default difficulty takes a laptop; raise it with PoWBits.
	Grace time.Duration
	// RecordRate and RecordBurst limit the records of one connection (a
	// token bucket); over the limit requests are refused as rate limited.
	RecordRate  float64
	RecordBurst int
	// MaxSubs is the number of concurrent subscriptions.
	MaxSubs int
	// LiveBuffer is the number of live blobs buffered per subscriber; a
	// subscriber that falls further behind is disconnected.
	LiveBuffer int
	// MaxBatch is the largest token batch issued at once (≤ tokens.MaxBatch).
	MaxBatch int
	// PoWBits is the proof-of-work difficulty per token batch. Use
	// NoPoW to disable it (zero means DefaultPoWBits).
	PoWBits int
	// MaxBlobs and MaxBytes cap the store (blob data only, BlobSize each);
	// the oldest blobs are dropped beyond either.
	MaxBlobs int
	MaxBytes int64
	// PostsPerDay and PostBurst cap the posts the server stores, all
	// clients together: a token bucket of PostBurst posts refilled at
	// PostsPerDay a day; a post over it is refused as rate limited, its
	// token not spent. The defaults, a quarter of the storage cap a day
	// (at least 1000) and an hour of that, keep a blob stored for at
	// least about four days however many tokens someone bought with
	// proof of work (docs/groups.md, "Limits"). NoPostCap disables it.
	PostsPerDay int
	PostBurst   int
	// Retention drops blobs older than this. Negative keeps them forever.
	Retention time.Duration
	// PruneInterval is how often retention is applied besides on every
	// post and subscription.
	PruneInterval time.Duration

	// Logger receives counts and lifecycle events, never client data;
	// nil discards.
	Logger *slog.Logger
	// Rand is the source of keys and challenges; crypto/rand when nil.
	Rand io.Reader
	// Now is the clock for retention and rate limits; time.Now when nil.
	Now func() time.Time
	// CommitBatch is the most posts stored by one transaction, and so
	// made durable by one sync (group commit: posts arriving while a
	// commit runs, or whose tokens are being checked when it starts, are
	// stored together by the next; each is acknowledged only after the
	// commit that holds it). 1 commits every post alone.
	CommitBatch int
	// NoSync makes store commits return before they reach the disk (tests
	// and benchmarks only).
	NoSync bool
}

// NoPoW as Config.PoWBits disables the proof of work.
const NoPoW = -1

// NoPostCap as Config.PostsPerDay disables the server-wide post cap.
const NoPostCap = -1

// minPostsPerDay is the smallest default of Config.PostsPerDay.
const minPostsPerDay = 1000

// ErrConfig is returned by New for an unusable configuration.
var ErrConfig = errors.New("groupserver: invalid configuration")

func (c Config) withDefaults() (Config, error) {
	if c.DataDir == "" {
		return c, fmt.Errorf("%w: no data dir", ErrConfig)
	}
	if c.Transport == nil {
		return c, fmt.Errorf("%w: no transport", ErrConfig)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.MaxConns, DefaultMaxConns)
	def(&c.RecordBurst, DefaultRecordBurst)
	def(&c.MaxSubs, DefaultMaxSubs)
	def(&c.LiveBuffer, DefaultLiveBuffer)
	def(&c.MaxBatch, DefaultMaxBatch)
	def(&c.MaxBlobs, DefaultMaxBlobs)
	def(&c.CommitBatch, DefaultCommitBatch)
	if c.CommitBatch > maxCommitBatch {
		return c, fmt.Errorf("%w: commit batch %d over %d", ErrConfig, c.CommitBatch, maxCommitBatch)
	}
	if c.MaxBatch > tokens.MaxBatch {
		return c, fmt.Errorf("%w: token batch %d over %d", ErrConfig, c.MaxBatch, tokens.MaxBatch)
	}
	switch {
	case c.PoWBits == 0:
		c.PoWBits = DefaultPoWBits
	case c.PoWBits < 0:
		c.PoWBits = 0
	case c.PoWBits > protocol.MaxPoWBits:
		return c, fmt.Errorf("%w: proof of work of %d bits over %d", ErrConfig, c.PoWBits, protocol.MaxPoWBits)
	}
	if c.RecordRate <= 0 {
		c.RecordRate = DefaultRecordRate
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MaxBytes < protocol.BlobSize {
		return c, fmt.Errorf("%w: storage cap below one blob", ErrConfig)
	}
	if c.PostsPerDay == 0 {
		c.PostsPerDay = max(int(c.capBlobs()/4), minPostsPerDay)
	}
	if c.PostBurst <= 0 && c.PostsPerDay > 0 {
		c.PostBurst = max(c.PostsPerDay/24, 1)
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.PruneInterval <= 0 {
		c.PruneInterval = DefaultPruneInterval
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// capBlobs is the number of blobs the store keeps: the smaller of MaxBlobs
// and MaxBytes / BlobSize.
func (c Config) capBlobs() uint64 {
	n := uint64(c.MaxBytes / protocol.BlobSize)
	if m := uint64(c.MaxBlobs); m < n {
		n = m
	}
	return n
}
