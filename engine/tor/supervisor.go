package tor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cretz/bine/control"
)

// supervise launches tor and relaunches it whenever it dies, until ctx
// ends. After MaxFailures consecutive failures (a launch that fails, or a
// tor that dies before reaching 100 %) it reports StateFailed and stops
// trying.
func (t *Tor) supervise(ctx context.Context) {
	defer close(t.done)
	backoff := t.cfg.RestartBackoff
	failures, restarts := 0, 0
	t.setStatus(Status{State: StateStarting})
	for {
		inst, err := t.launchCtx(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			t.attach(inst)
			select {
			case <-ctx.Done():
				t.detach(inst)
				inst.stop(t.cfg.StopGrace)
				return
			case <-inst.exited:
			case <-inst.lost:
			case <-inst.hung:
			}
			_, err = inst.deadReason()
			reached := t.Status().State == StateReady
			t.detach(inst)
			inst.stop(t.cfg.StopGrace)
			if reached {
				failures, backoff = 0, t.cfg.RestartBackoff
			}
		}
		failures++
		restarts++
		if failures > t.cfg.MaxFailures {
			t.setStatus(Status{State: StateFailed, Err: fmt.Errorf("gave up after %d attempts: %w", failures, err), Restarts: restarts})
			<-ctx.Done()
			return
		}
		t.setStatus(Status{State: StateRestarting, Err: err, Restarts: restarts})
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, t.cfg.MaxRestartBackoff)
	}
}

// launchCtx launches tor, bounding the launch (not the bootstrap) to a
// minute.
func (t *Tor) launchCtx(ctx context.Context) (*instance, error) {
	lctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	t.mu.Lock()
	exe, p := t.exe, t.paths
	t.mu.Unlock()
	return launch(lctx, exe, p, liveness{t.cfg.LivenessInterval, t.cfg.LivenessTimeout}, t.onEvent)
}

// attach makes inst the current tor and publishes every registered
// service on it.
func (t *Tor) attach(inst *instance) {
	t.mu.Lock()
	t.inst = inst
	var lns []*onionListener
	for _, l := range t.services {
		lns = append(lns, l)
	}
	t.mu.Unlock()
	for _, l := range lns {
		// Errors surface as the service not being reachable; Listen
		// reports its own. A dead instance is replaced anyway.
		l.publish(inst)
	}
}

// detach forgets inst as the current tor.
func (t *Tor) detach(inst *instance) {
	t.mu.Lock()
	if t.inst == inst {
		t.inst = nil
	}
	t.mu.Unlock()
}

// onEvent handles tor's events: bootstrap progress and descriptor uploads.
func (t *Tor) onEvent(inst *instance, ev control.Event) {
	switch ev := ev.(type) {
	case *control.StatusEvent:
		if ev == nil || ev.Action != "BOOTSTRAP" {
			return
		}
		t.onBootstrap(inst, ev)
	case *control.HSDescEvent:
		if ev == nil || ev.Action != "UPLOADED" {
			return
		}
		t.mu.Lock()
		for _, l := range t.services {
			if string(l.addr.Address) == ev.Address {
				l.markUploaded()
			}
		}
		t.mu.Unlock()
	}
}

func (t *Tor) onBootstrap(inst *instance, ev *control.StatusEvent) {
	args := parseStatusArgs(ev.Raw)
	progress, err := strconv.Atoi(args["PROGRESS"])
	if err != nil {
		return
	}
	t.mu.Lock()
	current := t.inst == inst || t.inst == nil
	prev := t.status
	t.mu.Unlock()
	if !current {
		return
	}
	s := Status{State: StateBootstrapping, Progress: progress, Tag: args["TAG"], Phase: args["SUMMARY"]}
	if progress >= 100 {
		s.State = StateReady
	}
	if ev.Severity == "WARN" || ev.Severity == "ERR" {
		// Tor keeps trying on its own; report the problem with the progress.
		if w := args["WARNING"]; w != "" {
			s.Err = errors.New(w)
		}
	}
	if prev.State == StateReady && s.State != StateReady {
		// A ready tor does not go back to bootstrapping; later phase
		// events (for example after a network change) only update text.
		return
	}
	if prev.State == s.State && prev.Progress == s.Progress && prev.Tag == s.Tag && (prev.Err == nil) == (s.Err == nil) {
		return
	}
	t.setStatus(s)
}
