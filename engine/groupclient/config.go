package groupclient

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport"
)

// Defaults of Config.
const (
	DefaultLowWater      = 20
	DefaultBatch         = protocol.MaxTokenBatch
	DefaultMinBackoff    = time.Second
	DefaultMaxBackoff    = 5 * time.Minute
	DefaultProgressEvery = 100
	DefaultKeepalive     = time.Minute
	DefaultRequestWait   = 2 * time.Minute
	// DefaultPostGap is the longest random pause between two posts sent
	// one after the other.
	DefaultPostGap = 2 * time.Second
	// DefaultRefillWithin is the longest random wait before a wallet that
	// ran low is refilled.
	DefaultRefillWithin = 5 * time.Minute
	// DefaultRotateWithin is the longest random wait before an admin's
	// client renews a group's key after a member left (docs/groups.md,
	// "Leaving rotates").
	DefaultRotateWithin = 10 * time.Minute
	// DefaultWithheldGrace is how long a group on several servers gives
	// its other servers to deliver what one lacks before saying it is
	// missing (withheld.go).
	DefaultWithheldGrace = 10 * time.Second
	// DefaultWithheldMax is how long a finding is held back at most
	// (withheld.go): past it, it is said even if a server of the group
	// never caught up, and that server is named.
	DefaultWithheldMax = 10 * time.Minute
	// DefaultMaxPoWBits is the hardest proof of work the client solves for
	// a token batch: 16 times the servers' default (tokens.DefaultPoWBits),
	// a few seconds on a laptop. A server asking more gets no answer.
	DefaultMaxPoWBits = 24
)

// Config configures a Client.
type Config struct {
	// Store is the profile's store. Required.
	Store *store.Store
	// Transport reaches the servers. Required.
	Transport transport.Transport
	// Self is the profile's identity: it signs the profile's group
	// messages. It never connects to a server. Required.
	Self *identity.Identity
	// Name, if set, returns the display name carried in the profile's
	// messages (empty for none).
	Name func() string
	// Emit receives events; it must not block for long. Nil drops them.
	Emit func(model.Event)
	// Contacts, if set, returns the onion addresses of the profile's
	// contacts (accepted and blocked): the only members who learn which
	// member of a group the profile is (docs/groups.md, "Per-group
	// identities"), the blocked ones excepted, and the only ones it can
	// recognise.
	Contacts func() []identity.Address
	// Blocked, if set, reports a contact whose reactions are not stored
	// and who is not told which member the profile is (the profile
	// blocked them).
	Blocked func(identity.Address) bool
	// FileOffered, if set, receives each file another member, author,
	// announced in a group, once its message (model.KindFile, under id,
	// sent at sent) is stored;
	// FileHolder each holder note of another member, author, not blocked
	// (Blocked): the file of offer is served at source (docs/files.md
	// §8). Both are called with the client's lock held: they must not
	// call the client.
	FileOffered func(conv model.ConversationID, id model.MessageID, author identity.Address, sent time.Time, f *group.FileOffer)
	FileHolder  func(conv model.ConversationID, offer model.MessageID, author, source identity.Address)
	// Rand is the source of keys, nonces and throwaway identities;
	// crypto/rand when nil.
	Rand io.Reader
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Handshake configures the handshakes with servers (timeouts, wire
	// keepalives). Its Rand and Now default to the ones above.
	Handshake handshake.Config
	// NoJoinNotice leaves out the join notice JoinGroup posts: for tests
	// that count posts and messages. The engine always posts it.
	NoJoinNotice bool
	// LowWater is the number of tokens below which a batch is fetched.
	LowWater int
	// Batch is the number of tokens asked for at once.
	Batch int
	// MinBackoff and MaxBackoff bound the wait between reconnections.
	MinBackoff, MaxBackoff time.Duration
	// ProgressEvery is the number of blobs between GroupSync events.
	ProgressEvery int
	// RequestWait bounds a request's answer (token batch, post result).
	RequestWait time.Duration
	// PostGap is the longest pause between two posts sent one after the
	// other: each waits a random time below it, so that a burst of queued
	// posts does not leave back to back (DefaultPostGap if 0; negative:
	// no pause).
	PostGap time.Duration
	// RefillWithin bounds the random wait between a post that leaves the
	// wallet below LowWater and the fetching of a new batch, so that the
	// fetch does not mark the time of a post (DefaultRefillWithin if 0;
	// negative: no wait). An empty wallet is refilled at once: a post
	// cannot go without a token.
	RefillWithin time.Duration
	// RotateWithin bounds the random wait between a leave notice and the
	// rotation an admin's client makes for it (DefaultRotateWithin if 0;
	// negative: at once).
	RotateWithin time.Duration
	// WithheldGrace is how long a group on several servers waits for a
	// message one server lacks from the others, once they are all caught
	// up, before warning (DefaultWithheldGrace if 0).
	WithheldGrace time.Duration
	// WithheldMax is how long, from when it was first held back, a
	// finding waits at most for servers to catch up (DefaultWithheldMax
	// if 0): a server that stays connected and never catches up cannot
	// hold a warning back for longer, restarts included.
	WithheldMax time.Duration
	// sleep, if set (tests), replaces the random pauses (kind "gap" or
	// "refill") and the waits of findings held back ("withheld",
	// "withheld max"): it returns false when ctx ended.
	sleep func(ctx context.Context, kind string, d time.Duration) bool
	// MaxPoWBits is the hardest proof of work solved for a token batch
	// (DefaultMaxPoWBits if 0). A server that asks for more gets no token
	// request: the client warns (model.GroupWarning, kind "proof of
	// work") and keeps its posts queued, trying again later.
	MaxPoWBits int
}

// ErrConfig is returned by New for an unusable configuration.
var ErrConfig = errors.New("groupclient: invalid configuration")

func (c Config) withDefaults() (Config, error) {
	if c.Store == nil || c.Transport == nil || c.Self == nil {
		return c, ErrConfig
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	} else {
		c.Rand = &lockedReader{r: c.Rand}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Emit == nil {
		c.Emit = func(model.Event) {}
	}
	if c.Name == nil {
		c.Name = func() string { return "" }
	}
	if c.Handshake.Rand == nil {
		c.Handshake.Rand = c.Rand
	}
	if c.Handshake.Now == nil {
		c.Handshake.Now = c.Now
	}
	if c.Handshake.Wire.KeepaliveInterval == 0 {
		c.Handshake.Wire.KeepaliveInterval = DefaultKeepalive
	}
	pos := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	pos(&c.LowWater, DefaultLowWater)
	pos(&c.Batch, DefaultBatch)
	pos(&c.ProgressEvery, DefaultProgressEvery)
	pos(&c.MaxPoWBits, DefaultMaxPoWBits)
	if c.Batch > protocol.MaxTokenBatch {
		c.Batch = protocol.MaxTokenBatch
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	dur(&c.MinBackoff, DefaultMinBackoff)
	dur(&c.MaxBackoff, DefaultMaxBackoff)
	dur(&c.RequestWait, DefaultRequestWait)
	if c.PostGap == 0 {
		c.PostGap = DefaultPostGap
	}
	if c.RefillWithin == 0 {
		c.RefillWithin = DefaultRefillWithin
	}
	if c.WithheldGrace == 0 {
		c.WithheldGrace = DefaultWithheldGrace
	}
	if c.WithheldMax == 0 {
		c.WithheldMax = DefaultWithheldMax
	}
	if c.RotateWithin == 0 {
		c.RotateWithin = DefaultRotateWithin
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	return c, nil
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, _ string, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// randBelow returns a uniformly random duration in [0, max), 0 for max ≤ 0.
func randBelow(rnd io.Reader, max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(randUint64(rnd) % uint64(max))
}

// lockedReader makes an injected random source safe for the client's
// goroutines.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}
