package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/model"
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
	// ProgramArgs, when set, are arguments for a transport program (by
	// its name, as in Programs). Nook passes none; tests of snowflake on
	// loopback need "-keep-local-addresses".
	ProgramArgs map[string][]string
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
		return off, saved.Mode, &wayError{saved.Mode, err}
	}
	return ts, saved.Mode, nil
}

// wayError is why a chosen way cannot be used.
type wayError struct {
	way ConnectMode
	err error
}

func (w *wayError) Error() string {
	return fmt.Sprintf("%s cannot be used: %s", w.way.Describe(), plain(w.err))
}

func (w *wayError) Unwrap() error { return w.err }

// notes are the sentences of the note that says so.
func (w *wayError) notes() []model.Text {
	out := append([]model.Text{model.Say("connect.cannot_use", "Way", w.way.Text())}, explainTexts(w.err)...)
	return append(out, model.Say("connect.choose_another"))
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
	var why []model.Text
	for round := 0; ; round++ {
		scale := time.Duration(1) << min(round, maxConnectRounds-1)
		stall, limit := cfg.Stall*scale, cfg.Limit*scale
		for _, way := range order {
			w := way.Text()
			settings, err := e.torSettingsFor(way, s)
			if err != nil {
				why = append(why, model.Say("connect.skipped", "Way", w))
				why = append(why, explainTexts(err)...)
				e.setConnectNote(way, why)
				e.cfg.Logger.Info("automatic connection: way skipped", "way", way, "err", err)
				continue
			}
			e.setConnectNote(way, append(slices.Clip(why), model.Say("connect.trying", "Way", w)))
			if way != running {
				run.take()
				if err := restart(ctx, settings); err != nil {
					if ctx.Err() != nil {
						return
					}
					why = append([]model.Text{model.Say("connect.could_not_start", "Way", w)}, explainTexts(err)...)
					continue
				}
			}
			running = ""
			ok, reason := e.watchBootstrap(ctx, run, w, stall, limit)
			if ctx.Err() != nil {
				return
			}
			if ok {
				// Remembered before it is said, so that whoever sees
				// the note finds the way saved.
				e.rememberWay(way)
				e.setConnectNote(way, []model.Text{model.Say("connect.connected", "Way", w)})
				return
			}
			e.cfg.Logger.Info("automatic connection: way failed", "way", way, "reason", model.JoinTexts(reason))
			why = reason
		}
		why = append(why, model.Say("connect.none_worked"))
	}
}

// explainTexts are Explain's sentences about err (its message, then its
// hint when the hint has a key), named for translation; none for an error
// Explain does not know (the log has it).
func explainTexts(err error) []model.Text {
	x := Explained(err)
	if x.Key == UnexplainedKey {
		return nil
	}
	out := []model.Text{{Key: x.Key, Args: x.Args, English: x.Message}}
	if x.HintKey != "" {
		out = append(out, model.Text{Key: x.HintKey, Args: x.Args, English: explainHint(x)})
	}
	return out
}

// explainHint is x's hint with its placeholders filled (tor's hints name
// a program).
func explainHint(x Explanation) string {
	h := x.Hint
	for k, v := range x.Args {
		h = strings.ReplaceAll(h, "{{."+k+"}}", fmt.Sprint(v))
	}
	return h
}

// watchBootstrap follows tor's statuses from its next start: true once it
// is ready; false with why in plain sentences (naming way) when it made no
// progress for stall, was not ready within limit, or failed.
func (e *Engine) watchBootstrap(ctx context.Context, run *connectRun, way model.Text, stall, limit time.Duration) (bool, []model.Text) {
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
				return true, nil
			case tor.StateFailed:
				why := []model.Text{model.Say("connect.tor_stopped", "Way", way)}
				if s.Err != nil {
					why = append(why, explainTexts(s.Err)...)
				}
				return false, why
			case tor.StateBootstrapping:
				if s.Progress > best {
					best = s.Progress
					stallT.Reset(stall)
				}
			}
		}
		select {
		case <-ctx.Done():
			return false, nil
		case <-run.sig:
		case <-stallT.C:
			return false, []model.Text{durationText("connect.stalled", way, stall)}
		case <-limitT.C:
			return false, []model.Text{durationText("connect.not_ready", way, limit)}
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
func (e *Engine) setConnectNote(way ConnectMode, notes []model.Text) {
	notes = slices.Clone(notes)
	e.mu.Lock()
	e.connWay, e.connNotes = way, notes
	ev := e.torStat
	ev.Way, ev.Note, ev.Notes = "", model.JoinTexts(notes), notes
	if way != ModeAuto {
		ev.Way = way.Describe()
	}
	e.torStat = ev
	e.mu.Unlock()
	e.emit(ev)
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

// durationText is key's sentence ("connect.stalled", "connect.not_ready")
// about way and d: in whole minutes, else in seconds (at least one).
func durationText(key string, way model.Text, d time.Duration) model.Text {
	if d >= time.Minute && d%time.Minute == 0 {
		return model.Say(key+"_minutes", "Way", way, "Count", int(d/time.Minute))
	}
	return model.Say(key+"_seconds", "Way", way, "Count", max(1, int((d+time.Second-1)/time.Second)))
}
