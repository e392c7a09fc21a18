package engine

import (
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
