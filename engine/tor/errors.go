package tor

import (
	"errors"
)

// ErrTorNotFound is returned (wrapped in an *Error with a hint) by Start
// when no tor binary is found: not bundled, not configured, not on PATH.
var ErrTorNotFound = errors.New("tor binary not found")

// ErrConfig is returned (wrapped) by Start when the Config is invalid.
var ErrConfig = errors.New("invalid tor configuration")

// ErrPublicNetworkInTest is returned by Start in a test binary, or in any
// program run with NOOK_FORBID_PUBLIC_TOR=1 in its environment (the
// Makefile's test targets and CI set it, so that a real binary started by
// a test cannot reach it either), when the Config has no PrivateNetwork:
// tests must never reach the public Tor network.
var ErrPublicNetworkInTest = errors.New("refusing to start tor on the public network in a test")

// ForbidPublicEnv is the environment variable that makes Start refuse the
// public Tor network in any program.
const ForbidPublicEnv = "NOOK_FORBID_PUBLIC_TOR"

// ErrClosed is returned (wrapped) by Listen, Dial and WaitReady after Close.
var ErrClosed = errors.New("tor transport closed")

// ErrNotStarted is returned by Listen, Dial and WaitReady before Start.
var ErrNotStarted = errors.New("tor transport not started")

// ErrFailed is returned (wrapped, with the last reason) by Listen, Dial and
// WaitReady once the supervisor has given up restarting tor.
var ErrFailed = errors.New("tor failed")

// Error carries, beside an error, a hint for the user on what to do about
// it. The hint is never part of Error().
type Error struct {
	Err  error
	Hint string
	// HintKey names Hint in the app's catalogs (with the prefix
	// "explain."), HintArgs fill its placeholders: see HintKeys.
	HintKey  string
	HintArgs map[string]any
}

// HintKeys are the keys (HintKey) of the hints of this package's errors,
// with their English text.
var HintKeys = map[string]string{
	"tor_not_found_hint":       hintTorNotFound,
	"transport_not_found_hint": hintTransportNotFound,
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Hint returns the user hint of the first *Error in err's chain, or "".
func Hint(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Hint
	}
	return ""
}
