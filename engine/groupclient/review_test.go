package groupclient

import (
	"testing"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// Tests of the group findings of the outside security review (issue 14);
// docs/security.md lists them.

// TestPoWDifficultyCapped (L-8): a server that asks for a proof of work
// above the client's cap gets none: the client does not solve it, says so
// with a warning, and keeps the post queued.
func TestPoWDifficultyCapped(t *testing.T) {
	tr := network()
	cfg := serverConfig(t.TempDir(), tr)
	cfg.PoWBits = protocol.MaxPoWBits
	srv := startServer(t, cfg)
	defer srv.Close()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("g", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := alice.c.Post(info.ID, "hello", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	evs := alice.ev.waitFor(t, "a proof-of-work warning", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupWarning) bool { return e.Kind == "proof of work" }) > 0
	})
	for _, ev := range evs {
		if w, ok := ev.(model.GroupWarning); ok && w.Kind == "proof of work" && w.Server != string(srv.Address()) {
			t.Errorf("warning without its server: %+v", w)
		}
	}
	if st := srv.Stats(); st.TokenBatches != 0 || st.Posts != 0 {
		t.Fatalf("server stats %+v: the client solved the work", st)
	}
	if m, err := alice.st.GetMessage(msg.ID); err != nil || m.Status != model.StatusQueued {
		t.Fatalf("post %v (%v), want still queued", m.Status, err)
	}
}
