package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

func openMigs(t *testing.T, dir string, migs []migration) (*Store, error) {
	t.Helper()
	return open(dir, Options{Key: testKey(7), Create: true, NoSync: true, GCInterval: -1}, migs)
}

func TestMigrations(t *testing.T) {
	dir := t.TempDir()
	s, err := openMigs(t, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c"} {
		if err := s.PutSetting(name, []byte("value-"+name)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	// v1 → v2 rewrites every setting, one transaction per record.
	upper := func(db *badger.DB) error {
		var keys [][]byte
		err := db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{kindSetting}})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		for _, k := range keys {
			if err != nil {
				break
			}
			err = db.Update(func(txn *badger.Txn) error {
				item, err := txn.Get(k)
				if err != nil {
					return err
				}
				v, err := item.ValueCopy(nil)
				if err != nil {
					return err
				}
				return txn.Set(k, bytes.ToUpper(v)) // idempotent
			})
		}
		return err
	}
	failing := func(*badger.DB) error { return errors.New("boom") }
	addMarker := func(db *badger.DB) error {
		return db.Update(func(txn *badger.Txn) error { return txn.Set(settingKey("marker"), []byte("v3")) })
	}

	s, err = openMigs(t, dir, []migration{upper})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Schema(); v != 2 {
		t.Fatalf("schema %d after one migration", v)
	}
	if v, _ := s.Setting("b"); string(v) != "VALUE-B" {
		t.Fatalf("migrated setting = %q", v)
	}
	s.Close()

	// A failing migration stops Open and leaves the version where it was.
	if _, err := openMigs(t, dir, []migration{upper, failing}); err == nil || !strings.Contains(err.Error(), "migrate schema 2 to 3") {
		t.Fatalf("failing migration: %v", err)
	}
	s, err = openMigs(t, dir, []migration{upper, addMarker})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Schema(); v != 3 {
		t.Fatalf("schema %d after two migrations", v)
	}
	if v, _ := s.Setting("marker"); string(v) != "v3" {
		t.Fatalf("marker = %q", v)
	}
	s.Close()

	// This build knows only schema 1: the v3 database is refused untouched.
	if _, err := Open(dir, Options{Key: testKey(7), NoSync: true}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("newer schema: %v, want ErrNewerSchema", err)
	}
}

// rawSet writes bytes under a key, bypassing the encoders.
func rawSet(t *testing.T, s *Store, k, v []byte) {
	t.Helper()
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(k, v) }); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptRecords(t *testing.T) {
	s := openTest(t, t.TempDir())
	m, err := s.AppendMessage(msg("c", "hello", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	rawSet(t, s, seqKey(kindMessage, "c", m.Seq), []byte{1, 2, 3})
	rawSet(t, s, contactKey("x"), []byte{9})
	rawSet(t, s, convKey(kindConv, "d"), []byte{1, 0xff})
	rawSet(t, s, msgIndexKey("c", model.MessageID{1}), []byte{1, 99})
	checks := map[string]error{}
	_, checks["GetMessage"] = s.GetMessage("c", m.ID)
	_, checks["LatestMessages"] = s.LatestMessages("c", 5)
	_, checks["UpdateMessageStatus"] = s.UpdateMessageStatus("c", m.ID, model.StatusSent, "")
	_, checks["GetContact"] = s.GetContact("x")
	_, checks["Contacts"] = s.Contacts()
	_, checks["ListConversations"] = s.ListConversations()
	_, checks["dangling index"] = s.GetMessage("c", model.MessageID{1})
	for name, err := range checks {
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

func TestBackupRestore(t *testing.T) {
	s := openTest(t, t.TempDir())
	m, _ := s.QueueMessage(msg("c", "hello", time.Now()))
	s.PutContact(model.Contact{Address: "c", Nickname: "Cee"})
	s.Bucket("b").Put([]byte("k"), []byte("v"))
	var buf bytes.Buffer
	if err := s.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opts := Options{Key: testKey(9), NoSync: true}
	if err := Restore(dir, opts, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if err := Restore(dir, opts, bytes.NewReader(buf.Bytes())); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("restore over a database: %v", err)
	}
	r, err := Open(dir, Options{Key: testKey(9), NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := r.GetMessage("c", m.ID); err != nil || got.Body != "hello" {
		t.Fatalf("restored message: %+v, %v", got, err)
	}
	if ids, _ := r.Outbox("c"); len(ids) != 1 {
		t.Fatalf("restored outbox: %v", ids)
	}
	if c, _ := r.GetContact("c"); c.Nickname != "Cee" {
		t.Fatalf("restored contact: %+v", c)
	}
	// Appending continues after the restored Seq.
	if m2, err := r.AppendMessage(msg("c", "next", time.Now())); err != nil || m2.Seq != 2 {
		t.Fatalf("append after restore: %+v, %v", m2, err)
	}

	// A damaged backup stream fails cleanly.
	bad := append([]byte{}, buf.Bytes()...)
	bad[0] ^= 0x40 // frame length far too large
	if err := Restore(t.TempDir(), opts, bytes.NewReader(bad)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged backup: %v", err)
	}
	myErr := errors.New("reader failed")
	if err := Restore(t.TempDir(), opts, &failReader{buf.Bytes()[:10], myErr}); !errors.Is(err, myErr) {
		t.Fatalf("failing reader: %v", err)
	}
}

type failReader struct {
	b   []byte
	err error
}

func (f *failReader) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, f.err
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}
