package groupserver

import "time"

// bucket is a token-bucket rate limiter: for one connection, used by that
// connection's goroutine only, or the server-wide post cap, used under the
// blob store's lock.
type bucket struct {
	rate   float64 // per second
	burst  float64
	level  float64
	last   time.Time
	primed bool
}

func newBucket(rate float64, burst int) *bucket {
	return &bucket{rate: rate, burst: float64(burst), level: float64(burst)}
}

// refill adds what accrued since the last call.
func (b *bucket) refill(now time.Time) {
	if b.primed {
		if d := now.Sub(b.last).Seconds(); d > 0 {
			b.level = min(b.burst, b.level+d*b.rate)
		}
	}
	b.last, b.primed = now, true
}

// allow takes one unit at now, if there is one.
func (b *bucket) allow(now time.Time) bool {
	b.refill(now)
	if b.level < 1 {
		return false
	}
	b.level--
	return true
}

// refund gives back one unit taken by allow.
func (b *bucket) refund() { b.level = min(b.burst, b.level+1) }
