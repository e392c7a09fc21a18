package tor

import (
	"fmt"
	"time"
)

// State is the coarse state of the tor the transport runs.
type State int

const (
	// StateStopped: not started, or closed.
	StateStopped State = iota
	// StateStarting: launching the tor process and connecting to it.
	StateStarting
	// StateBootstrapping: tor is running and connecting to the network;
	// Status.Progress and Status.Phase say how far it got.
	StateBootstrapping
	// StateReady: bootstrapped to 100 %; services are published, dials work.
	StateReady
	// StateRestarting: tor died or the control connection was lost; the
	// supervisor restarts it (Status.Err says why).
	StateRestarting
	// StateFailed: the supervisor gave up (Status.Err says why). Close and
	// Start again, for example after the user changed the settings.
	StateFailed
)

func (s State) String() string {
	switch s {
	case StateStopped:
		return "stopped"
	case StateStarting:
		return "starting"
	case StateBootstrapping:
		return "bootstrapping"
	case StateReady:
		return "ready"
	case StateRestarting:
		return "restarting"
	case StateFailed:
		return "failed"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Status is one status report of the transport, delivered to
// Config.OnStatus and returned by Tor.Status.
type Status struct {
	State State
	// Progress is tor's bootstrap progress, 0–100.
	Progress int
	// Tag and Phase are tor's bootstrap phase ("conn_done", "Connected to a
	// relay"), from STATUS_CLIENT BOOTSTRAP events.
	Tag, Phase string
	// Err is why tor is restarting or failed; nil otherwise.
	Err error
	// Restarts counts restarts since Start.
	Restarts int
	// Time is when the status was reached (Config.Now).
	Time time.Time
}

func (s Status) String() string {
	out := s.State.String()
	if s.State == StateBootstrapping || s.State == StateReady {
		out += fmt.Sprintf(" %d%%", s.Progress)
		if s.Phase != "" {
			out += " (" + s.Phase + ")"
		}
	}
	if s.Err != nil {
		out += ": " + s.Err.Error()
	}
	return out
}
