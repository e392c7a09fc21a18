package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
)

// TestTorEventPhaseTag: a Tor status's event names its phase by a tag a
// frontend translates: tor's bootstrap tag, or the engine's own.
func TestTorEventPhaseTag(t *testing.T) {
	for _, c := range []struct {
		in        tor.Status
		state     model.TorState
		tag, text string
	}{
		{tor.Status{State: tor.StateBootstrapping, Progress: 75, Tag: "enough_dirinfo", Phase: "Loaded enough directory info to build circuits"},
			model.TorBootstrapping, "enough_dirinfo", "Loaded enough directory info to build circuits"},
		{tor.Status{State: tor.StateStarting}, model.TorStarting, "starting", "Starting Tor"},
		{tor.Status{State: tor.StateRestarting}, model.TorRestarting, "restarting", "Tor stopped unexpectedly; restarting it"},
	} {
		ev := torEvent(c.in)
		if ev.State != c.state || ev.PhaseTag != c.tag || ev.Phase != c.text {
			t.Errorf("torEvent(%+v) = %+v", c.in, ev)
		}
	}
}

// TestTorEventErrText: why Tor failed is named for translation: one of
// Explain's sentences with its hint, or for tor's own words (which Explain
// does not know) a sentence of the engine's, never tor's English.
func TestTorEventErrText(t *testing.T) {
	missing := &tor.Error{Err: fmt.Errorf("%w: tried /opt/tor", tor.ErrTorNotFound), Hint: "Nook needs Tor.", HintKey: "tor_not_found_hint"}
	for _, c := range []struct {
		err          error
		key, hintKey string
	}{
		{missing, "explain.tor_tor_not_found", "explain.tor_not_found_hint"},
		{fmt.Errorf("%w: exited", tor.ErrFailed), "explain.tor_failed", "explain.tor_failed_hint"},
		{errors.New("tor exited with status 1: [err] Failed to bind one of the listener ports"), "connect.tor_could_not_start", ""},
	} {
		ev := torEvent(tor.Status{State: tor.StateFailed, Err: c.err})
		if ev.ErrText.Key != c.key || ev.HintText.Key != c.hintKey || ev.Err != c.err.Error() {
			t.Errorf("%v: ErrText %+v, HintText %+v; want %s, %s", c.err, ev.ErrText, ev.HintText, c.key, c.hintKey)
		}
		if ev.ErrText.English == "" || (c.hintKey != "" && ev.HintText.English == "") {
			t.Errorf("%v: no English: %+v %+v", c.err, ev.ErrText, ev.HintText)
		}
	}
	if ev := torEvent(tor.Status{State: tor.StateBootstrapping}); ev.ErrText.Key != "" || ev.HintText.Key != "" {
		t.Errorf("no error, but %+v %+v", ev.ErrText, ev.HintText)
	}
}
