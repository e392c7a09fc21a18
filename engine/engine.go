package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/transport"
)

// Errors returned by the Engine's methods. Explain says what a person
// reads about any error the engine returns.
var (
	// ErrLocked is returned by methods that need an unlocked profile when
	// none is unlocked.
	ErrLocked = errors.New("no profile is unlocked")
	// ErrAlreadyUnlocked is returned by Unlock while another profile is
	// unlocked.
	ErrAlreadyUnlocked = errors.New("a profile is already unlocked")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("engine is closed")
)

// Config configures an Engine. DataDir is required.
type Config struct {
	// DataDir holds everything the engine keeps: profiles/ (one encrypted
	// folder per profile) and tor/ (Tor's state).
	DataDir string
	// Transport, if set, carries every connection (tests and the local
	// demo use the loopback transport); the engine then runs no Tor.
	Transport transport.Transport
	// Tor configures the bundled Tor the engine runs when Transport is nil.
	// Its DataDir defaults to DataDir/tor and its OnStatus is the engine's.
	Tor tor.Config
	// Logger receives diagnostics without message text, names or keys;
	// nil discards them.
	Logger *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Profile holds the options for profiles written and unlocked; the zero
	// value is right for production (tests set cheap key derivation).
	Profile profile.Options
	// Server configures a group server hosted by this app (HostServer);
	// its DataDir and Transport are the engine's.
	Server groupserver.Config
	// PeerBackoff bounds the redial interval for unreachable contacts
	// (zero: the peer package's defaults).
	PeerBackoff [2]time.Duration
	// Connect tunes the automatic connection and the built-in bridges
	// (zero: production values; see ConnectConfig).
	Connect ConnectConfig
	// HolderNotes tunes when a member that fetched a group file tells the
	// group it holds it (zero: production values; see HolderNoteConfig).
	HolderNotes HolderNoteConfig
}

// Engine is Nook's core: one per running app. New does nothing; Start
// starts Tor; Unlock opens a profile and starts talking to its contacts;
// Close stops everything and waits.
type Engine struct {
	cfg Config
	bus *bus

	// mu guards the fields below.
	mu      sync.Mutex
	started bool
	closed  bool
	tor     *tor.Tor // nil when cfg.Transport is set
	torStat model.TorStatus
	open    *openProfile
	hosted  *groupserver.Server // a group server run by this app, or nil
	// conn is the running automatic connection, or nil; connWay and
	// connNote say what it tries and why (on every TorStatus event).
	conn      *connectRun
	connWay   ConnectMode
	connNotes []model.Text

	// bg tracks background work started by Start; Close cancels bgCtx and
	// waits for it.
	bg       sync.WaitGroup
	bgCtx    context.Context
	bgCancel context.CancelFunc
}

// New returns an engine for cfg. It starts nothing.
func New(cfg Config) *Engine {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	e := &Engine{cfg: cfg, bus: newBus()}
	e.bgCtx, e.bgCancel = context.WithCancel(context.Background())
	return e
}

// Subscribe returns the engine's event stream and a function that ends the
// subscription. The first event is a model.Snapshot of the current state
// (every conversation with its summary, and Tor's status); the events that
// follow are the changes since, in the order they happened. Each unlock and
// lock sends a new Snapshot. A slow reader delays only itself.
func (e *Engine) Subscribe() (<-chan model.Event, func()) { return e.bus.subscribe(e.snapshot) }

func (e *Engine) emit(ev model.Event) { e.bus.publish(ev) }

// Start starts the network: the bundled Tor, unless Config.Transport is set.
// It returns once Tor runs; bootstrap progress follows as TorStatus events.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	if e.started {
		e.mu.Unlock()
		return nil
	}
	e.started = true
	if e.cfg.Transport != nil {
		e.torStat = model.TorStatus{State: model.TorReady, Percent: 100, Phase: "Local network", PhaseTag: "local"}
		e.mu.Unlock()
		e.emit(e.torStat)
		e.resumeHosting()
		return nil
	}
	tc := e.cfg.Tor
	e.mu.Unlock()
	saved, err := e.LoadTorSettings()
	if err != nil {
		e.cfg.Logger.Warn("ignoring the saved tor settings", "err", err)
	}
	ts, first, startErr := e.startSettings(saved)
	tc.Bridges, tc.TransportPlugins, tc.ExtraTorrc = ts.Bridges, ts.TransportPlugins, ts.ExtraTorrc
	if tc.DataDir == "" {
		tc.DataDir = filepath.Join(e.cfg.DataDir, "tor")
	}
	tc.OnStatus = e.onTorStatus
	t := tor.New(tc)
	e.mu.Lock()
	e.tor = t
	e.mu.Unlock()
	if startErr != nil {
		var we *wayError
		notes := []model.Text{model.Say("connect.tor_could_not_start")}
		if errors.As(startErr, &we) {
			notes = we.notes()
		}
		e.setConnectNote(saved.Mode, notes)
	}
	if saved.Mode == ModeAuto {
		e.startConnect(saved, first, t.Restart)
	}
	if err := t.Start(ctx); err != nil {
		e.stopConnect()
		// Say it on the event stream too: the app shows Tor's state from it.
		ev := model.TorStatus{State: model.TorFailed, Phase: "Tor could not start", PhaseTag: "failed", Err: err.Error(), Hint: tor.Hint(err)}
		e.mu.Lock()
		e.torStat = ev
		e.mu.Unlock()
		e.emit(ev)
		return fmt.Errorf("start tor: %w", err)
	}
	e.resumeHosting()
	return nil
}

// resumeHosting hosts the group server again if the app hosted it when it
// last ran. Publishing waits for Tor, so it runs in the background; a
// failure is logged and the user can start it again in Settings.
func (e *Engine) resumeHosting() {
	if !e.hostsAtStart() {
		return
	}
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		if _, err := e.HostServer(e.bgCtx); err != nil {
			e.cfg.Logger.Warn("hosting the group server again failed", "err", err)
		}
	}()
}

// onTorStatus turns the Tor transport's status into an event.
func (e *Engine) onTorStatus(s tor.Status) {
	ev := torEvent(s)
	e.mu.Lock()
	wasReady := e.torStat.State == model.TorReady
	ev.Note, ev.Notes = model.JoinTexts(e.connNotes), e.connNotes
	if e.connWay != "" && e.connWay != ModeAuto {
		ev.Way = e.connWay.Describe()
	}
	e.torStat = ev
	op, run := e.open, e.conn
	e.mu.Unlock()
	if run != nil {
		run.post(s)
	}
	e.emit(ev)
	if ev.State == model.TorReady && !wasReady && op != nil {
		// The network is (back) up: reconnect now instead of after each
		// contact's backoff.
		op.peers.Reconnect()
	}
}

// TorStatus returns the latest Tor status.
func (e *Engine) TorStatus() model.TorStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.torStat
}

// transport returns what carries connections.
func (e *Engine) transport() transport.Transport {
	if e.cfg.Transport != nil {
		return e.cfg.Transport
	}
	return e.tor
}

// Close locks the open profile, stops Tor and ends every subscription.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.bgCancel()
	e.bg.Wait() // a server being hosted again finishes starting first
	e.mu.Lock()
	op, t, hosted := e.open, e.tor, e.hosted
	e.open, e.hosted = nil, nil
	e.mu.Unlock()
	var errs []error
	if op != nil {
		errs = append(errs, op.close())
	}
	if hosted != nil {
		errs = append(errs, hosted.Close())
	}
	if t != nil {
		errs = append(errs, t.Close())
	}
	e.bus.close()
	return errors.Join(errs...)
}
