package state

import (
	"time"

	"github.com/nookchat/nook/engine/model"
)

// syncRate is a running catch-up's pace: blobs per second lately,
// smoothed, from the engine's GroupSync reports.
type syncRate struct {
	start time.Time // the first report of this catch-up
	at    time.Time // the last report whose Done grew
	done  int       // Done at that report
	rate  float64   // blobs a second, smoothed; 0 while not known
	n     int       // samples in rate
}

// The time left is shown only once the rate means something: measured over
// at least syncMinSamples reports and syncMinTime of catch-up.
const (
	syncWeight     = 0.2 // how much a new sample counts in the smoothed rate
	syncMinSamples = 3
	syncMinTime    = 3 * time.Second
)

// trackSync updates the pace of ev's server's catch-up; old is the last
// report (ok false: none).
func (m *Model) trackSync(ev model.GroupSync, old model.GroupSync, ok bool) {
	now := m.clock()
	r := m.rates[ev.Server]
	if ev.CaughtUp || r == nil || !ok || old.CaughtUp || ev.Done < old.Done || ev.Done < r.done {
		// A new catch-up (or its end): the pace starts again.
		if ev.CaughtUp {
			delete(m.rates, ev.Server)
			return
		}
		m.rates[ev.Server] = &syncRate{start: now, at: now, done: ev.Done}
		return
	}
	if ev.Done == r.done {
		return
	}
	dt := now.Sub(r.at).Seconds()
	if dt <= 0 {
		return // reports read together: the next one measures them
	}
	v := float64(ev.Done-r.done) / dt
	if r.n == 0 {
		r.rate = v
	} else {
		r.rate = syncWeight*v + (1-syncWeight)*r.rate
	}
	r.n++
	r.at, r.done = now, ev.Done
}

// SyncLeft estimates the seconds a server's running catch-up still takes,
// from its smoothed pace; ok is false while the estimate would mean
// nothing (too soon, too few reports) and when no catch-up runs.
func (m *Model) SyncLeft(server string) (secs float64, ok bool) {
	s, running := m.syncs[server]
	r := m.rates[server]
	if !running || s.CaughtUp || s.Total <= 0 || r == nil || r.n < syncMinSamples || r.rate <= 0 ||
		r.at.Sub(r.start) < syncMinTime {
		return 0, false
	}
	return float64(max(s.Total-s.Done, 0)) / r.rate, true
}
