package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/tor"
)

// ConnectConfig tunes the automatic connection (ModeAuto) and the built-in
// bridges. The zero value is right for production; tests shorten the
// timeouts and point the built-in bridges and the transport programs at
// the private network's.
type ConnectConfig struct {
	// Stall is how long a way may go without any bootstrap progress
	// before Automatic moves on (default DefaultConnectStall).
	Stall time.Duration
	// Limit is how long a way may take in all before Automatic moves on
	// (default DefaultConnectLimit).
	Limit time.Duration
	// Order is the order of the ways Automatic tries (default direct,
	// snowflake, obfs4); the way that worked last goes first.
	Order []ConnectMode
	// Obfs4Bridges and SnowflakeBridges, when non-nil, replace the
	// built-in bridges.
	Obfs4Bridges, SnowflakeBridges []string
	// Programs, when set, name the transport programs ("obfs4proxy",
	// "snowflake-client") instead of looking them up beside tor.
	Programs map[string]string
}

// The default timeouts of Automatic. On an open network tor bootstraps in
// seconds to a minute and reports progress every few seconds; where Tor is
// blocked it stays at its first steps. Snowflake can take a minute or two
// to find a proxy.
const (
	DefaultConnectStall = 40 * time.Second
	DefaultConnectLimit = 3 * time.Minute
)

// maxConnectRounds bounds how often the timeouts double when no way worked:
// Automatic keeps trying, each round with longer timeouts, up to 4×.
const maxConnectRounds = 3

func (c ConnectConfig) withDefaults() ConnectConfig {
	if c.Stall <= 0 {
		c.Stall = DefaultConnectStall
	}
	if c.Limit <= 0 {
		c.Limit = DefaultConnectLimit
	}
	if len(c.Order) == 0 {
		c.Order = []ConnectMode{ModeDirect, ModeSnowflake, ModeObfs4}
	}
	return c
}

// connectOrder is the order Automatic tries the ways in: the one that
// worked last first, then the configured order.
func (e *Engine) connectOrder(worked ConnectMode) []ConnectMode {
	order := e.cfg.Connect.withDefaults().Order
	if worked == "" || !slices.Contains(order, worked) {
		return slices.Clone(order)
	}
	out := []ConnectMode{worked}
	for _, m := range order {
		if m != worked {
			out = append(out, m)
		}
	}
	return out
}

// startSettings returns the tor settings Start starts with: the chosen
// mode's, or in ModeAuto those of the first way that can be tried
// (Automatic then follows it; "" when none can). A manual mode that cannot
// be used (its transport program is missing) starts tor with its network
// disabled rather than connecting some other way than the person chose,
// and the error says why.
func (e *Engine) startSettings(saved TorSettings) (tor.Settings, ConnectMode, error) {
	if saved.Mode == ModeAuto {
		for _, m := range e.connectOrder(saved.Worked) {
			if ts, err := e.torSettingsFor(m, saved); err == nil {
				return ts, m, nil
			}
		}
		return tor.Settings{ExtraTorrc: clean(saved.ExtraTorrc)}, "", nil
	}
	ts, err := e.torSettingsFor(saved.Mode, saved)
	if err != nil {
		off := tor.Settings{ExtraTorrc: append(clean(saved.ExtraTorrc), "DisableNetwork 1")}
		return off, saved.Mode, fmt.Errorf("%s cannot be used: %s", saved.Mode.Describe(), plain(err))
	}
	return ts, saved.Mode, nil
}

// connectRun is one running Automatic: its goroutine follows tor's
// statuses, queued by onTorStatus.
type connectRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	sig    chan struct{} // a status was queued

	mu    sync.Mutex // guards queue
	queue []tor.Status
}

func (r *connectRun) post(s tor.Status) {
	r.mu.Lock()
	r.queue = append(r.queue, s)
	r.mu.Unlock()
	select {
	case r.sig <- struct{}{}:
	default:
	}
}

func (r *connectRun) take() []tor.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.queue
	r.queue = nil
	return q
}

// connectStep is what Automatic needs of tor: start it again with other
// settings (Tor.Restart); tests of the state machine replace it.
type connectStep func(ctx context.Context, s tor.Settings) error

// startConnect starts Automatic for s. If running is a way of s's order
// whose settings tor already runs with (Start just started it), Automatic
// watches it first instead of restarting tor; "" restarts from the
// beginning.
func (e *Engine) startConnect(s TorSettings, running ConnectMode, restart connectStep) *connectRun {
	ctx, cancel := context.WithCancel(e.bgCtx)
	run := &connectRun{cancel: cancel, done: make(chan struct{}), sig: make(chan struct{}, 1)}
	e.mu.Lock()
	e.conn = run
	e.mu.Unlock()
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		defer close(run.done)
		e.connect(ctx, run, s, running, restart)
		// Done: tor's statuses are no longer queued for it.
		e.mu.Lock()
		if e.conn == run {
			e.conn = nil
		}
		e.mu.Unlock()
	}()
	return run
}

// stopConnect stops a running Automatic and waits for it.
func (e *Engine) stopConnect() {
	e.mu.Lock()
	run := e.conn
	e.conn = nil
	e.mu.Unlock()
	if run != nil {
		run.cancel()
		<-run.done
	}
}

// connect is Automatic. For each way in order it (re)starts tor with that
// way's settings and follows the bootstrap: ready ends it (the way is
// remembered in tor-settings.json); no progress for Stall, no success
// within Limit, or tor failing moves to the next way, saying why. A way
// that cannot be tried (its transport program missing, its bridges
// refused) is skipped, saying why. When every way failed it starts over
// with doubled timeouts (up to 4×), and keeps trying until the settings
// change or the engine closes.
func (e *Engine) connect(ctx context.Context, run *connectRun, s TorSettings, running ConnectMode, restart connectStep) {
	cfg := e.cfg.Connect.withDefaults()
	order := e.connectOrder(s.Worked)
	why := ""
	for round := 0; ; round++ {
		scale := time.Duration(1) << min(round, maxConnectRounds-1)
		stall, limit := cfg.Stall*scale, cfg.Limit*scale
		for _, way := range order {
			settings, err := e.torSettingsFor(way, s)
			if err != nil {
				why = joinWhy(why, fmt.Sprintf("Skipped %s: %s", way.Describe(), plain(err)))
				e.setConnectNote(way, why)
				e.cfg.Logger.Info("automatic connection: way skipped", "way", way, "err", err)
				continue
			}
			e.setConnectNote(way, joinWhy(why, "Trying "+way.Describe()+"…"))
			if way != running {
				run.take()
				if err := restart(ctx, settings); err != nil {
					if ctx.Err() != nil {
						return
					}
					why = joinWhy("", fmt.Sprintf("Tor could not start with %s: %s", way.Describe(), plain(err)))
					continue
				}
			}
			running = ""
			ok, reason := e.watchBootstrap(ctx, run, stall, limit)
			if ctx.Err() != nil {
				return
			}
			if ok {
				// Remembered before it is said, so that whoever sees
				// the note finds the way saved.
				e.rememberWay(way)
				e.setConnectNote(way, "Connected through "+way.Describe()+".")
				return
			}
			e.cfg.Logger.Info("automatic connection: way failed", "way", way, "reason", reason)
			why = capitalise(way.Describe()) + " did not work: " + reason + "."
		}
		why = joinWhy(why, "None of the ways worked; trying them again with more patience. You can also choose a way in Settings → Network.")
	}
}

// watchBootstrap follows tor's statuses from its next start: true once it
// is ready; false with why in plain words when it made no progress for
// stall, was not ready within limit, or failed.
func (e *Engine) watchBootstrap(ctx context.Context, run *connectRun, stall, limit time.Duration) (bool, string) {
	stallT, limitT := time.NewTimer(stall), time.NewTimer(limit)
	defer stallT.Stop()
	defer limitT.Stop()
	started, best := false, -1
	for {
		for _, s := range run.take() {
			if !started {
				// Statuses of the tor before the restart may still be
				// queued; this run starts with StateStarting.
				started = s.State == tor.StateStarting
				continue
			}
			switch s.State {
			case tor.StateReady:
				return true, ""
			case tor.StateFailed:
				msg := "Tor stopped"
				if s.Err != nil {
					msg += " (" + s.Err.Error() + ")"
				}
				return false, msg
			case tor.StateBootstrapping:
				if s.Progress > best {
					best = s.Progress
					stallT.Reset(stall)
				}
			}
		}
		select {
		case <-ctx.Done():
			return false, ""
		case <-run.sig:
		case <-stallT.C:
			return false, fmt.Sprintf("no progress for %s, which is what a blocked connection looks like", roundDuration(stall))
		case <-limitT.C:
			return false, fmt.Sprintf("not connected after %s", roundDuration(limit))
		}
	}
}

// rememberWay records the way Automatic connected through.
func (e *Engine) rememberWay(way ConnectMode) {
	s, err := e.LoadTorSettings()
	if err != nil || s.Mode != ModeAuto || s.Worked == way {
		return
	}
	s.Worked = way
	if err := e.saveTorSettings(s); err != nil {
		e.cfg.Logger.Warn("remembering how Tor connected failed", "err", err)
	}
}

// setConnectNote says what Automatic tries and why, on the next TorStatus
// event and at once.
func (e *Engine) setConnectNote(way ConnectMode, note string) {
	e.mu.Lock()
	e.connWay, e.connNote = way, note
	ev := e.torStat
	ev.Way, ev.Note = "", note
	if way != ModeAuto {
		ev.Way = way.Describe()
	}
	e.torStat = ev
	e.mu.Unlock()
	e.emit(ev)
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// plain returns an error's hint when it has one (a sentence for people),
// else its text.
func plain(err error) string {
	if h := tor.Hint(err); h != "" {
		return strings.TrimSuffix(h, ".")
	}
	var pe interface{ Plain() string }
	if errors.As(err, &pe) {
		return pe.Plain()
	}
	return err.Error()
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func roundDuration(d time.Duration) string {
	if d < time.Second {
		return d.String()
	}
	if d >= time.Minute && d%time.Minute == 0 {
		n := int(d / time.Minute)
		if n == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", n)
	}
	return fmt.Sprintf("%d seconds", int(d.Round(time.Second)/time.Second))
}
