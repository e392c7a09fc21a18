package store

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

var writeContactsFixture = flag.Bool("write-contacts-fixture", false, "write testdata/contacts-v1 with this code")

// The contacts fixture in testdata/contacts-v1 was written under
// testKey(7) by the code of commit 1cbd498 (TestWriteContactsFixture),
// before contact records held whether a request was delivered: the
// contacts below.
var fixtureContacts = []model.Contact{
	{Address: "pendingaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Nickname: "Rosa", State: model.ContactPending},
	{Address: "pendingtimeraaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", Nickname: "Tom", State: model.ContactPending,
		Disappear: time.Hour, DisappearSet: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
	{Address: "requestaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", DisplayName: "Ana", State: model.ContactRequest},
	{Address: "acceptedaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", DisplayName: "Jo", State: model.ContactAccepted,
		Verified: true, Verification: model.VerifiedSafetyCode},
	{Address: "blockedaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", State: model.ContactBlocked},
}

// TestWriteContactsFixture writes testdata/contacts-v1 when run with
// -write-contacts-fixture.
func TestWriteContactsFixture(t *testing.T) {
	if !*writeContactsFixture {
		t.Skip("run with -write-contacts-fixture to write testdata/contacts-v1")
	}
	dir := filepath.Join("testdata", "contacts-v1")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{Key: testKey(7), Create: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	added := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range fixtureContacts {
		c.Added, c.LastActivity = added, added
		if _, err := s.SaveContact(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestContactsFixture opens the contacts written before the records held
// whether a request was delivered: every contact reads as it was stored,
// the requests as not delivered; a delivered request is then stored and
// read back, and a contact that stops being pending loses the flag.
func TestContactsFixture(t *testing.T) {
	s, err := Open(copyFixture(t, "contacts-v1"), Options{Key: testKey(7), NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, want := range fixtureContacts {
		c, err := s.GetContact(want.Address)
		if err != nil {
			t.Fatalf("%s: %v", want.Address, err)
		}
		if c.State != want.State || c.Nickname != want.Nickname || c.DisplayName != want.DisplayName ||
			c.Verification != want.Verification || c.Disappear != want.Disappear || !c.DisappearSet.Equal(want.DisappearSet) ||
			c.RequestDelivered {
			t.Fatalf("fixture contact %s reads as %+v", want.Address, c)
		}
	}
	for _, addr := range []string{fixtureContacts[0].Address, fixtureContacts[1].Address} {
		c, _ := s.GetContact(addr)
		c.RequestDelivered = true
		if _, err := s.SaveContact(c); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetContact(addr); err != nil || !got.RequestDelivered || got.Disappear != c.Disappear || got.Nickname != c.Nickname {
			t.Fatalf("a delivered request read back: %+v, %v", got, err)
		}
		c.State = model.ContactAccepted
		if got, err := s.SaveContact(c); err != nil || got.RequestDelivered {
			t.Fatalf("an accepted contact keeps RequestDelivered: %+v, %v", got, err)
		}
		if got, _ := s.GetContact(addr); got.RequestDelivered || got.State != model.ContactAccepted {
			t.Fatalf("an accepted contact read back: %+v", got)
		}
	}
}
