package store

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/internal/leaktest"
	"github.com/nookchat/nook/engine/model"
)

func TestMain(m *testing.M) {
	code := m.Run()
	closeBenchStores() // the benchmarks' shared fixtures
	os.Exit(leaktest.Check(code))
}

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{Key: testKey(7), Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func msg(conv model.ConversationID, body string, at time.Time) model.Message {
	return model.Message{
		ID: model.NewMessageID(), Conversation: conv, Author: "author",
		Sent: at, Received: at, Body: body, Status: model.StatusReceived,
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, Options{Key: testKey(1)}); !errors.Is(err, ErrNotExist) {
		t.Fatalf("open missing without Create: %v, want ErrNotExist", err)
	}
	if _, err := Open(dir, Options{Key: []byte("short"), Create: true}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short key: %v, want ErrInvalid", err)
	}
	s, err := Open(dir, Options{Key: testKey(1), Create: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{Key: testKey(1)}); !errors.Is(err, ErrInUse) {
		t.Fatalf("second open: %v, want ErrInUse", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.GetContact("x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
	if _, err := Open(dir, Options{Key: testKey(2)}); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key: %v, want ErrWrongKey", err)
	}
	s, err = Open(dir, Options{Key: testKey(1), GCInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if v, err := s.Schema(); err != nil || v != CurrentSchema() {
		t.Fatalf("Schema = %d, %v; want %d", v, err, CurrentSchema())
	}
	time.Sleep(5 * time.Millisecond) // let the GC loop run at least once
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestContacts(t *testing.T) {
	s := openTest(t, t.TempDir())
	now := time.Date(2025, 3, 1, 12, 0, 0, 123, time.UTC)
	a := model.Contact{Address: "aaaa", Nickname: "Ann", DisplayName: "Anna", State: model.ContactAccepted,
		Verified: true, Verification: model.VerifiedInPerson, VerifiedName: "Anna", Added: now, LastActivity: now.Add(time.Hour)}
	b := model.Contact{Address: "bbbb", State: model.ContactRequest, Archived: true}
	for _, c := range []model.Contact{b, a} {
		if err := s.PutContact(c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetContact("aaaa")
	if err != nil || !contactEqual(got, a) {
		t.Fatalf("GetContact = %+v, %v; want %+v", got, err, a)
	}
	all, err := s.Contacts()
	if err != nil || len(all) != 2 || !contactEqual(all[0], a) || !contactEqual(all[1], b) {
		t.Fatalf("Contacts = %+v, %v", all, err)
	}
	a.Nickname = "Annie"
	if err := s.PutContact(a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetContact("aaaa"); got.Nickname != "Annie" {
		t.Fatalf("after update: %+v", got)
	}
	if err := s.DeleteContact("aaaa"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetContact("aaaa"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted contact: %v, want ErrNotFound", err)
	}
	if err := s.PutContact(model.Contact{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty address: %v, want ErrInvalid", err)
	}
}

func contactEqual(a, b model.Contact) bool {
	return a.Address == b.Address && a.Nickname == b.Nickname && a.DisplayName == b.DisplayName &&
		a.State == b.State && a.Verified == b.Verified && a.Archived == b.Archived &&
		a.Added.Equal(b.Added) && a.LastActivity.Equal(b.LastActivity) &&
		a.Verification == b.Verification && a.InviteConfirmed == b.InviteConfirmed && a.VerifyRevoked == b.VerifyRevoked &&
		a.Disappear == b.Disappear && a.DisappearSet.Equal(b.DisappearSet) && a.VerifiedName == b.VerifiedName
}

// TestContactVerification: how a contact was verified is stored with it;
// a record written before that was recorded (no trailing verification
// fields) reads as VerifiedLegacy when it says verified; records whose
// fields disagree are refused.
func TestContactVerification(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []model.Contact{
		{Address: "a", State: model.ContactAccepted, Verified: true, Verification: model.VerifiedInPerson, Added: now},
		{Address: "a", State: model.ContactAccepted, Verified: true, Verification: model.VerifiedSafetyCode, InviteConfirmed: true},
		{Address: "a", DisplayName: "Bob", State: model.ContactAccepted, Verified: true, Verification: model.VerifiedSafetyCode, VerifiedName: "Mallory"},
		{Address: "a", State: model.ContactAccepted, VerifyRevoked: true, Disappear: time.Hour, DisappearSet: now},
		{Address: "a", State: model.ContactPending, InviteConfirmed: true},
	} {
		got, err := decodeContact("a", encodeContact(c))
		if err != nil || !contactEqual(got, c) {
			t.Fatalf("round trip of %+v: %+v, %v", c, got, err)
		}
	}
	// The layout before verification fields, as the earlier code wrote it.
	var e enc
	e.byte(recordVersion)
	e.string("")
	e.string("Alice")
	e.byte(byte(model.ContactAccepted))
	e.bool(true)
	e.bool(false)
	e.time(now)
	e.time(now)
	legacy, err := decodeContact("a", e.b)
	if err != nil || !legacy.Verified || legacy.Verification != model.VerifiedLegacy {
		t.Fatalf("legacy verified record: %+v, %v", legacy, err)
	}
	bad := encodeContact(model.Contact{Verified: true, Verification: model.VerifiedInPerson})
	base := bad[:len(bad)-3] // verification, flags, empty name
	unverified := encodeContact(model.Contact{VerifyRevoked: true})
	unverified[len(unverified)-1] |= contactNameRecorded
	for name, b := range map[string][]byte{
		"disagree":            append(bytes.Clone(base), byte(model.Unverified), 0),
		"unknown kind":        append(bytes.Clone(base), 9, 0),
		"unknown flags":       append(bytes.Clone(base), byte(model.VerifiedInPerson), 8),
		"truncated":           bad[:len(bad)-1],
		"name, not verified":  append(unverified, 0),
		"name without a flag": append(bytes.Clone(base), byte(model.VerifiedInPerson), 0, 0),
	} {
		if _, err := decodeContact("a", b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

// TestVerifiedNameRecorded (security review 2, M-B): the store, not its
// caller, decides the name a badge belongs to: the display name when the
// contact becomes verified, kept through renames and reopening, dropped
// with the badge; for a verified record of an earlier version, the
// display name it holds when this version first stores it.
func TestVerifiedNameRecorded(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	save := func(c model.Contact) model.Contact {
		t.Helper()
		got, err := s.SaveContact(c)
		if err != nil {
			t.Fatal(err)
		}
		if stored, err := s.GetContact(c.Address); err != nil || stored.VerifiedName != got.VerifiedName {
			t.Fatalf("SaveContact returned %q, the store holds %q (%v)", got.VerifiedName, stored.VerifiedName, err)
		}
		return got
	}
	c := save(model.Contact{Address: "m", DisplayName: "Mallory", State: model.ContactAccepted, VerifiedName: "Forged"})
	if c.VerifiedName != "" {
		t.Fatalf("a contact not verified has the verified name %q", c.VerifiedName)
	}
	c.Verified, c.Verification = true, model.VerifiedInPerson
	if c = save(c); c.VerifiedName != "Mallory" {
		t.Fatalf("verified as %q, want Mallory", c.VerifiedName)
	}
	c.DisplayName, c.VerifiedName = "Bob", "Bob"
	if c = save(c); c.VerifiedName != "Mallory" || c.Name() != "Mallory" || c.RenamedTo() != "Bob" {
		t.Fatalf("after a rename: verified as %q, shown as %q, renamed to %q", c.VerifiedName, c.Name(), c.RenamedTo())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	if got, err := s.GetContact("m"); err != nil || got.VerifiedName != "Mallory" {
		t.Fatalf("after reopening: %q, %v", got.VerifiedName, err)
	}
	c.Verified, c.Verification = false, model.Unverified
	if c = save(c); c.VerifiedName != "" || c.Name() != "Bob" {
		t.Fatalf("badge removed: verified as %q, shown as %q", c.VerifiedName, c.Name())
	}
	c.Verified, c.Verification = true, model.VerifiedSafetyCode
	if c = save(c); c.VerifiedName != "Bob" {
		t.Fatalf("verified again as %q, want Bob", c.VerifiedName)
	}

	// A verified record as the version before wrote it (no name field).
	old := encodeContact(model.Contact{DisplayName: "Carol", State: model.ContactAccepted, Verified: true, Verification: model.VerifiedInPerson})
	old = old[:len(old)-1]
	old[len(old)-1] &^= contactNameRecorded
	if err := s.update(func(txn *badger.Txn) error { return txn.Set(contactKey("c"), old) }); err != nil {
		t.Fatal(err)
	}
	legacy, err := s.GetContact("c")
	if err != nil || !legacy.Verified || legacy.VerifiedName != "" {
		t.Fatalf("record of the earlier layout: %+v, %v", legacy, err)
	}
	legacy.DisplayName = "Dave"
	if legacy = save(legacy); legacy.VerifiedName != "Carol" {
		t.Fatalf("earlier record renamed on its first save: verified as %q, want Carol", legacy.VerifiedName)
	}
}

func TestSettings(t *testing.T) {
	s := openTest(t, t.TempDir())
	if _, err := s.Setting("theme"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unset: %v", err)
	}
	if err := s.PutSetting("theme", []byte("dark")); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Setting("theme"); err != nil || string(v) != "dark" {
		t.Fatalf("Setting = %q, %v", v, err)
	}
	type tor struct {
		Bridges []string
		Port    int
	}
	want := tor{Bridges: []string{"obfs4 x"}, Port: 9050}
	if err := s.PutSettingJSON("tor", want); err != nil {
		t.Fatal(err)
	}
	var got tor
	if err := s.SettingJSON("tor", &got); err != nil || got.Port != 9050 || len(got.Bridges) != 1 {
		t.Fatalf("SettingJSON = %+v, %v", got, err)
	}
	var n int
	if err := s.SettingJSON("theme", &n); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("bad JSON: %v, want ErrCorrupt", err)
	}
	if err := s.DeleteSetting("theme"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Setting("theme"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
}

// TestPutOwned checks that values given to PutOwned may be reused once
// Update has returned: what was stored stays, both for a value kept in
// the tree and for one above the value-log threshold, before and after
// the store is reopened.
func TestPutOwned(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	buf := make([]byte, 4096+100<<10)
	for i := range buf {
		buf[i] = byte(i)
	}
	want := bytes.Clone(buf)
	small, large := buf[:4096], buf[4096:]
	err := s.Update(func(tx *Tx) error {
		b := tx.Bucket("blobs")
		if err := b.PutOwned([]byte("small"), small); err != nil {
			return err
		}
		return b.PutOwned([]byte("large"), large)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 0xee
	}
	check := func(s *Store) {
		t.Helper()
		b := s.Bucket("blobs")
		if v, err := b.Get([]byte("small")); err != nil || !bytes.Equal(v, want[:4096]) {
			t.Fatalf("small value after reuse: %v", err)
		}
		if v, err := b.Get([]byte("large")); err != nil || !bytes.Equal(v, want[4096:]) {
			t.Fatalf("large value after reuse: %v", err)
		}
	}
	check(s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check(openTest(t, dir))
}

func TestBuckets(t *testing.T) {
	s := openTest(t, t.TempDir())
	g, inv := s.Bucket("groups"), s.Bucket("invites")
	if err := g.Put([]byte("k1"), []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if err := g.Update(func(tx *BucketTx) error {
		if err := tx.Put([]byte("k2"), []byte("v2")); err != nil {
			return err
		}
		return tx.Put([]byte("x1"), []byte("vx"))
	}); err != nil {
		t.Fatal(err)
	}
	if err := inv.Put([]byte("k1"), []byte("other")); err != nil {
		t.Fatal(err)
	}
	if v, err := g.Get([]byte("k1")); err != nil || string(v) != "v1" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	var keys []string
	err := g.Iterate([]byte("k"), func(k, v []byte) error {
		keys = append(keys, string(k)+"="+string(v))
		return nil
	})
	if err != nil || len(keys) != 2 || keys[0] != "k1=v1" || keys[1] != "k2=v2" {
		t.Fatalf("Iterate = %v, %v", keys, err)
	}
	stop := errors.New("stop")
	if err := g.Iterate(nil, func(k, v []byte) error { return stop }); err != stop {
		t.Fatalf("Iterate error = %v", err)
	}
	// A failing Update changes nothing.
	err = s.Update(func(tx *Tx) error {
		if err := tx.Bucket("groups").Delete([]byte("k1")); err != nil {
			return err
		}
		return stop
	})
	if err != stop {
		t.Fatalf("Update = %v", err)
	}
	if _, err := g.Get([]byte("k1")); err != nil {
		t.Fatalf("rolled-back delete: %v", err)
	}
	if err := g.Delete([]byte("k1")); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Get([]byte("k1")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	if v, err := inv.Get([]byte("k1")); err != nil || string(v) != "other" {
		t.Fatalf("other bucket: %q, %v", v, err)
	}
	if err := s.Bucket("").Put([]byte("k"), nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty bucket name: %v", err)
	}
	if err := g.Put(nil, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty key: %v", err)
	}
}
