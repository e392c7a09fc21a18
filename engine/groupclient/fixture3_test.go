package groupclient

import (
	"crypto/sha256"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// openFixture copies testdata/<name> to a temporary folder, starts the
// group server stored there and opens the stores of members (see
// testdata/README.md).
func openFixture(t *testing.T, name string, members ...string) []*member {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join("testdata", name)+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy fixture: %v %s", err, out)
	}
	tr := network()
	srv := startServer(t, serverConfig(filepath.Join(dir, "server"), tr))
	t.Cleanup(func() { srv.Close() })
	var out []*member
	for _, n := range members {
		key := sha256.Sum256([]byte("store " + n))
		st, err := store.Open(filepath.Join(dir, n), store.Options{Key: key[:], NoSync: true, GCInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		m := &member{t: t, name: n, id: seedIdentity(t, n), st: st, tr: tr}
		t.Cleanup(func() { m.stop(); st.Close() })
		m.start()
		out = append(out, m)
	}
	return out
}

// TestServersFixtureV3: a group stored before groups could live on more
// than one server (testdata/groups-v3, "g" records version 3) opens with
// its one server, its history and its owner, and its members go on
// writing to each other through it.
func TestServersFixtureV3(t *testing.T) {
	ms := openFixture(t, "groups-v3", "alice", "bob")
	alice, bob := ms[0], ms[1]
	groups := bob.c.Groups()
	if len(groups) != 1 || groups[0].Name != "Allotment" {
		t.Fatalf("bob's groups: %+v", groups)
	}
	g := groups[0]
	for _, m := range ms {
		for _, body := range []string{"welcome", "hello from bob", "see you on saturday"} {
			if !m.hasBody(g.Conversation, body) {
				t.Fatalf("%s lost %q", m.name, body)
			}
		}
	}
	if info := alice.c.Groups()[0]; info.Role != model.RoleOwner || info.Server != g.Server {
		t.Fatalf("alice's group: %+v", info)
	}
	if _, err := bob.c.Post(g.ID, "still here", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitBody(t, g.Conversation, "still here")
}
