package engine

import (
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
)

// torEvent turns a Tor transport status into the engine's event.
func torEvent(s tor.Status) model.TorStatus {
	ev := model.TorStatus{Percent: s.Progress, Phase: s.Phase, PhaseTag: s.Tag}
	switch s.State {
	case tor.StateStarting:
		ev.State = model.TorStarting
		ev.Phase, ev.PhaseTag = "Starting Tor", "starting"
	case tor.StateBootstrapping:
		ev.State = model.TorBootstrapping
	case tor.StateReady:
		ev.State = model.TorReady
		ev.Percent = 100
	case tor.StateRestarting:
		ev.State = model.TorRestarting
		ev.Phase, ev.PhaseTag = "Tor stopped unexpectedly; restarting it", "restarting"
	case tor.StateFailed:
		ev.State = model.TorFailed
	default:
		ev.State = model.TorStopped
	}
	if s.Err != nil {
		ev.Err = s.Err.Error()
		ev.Hint = tor.Hint(s.Err)
		// Named for translation: Explain's sentences, or for an error
		// it does not know (tor's own words) a sentence saying what
		// happened, never tor's English.
		x := explainTexts(s.Err)
		if len(x) == 0 {
			x = []model.Text{model.Say("connect.tor_could_not_start")}
		}
		ev.ErrText = x[0]
		if len(x) > 1 {
			ev.HintText = x[1]
		}
	}
	return ev
}
