package profile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testOpts = Options{KDF: InsecureTestParams, NoSync: true}

func create(t testing.TB, root, name, pw string) *Profile {
	t.Helper()
	p, err := Create(root, name, pw, testOpts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return p
}

func closeP(t testing.TB, p *Profile) {
	t.Helper()
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// fill stores a contact, a message and a setting.
func fill(t *testing.T, p *Profile) model.Message {
	t.Helper()
	st := p.Store()
	if err := st.PutContact(model.Contact{Address: "contactaddr", Nickname: "Nick"}); err != nil {
		t.Fatal(err)
	}
	m, err := st.QueueMessage(model.Message{ID: model.NewMessageID(), Conversation: "contactaddr",
		Body: "hello there", Status: model.StatusQueued, Outgoing: true, Sent: time.Now(), Received: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting("theme", []byte("dark")); err != nil {
		t.Fatal(err)
	}
	return m
}

func checkFilled(t *testing.T, p *Profile, m model.Message) {
	t.Helper()
	st := p.Store()
	if c, err := st.GetContact("contactaddr"); err != nil || c.Nickname != "Nick" {
		t.Fatalf("contact: %+v, %v", c, err)
	}
	if got, err := st.GetMessage(m.Conversation, m.ID); err != nil || got.Body != "hello there" || got.Seq != 1 {
		t.Fatalf("message: %+v, %v", got, err)
	}
	if ids, err := st.Outbox("contactaddr"); err != nil || len(ids) != 1 || ids[0] != m.ID {
		t.Fatalf("outbox: %v, %v", ids, err)
	}
	if v, err := st.Setting("theme"); err != nil || string(v) != "dark" {
		t.Fatalf("setting: %q, %v", v, err)
	}
}

// hashTree returns the SHA-256 of every file under dir.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		sum := sha256.Sum256(b)
		out[path] = hex.EncodeToString(sum[:])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("files changed: %d before, %d after", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("%s changed", k)
		}
	}
}

func TestCreateListUnlock(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "pw")
	addr, info := p.Identity().Address(), p.Info()
	if p.DisplayName() != "Alice" || len(info.ID) != 32 || filepath.Base(info.Dir) != info.ID {
		t.Fatalf("new profile: %q %+v", p.DisplayName(), info)
	}
	m := fill(t, p)
	if err := p.SetDisplayName("Alice B"); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := p.SetDisplayName("x"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	q := create(t, root, "Bob", "pw2")
	closeP(t, q)

	list, err := List(root)
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	ids := map[string]bool{list[0].ID: true, list[1].ID: true}
	if !ids[info.ID] || !ids[q.Info().ID] || list[0].Err != nil || list[0].Created.IsZero() {
		t.Fatalf("List = %+v", list)
	}

	p, err = Unlock(info.Dir, "pw", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer closeP(t, p)
	if p.Identity().Address() != addr || p.DisplayName() != "Alice B" || p.Info().ID != info.ID {
		t.Fatalf("unlocked: %s %q %+v", p.Identity().Address(), p.DisplayName(), p.Info())
	}
	checkFilled(t, p, m)

	// Only once at a time.
	if _, err := Unlock(info.Dir, "pw", testOpts); !errors.Is(err, ErrProfileInUse) {
		t.Fatalf("second Unlock: %v, want ErrProfileInUse", err)
	}
}

func TestListEmpty(t *testing.T) {
	if l, err := List(filepath.Join(t.TempDir(), "none")); err != nil || len(l) != 0 {
		t.Fatalf("List(missing) = %v, %v", l, err)
	}
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "not-a-profile"), 0o700)
	os.Mkdir(filepath.Join(root, ".new-x"), 0o700)
	if l, err := List(root); err != nil || len(l) != 0 {
		t.Fatalf("List = %v, %v", l, err)
	}
}

func TestWrongPasswordTouchesNothing(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "right")
	fill(t, p)
	dir := p.Info().Dir
	closeP(t, p)
	before := hashTree(t, root)
	start := time.Now()
	for _, pw := range []string{"wrong", "", "right "} {
		if _, err := Unlock(dir, pw, testOpts); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("Unlock(%q): %v, want ErrWrongPassword", pw, err)
		}
		if err := Delete(dir, pw, testOpts); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("Delete(%q): %v, want ErrWrongPassword", pw, err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("wrong passwords took %v", d)
	}
	sameTree(t, before, hashTree(t, root))
}

func TestEmptyPassword(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "")
	dir := p.Info().Dir
	closeP(t, p)
	if _, err := Unlock(dir, "x", testOpts); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("non-empty password: %v", err)
	}
	p, err := Unlock(dir, "", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	closeP(t, p)
}

func TestDamagedProfiles(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "pw")
	dir := p.Info().Dir
	closeP(t, p)
	hdrPath := filepath.Join(dir, headerFile)
	good, _ := os.ReadFile(hdrPath)

	newer := bytes.Clone(good)
	newer[9] = formatVersion + 1
	flipped := bytes.Clone(good)
	flipped[150] ^= 1
	// A header altered with a valid checksum: the key check fails.
	resummed := bytes.Clone(good)
	resummed[offSalt] ^= 1
	sum := sha256.Sum256(resummed[:offSum])
	copy(resummed[offSum:], sum[:])
	// The wrapped key altered with a valid checksum.
	wrapped := bytes.Clone(good)
	wrapped[offWrapped] ^= 1
	sum = sha256.Sum256(wrapped[:offSum])
	copy(wrapped[offSum:], sum[:])

	cases := []struct {
		name string
		hdr  []byte
		want error
	}{
		{"empty", nil, ErrCorruptHeader},
		{"truncated", good[:100], ErrCorruptHeader},
		{"one byte short", good[:headerSize-1], ErrCorruptHeader},
		{"trailing", append(bytes.Clone(good), 0), ErrCorruptHeader},
		{"flipped", flipped, ErrCorruptHeader},
		{"newer", newer, ErrNewerFormat},
		{"garbage", bytes.Repeat([]byte{0xAA}, headerSize), ErrCorruptHeader},
		{"altered salt", resummed, ErrWrongPassword},
		{"altered wrapped key", wrapped, ErrCorruptHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(hdrPath, c.hdr, 0o600); err != nil {
				t.Fatal(err)
			}
			before := hashTree(t, root)
			if _, err := Unlock(dir, "pw", testOpts); !errors.Is(err, c.want) {
				t.Fatalf("Unlock: %v, want %v", err, c.want)
			}
			if err := Delete(dir, "pw", testOpts); !errors.Is(err, c.want) {
				t.Fatalf("Delete: %v, want %v", err, c.want)
			}
			sameTree(t, before, hashTree(t, root))
			if c.name != "altered salt" && c.name != "altered wrapped key" { // only Unlock can tell
				l, _ := List(root)
				if len(l) != 1 || !errors.Is(l[0].Err, c.want) {
					t.Fatalf("List = %+v", l)
				}
			}
		})
	}

	os.WriteFile(hdrPath, good, 0o600)
	if err := os.Rename(filepath.Join(dir, dbDir), filepath.Join(dir, "elsewhere")); err != nil {
		t.Fatal(err)
	}
	if _, err := Unlock(dir, "pw", testOpts); !errors.Is(err, ErrMissingDB) {
		t.Fatalf("missing db: %v", err)
	}
	os.Rename(filepath.Join(dir, "elsewhere"), filepath.Join(dir, dbDir))
	os.Remove(hdrPath)
	if _, err := Unlock(dir, "pw", testOpts); !errors.Is(err, ErrNoProfile) {
		t.Fatalf("no header: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, dbDir)); err != nil {
		t.Fatalf("database gone: %v", err)
	}

	// Another profile's header does not open this database.
	os.WriteFile(hdrPath, good, 0o600)
	q := create(t, root, "Bob", "pw")
	qdir := q.Info().Dir
	closeP(t, q)
	other, _ := os.ReadFile(filepath.Join(qdir, headerFile))
	os.WriteFile(hdrPath, other, 0o600)
	if _, err := Unlock(dir, "pw", testOpts); !errors.Is(err, ErrCorruptHeader) {
		t.Fatalf("swapped header: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "old")
	m := fill(t, p)
	dir := p.Info().Dir
	if err := p.ChangePassword("wrong", "new"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong old password: %v", err)
	}
	if err := p.ChangePassword("old", "new"); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)
	if _, err := os.Stat(filepath.Join(dir, headerFile+".tmp")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("temporary header left: %v", err)
	}
	if _, err := Unlock(dir, "old", testOpts); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password still works: %v", err)
	}
	p, err := Unlock(dir, "new", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	checkFilled(t, p, m)
	if err := p.ChangePassword("new", ""); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)
	p, err = Unlock(dir, "", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	checkFilled(t, p, m)
	closeP(t, p)
}

func TestDelete(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "pw")
	dir := p.Info().Dir
	if err := Delete(dir, "pw", testOpts); !errors.Is(err, ErrProfileInUse) {
		t.Fatalf("Delete while open: %v", err)
	}
	if err := p.Delete("bad"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("p.Delete(bad): %v", err)
	}
	closeP(t, p)
	if err := Delete(dir, "pw", testOpts); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
	q := create(t, root, "Bob", "pw")
	if err := q.Delete("pw"); err != nil {
		t.Fatal(err)
	}
	if l, _ := List(root); len(l) != 0 {
		t.Fatalf("List after delete: %+v", l)
	}
}

func TestWeakParamsRefusedInProduction(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "pw")
	dir := p.Info().Dir
	var buf bytes.Buffer
	if err := p.Export(&buf, "x"); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)

	inTest = func() bool { return false }
	defer func() { inTest = testing.Testing }()
	if _, err := Create(root, "x", "pw", testOpts); !errors.Is(err, ErrWeakParams) {
		t.Fatalf("Create: %v, want ErrWeakParams", err)
	}
	if _, err := Unlock(dir, "pw", testOpts); !errors.Is(err, ErrWeakParams) {
		t.Fatalf("Unlock of a test profile: %v, want ErrWeakParams", err)
	}
	if _, err := Import(root, bytes.NewReader(buf.Bytes()), "x", "pw", Options{}); !errors.Is(err, ErrWeakParams) {
		t.Fatalf("Import of a test export: %v, want ErrWeakParams", err)
	}
	if err := DefaultParams.check(); err != nil {
		t.Fatalf("DefaultParams: %v", err)
	}
	if err := (Params{Time: 3, MemoryKiB: 32 << 10, Threads: 4}).check(); !errors.Is(err, ErrWeakParams) {
		t.Fatalf("32 MiB: %v", err)
	}
}

func TestStoreErrorsSurface(t *testing.T) {
	// The profile's store is an ordinary store: a closed profile's store is closed.
	p := create(t, t.TempDir(), "Alice", "pw")
	st := p.Store()
	closeP(t, p)
	if _, err := st.Contacts(); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("store after Close: %v", err)
	}
}
