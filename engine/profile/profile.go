package profile

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/store"
)

// File and folder names inside a profile.
const (
	headerFile = "profile.hdr"
	// newHeaderFile is the header of a password change whose database is
	// re-encrypted but may not yet be in place (see ChangePassword). While
	// it exists it is the profile's header: Unlock finishes the change.
	newHeaderFile = "profile.hdr.new"
	dbDir         = "db"
)

var (
	// ErrNoProfile is returned by Unlock and Delete for a folder without a
	// profile header.
	ErrNoProfile = errors.New("no profile in this folder")
	// ErrMissingDB is returned by Unlock when the header is there but the
	// database folder is not. Nothing is changed on disk.
	ErrMissingDB = errors.New("profile database is missing")
	// ErrProfileInUse is returned by Unlock and Delete when the profile is
	// already unlocked, by this process or another one.
	ErrProfileInUse = errors.New("profile is already open")
	// ErrClosed is returned by the methods of a Profile after Close.
	ErrClosed = errors.New("profile is closed")
	// ErrNewerSchema is returned by Unlock and Import for a database written
	// by a newer version of Nook. It is store.ErrNewerSchema.
	ErrNewerSchema = store.ErrNewerSchema
)

// Options configure the operations that derive keys or write profiles. The
// zero value is right for production.
type Options struct {
	// KDF are the Argon2id parameters for headers and export files written;
	// zero means DefaultParams. Weaker ones are refused outside tests.
	KDF Params
	// Rand is the source of salts, nonces, keys and IDs; nil means
	// crypto/rand.
	Rand io.Reader
	// Now is the clock for creation times; nil means time.Now.
	Now func() time.Time
	// NoSync is passed to the store (store.Options.NoSync): for tests and
	// benchmarks only.
	NoSync bool
}

func (o Options) rand() io.Reader {
	if o.Rand == nil {
		return rand.Reader
	}
	return o.Rand
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// Info is what can be known about a profile without its password.
type Info struct {
	// ID is the profile's random identifier (32 hex digits).
	ID string
	// Dir is the profile's folder.
	Dir string
	// Created is when the profile was created, to the second.
	Created time.Time
	// Password tells whether the profile needs a password to open, as its
	// header said when the Info was made (Profile.HasPassword is always
	// current).
	Password PasswordState
	// Err is set by List for a folder whose header cannot be read; the other
	// fields but Dir are then empty.
	Err error
}

// PasswordState tells whether a profile needs a password to open. The
// header says so in plaintext (see the package documentation): it is no
// secret, since anyone can try the empty password.
type PasswordState uint8

const (
	// PasswordUnknown is the state of a profile whose header an older Nook
	// wrote (format 1) and that has not been unlocked since: Unlock rewrites
	// such a header with the flag.
	PasswordUnknown PasswordState = iota
	// PasswordSet: opening the profile takes its password.
	PasswordSet
	// PasswordNone: the profile was created, imported or last changed with
	// the empty password, so anyone using the computer can open it.
	PasswordNone
)

// passwordState is the state a header sealed under password has.
func passwordState(password string) PasswordState {
	if password == "" {
		return PasswordNone
	}
	return PasswordSet
}

// Profile is an unlocked profile. Close locks it again.
type Profile struct {
	dir    string
	info   Info
	opts   Options
	st     *store.Store
	id     *identity.Identity
	master []byte // the database key, wiped by Close
	// unlockedWith is the state of the password the profile was unlocked
	// or created with: HasPassword's answer while the header is still in
	// format 1 (its rewrite by Unlock failed).
	unlockedWith PasswordState

	mu     sync.Mutex // guards name, closed, and header rewrites
	name   string
	closed bool
}

// Store returns the profile's open store. It is closed by Close.
func (p *Profile) Store() *store.Store { return p.st }

// Identity returns the profile's identity. Close wipes its private key: do
// not use it after Close.
func (p *Profile) Identity() *identity.Identity { return p.id }

// Info returns the profile's ID, folder and creation time.
func (p *Profile) Info() Info { return p.info }

// DisplayName returns the name the user chose for the profile.
func (p *Profile) DisplayName() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.name
}

// HasPassword reports whether the profile needs a password to open. It
// reads the header, so it follows ChangePassword.
func (p *Profile) HasPassword() (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false, ErrClosed
	}
	h, err := readHeader(p.dir)
	if err != nil {
		return false, err
	}
	state := h.password
	if state == PasswordUnknown {
		state = p.unlockedWith
	}
	return state != PasswordNone, nil
}

// SetDisplayName changes the profile's display name.
func (p *Profile) SetDisplayName(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if err := putSelf(p.st, p.id.Seed(), name); err != nil {
		return err
	}
	p.name = name
	return nil
}

// Close closes the store and wipes the keys held in memory (best effort:
// the Go runtime may have copied them). It may be called more than once.
func (p *Profile) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closeLocked()
}

// Lock is Close.
func (p *Profile) Lock() error { return p.Close() }

func (p *Profile) closeLocked() error {
	if p.closed {
		return nil
	}
	p.closed = true
	err := p.st.Close()
	clear(p.master)
	clear(p.id.PrivateKey())
	return err
}

// The profile record holds the identity seed and the display name, in the
// store's bucket "profile" under "self": version byte 1, the 32-byte seed,
// a uvarint length and the name.
const (
	selfBucket  = "profile"
	selfVersion = 1
)

var selfKey = []byte("self")

func putSelf(st *store.Store, seed []byte, name string) error {
	b := append([]byte{selfVersion}, seed...)
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	defer clear(b)
	return st.Bucket(selfBucket).Put(selfKey, b)
}

func getSelf(st *store.Store) (*identity.Identity, string, error) {
	b, err := st.Bucket(selfBucket).Get(selfKey)
	if err != nil {
		return nil, "", fmt.Errorf("read profile record: %w", err)
	}
	defer clear(b)
	bad := fmt.Errorf("%w: profile record", store.ErrCorrupt)
	if len(b) < 33 || b[0] != selfVersion {
		return nil, "", bad
	}
	n, k := binary.Uvarint(b[33:])
	if k <= 0 || n != uint64(len(b)-33-k) {
		return nil, "", bad
	}
	id, err := identity.FromSeed(b[1:33])
	if err != nil {
		return nil, "", bad
	}
	return id, string(b[33+k:]), nil
}

// newHeader draws a new profile's random ID and master key from rnd, and
// returns a header for them (still to be sealed) and the key, which the
// caller clears.
func newHeader(rnd io.Reader, params Params, created time.Time) (*header, []byte, error) {
	h := &header{params: params, created: created}
	if _, err := io.ReadFull(rnd, h.id[:]); err != nil {
		return nil, nil, fmt.Errorf("read random id: %w", err)
	}
	master := make([]byte, masterKeySize)
	if _, err := io.ReadFull(rnd, master); err != nil {
		return nil, nil, fmt.Errorf("read random key: %w", err)
	}
	return h, master, nil
}

// Create makes a new profile under root with a fresh identity, protected by
// password, and returns it unlocked. The folder appears under root only when
// it is complete.
func Create(root, displayName, password string, opts Options) (*Profile, error) {
	opts.KDF = opts.KDF.withDefault()
	if err := opts.KDF.check(); err != nil {
		return nil, err
	}
	rnd := opts.rand()
	h, master, err := newHeader(rnd, opts.KDF, opts.now().UTC().Truncate(time.Second))
	if err != nil {
		return nil, err
	}
	defer clear(master)
	ident, err := identity.Generate(rnd)
	if err != nil {
		return nil, err
	}
	defer clear(ident.PrivateKey())
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create profile: %w", err)
	}
	final := filepath.Join(root, h.idString())
	work := filepath.Join(root, ".new-"+h.idString())
	err = func() error {
		if err := os.Mkdir(work, 0o700); err != nil {
			return err
		}
		if err := h.seal(rnd, password, master); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(work, headerFile), h.marshal()); err != nil {
			return err
		}
		st, err := store.Open(filepath.Join(work, dbDir), store.Options{Key: master, Create: true, NoSync: opts.NoSync})
		if err != nil {
			return err
		}
		err = putSelf(st, ident.Seed(), displayName)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		return os.Rename(work, final)
	}()
	if err != nil {
		os.RemoveAll(work)
		return nil, fmt.Errorf("create profile: %w", err)
	}
	return openWithKey(final, h, master, opts)
}

// openWithKey opens the store of the profile in dir with the master key
// (which it copies).
func openWithKey(dir string, h *header, master []byte, opts Options) (*Profile, error) {
	key := append([]byte(nil), master...)
	st, err := store.Open(filepath.Join(dir, dbDir), store.Options{Key: key, NoSync: opts.NoSync})
	switch {
	case errors.Is(err, store.ErrInUse):
		err = ErrProfileInUse
	case errors.Is(err, store.ErrNotExist):
		err = ErrMissingDB
	case errors.Is(err, store.ErrWrongKey):
		err = corrupt("header does not belong to this database")
	}
	if err != nil {
		clear(key)
		return nil, err
	}
	id, name, err := getSelf(st)
	if err != nil {
		st.Close()
		clear(key)
		return nil, err
	}
	return &Profile{
		dir:    dir,
		info:   Info{ID: h.idString(), Dir: dir, Created: h.created, Password: h.password},
		opts:   opts,
		st:     st,
		id:     id,
		master: key,
		name:   name,

		unlockedWith: h.password,
	}, nil
}

// readHeader reads and parses dir's current header: profile.hdr.new if a
// password change left one (it is committed), else profile.hdr.
func readHeader(dir string) (*header, error) {
	h, _, err := currentHeader(dir)
	return h, err
}

// currentHeader is readHeader, also saying whether the header is that of
// an unfinished password change.
func currentHeader(dir string) (*header, bool, error) {
	h, err := readHeaderFile(filepath.Join(dir, newHeaderFile))
	if err == nil {
		return h, true, nil
	} else if !errors.Is(err, ErrNoProfile) {
		return nil, false, err
	}
	h, err = readHeaderFile(filepath.Join(dir, headerFile))
	return h, false, err
}

func readHeaderFile(path string) (*header, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoProfile
	} else if err != nil {
		return nil, fmt.Errorf("read profile header: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, headerSize+1))
	if err != nil {
		return nil, fmt.Errorf("read profile header: %w", err)
	}
	return parseHeader(b)
}

// Unlock opens the profile in dir with password. A wrong password costs one
// key derivation (none when the header's password flag already rules it
// out) and returns ErrWrongPassword; nothing on disk changes before the
// password is verified. opts.KDF is not used.
//
// A password change that was interrupted after its new header was written
// is finished here (the new password opens the profile, the old one no
// longer does); one interrupted before leaves a partial copy of the
// database, removed here once the profile is open.
//
// A header in format 1, written by a Nook that did not record whether the
// profile has a password, is rewritten in the current format once the
// password is verified (a second key derivation, once), the same way
// ChangePassword writes it; if that fails the profile still opens, and
// the header stays as it was.
func Unlock(dir, password string, opts Options) (*Profile, error) {
	return unlock(dir, password, opts, true)
}

// unlock is Unlock; upgrade says whether to rewrite a format 1 header.
func unlock(dir, password string, opts Options, upgrade bool) (*Profile, error) {
	h, pending, err := currentHeader(dir)
	if err != nil {
		return nil, err
	}
	if err := h.params.check(); err != nil {
		return nil, err
	}
	db := filepath.Join(dir, dbDir)
	if fi, err := os.Stat(db); !pending && (err != nil || !fi.IsDir()) {
		return nil, ErrMissingDB
	}
	if h.refuses(password) {
		return nil, ErrWrongPassword
	}
	master, err := h.open(password)
	if err != nil {
		return nil, err
	}
	defer clear(master)
	if pending {
		if err := finishPasswordChange(dir); err != nil {
			return nil, err
		}
		if fi, err := os.Stat(db); err != nil || !fi.IsDir() {
			return nil, ErrMissingDB
		}
	}
	p, err := openWithKey(dir, h, master, opts)
	if err != nil {
		return nil, err
	}
	// The database is ours (no other process has it open, so none is
	// re-encrypting it): what an uncommitted change left can go.
	if err := store.AbandonRekey(db); err != nil {
		p.Close()
		return nil, fmt.Errorf("remove an unfinished password change: %w", err)
	}
	p.unlockedWith = passwordState(password)
	p.info.Password = p.unlockedWith
	if upgrade && h.version < formatVersion {
		// The header's params passed check above; seal keeps them.
		if h.seal(opts.rand(), password, master) == nil {
			_ = writeFileAtomic(filepath.Join(dir, headerFile), h.marshal())
		}
	}
	return p, nil
}

// finishPasswordChange completes a password change whose new header was
// written: the re-encrypted database replaces the old one, then the new
// header the old. Every step can run again.
func finishPasswordChange(dir string) error {
	if err := store.FinishRekey(filepath.Join(dir, dbDir)); err != nil {
		return fmt.Errorf("finish a password change: %w", err)
	}
	if err := os.Rename(filepath.Join(dir, newHeaderFile), filepath.Join(dir, headerFile)); err != nil {
		return fmt.Errorf("finish a password change: %w", err)
	}
	return syncDir(dir)
}

// List returns the profiles under root, oldest first. A folder whose header
// cannot be read is listed with Err set; folders without a header are not
// profiles and are skipped. A missing root holds no profiles.
func List(root string) ([]Info, error) {
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	var out []Info
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(root, e.Name())
		h, err := readHeader(dir)
		switch {
		case errors.Is(err, ErrNoProfile):
			continue
		case err != nil:
			out = append(out, Info{Dir: dir, Err: err})
		default:
			out = append(out, Info{ID: h.idString(), Dir: dir, Created: h.created, Password: h.password})
		}
	}
	slices.SortStableFunc(out, func(a, b Info) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Dir, b.Dir)
	})
	return out, nil
}

// ChangePassword replaces the profile's password and re-keys the profile:
// it verifies old, makes a new random master key, re-encrypts the database
// under it (a copy with fresh data keys, store.Rekey), and wraps it under
// new (with a new salt and opts.KDF from Unlock or Create). An old header,
// kept by someone who also knows the old password, then opens nothing:
// its master key encrypts no current file.
//
// The steps, and what a crash after each leaves (Unlock finishes or
// undoes it): the copy is written to db.rekey (a crash: the old password
// opens the profile, the copy is removed); the new header is written to
// profile.hdr.new, atomically (the commit: from here the new password
// opens it); db is renamed db.old and db.rekey db; profile.hdr.new
// replaces profile.hdr; db.old is removed. The profile stays open and
// usable throughout; other operations wait while the database is copied.
// If a step after the commit fails, the error is returned, the store is
// closed, and the new password holds (the next Unlock finishes the
// change).
func (p *Profile) ChangePassword(old, new string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	params := p.opts.KDF.withDefault()
	if err := params.check(); err != nil {
		return err
	}
	h, err := readHeader(p.dir)
	if err != nil {
		return err
	}
	master, err := h.open(old)
	if err != nil {
		return err
	}
	defer clear(master)
	if !slicesEqual(master, p.master) {
		return corrupt("header does not belong to this database")
	}
	fresh := make([]byte, store.KeySize)
	defer clear(fresh)
	if _, err := io.ReadFull(p.opts.rand(), fresh); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	h.params = params
	if err := h.seal(p.opts.rand(), new, fresh); err != nil {
		return err
	}
	hdrNew := filepath.Join(p.dir, newHeaderFile)
	err = p.st.Rekey(fresh, func() error { return writeFileAtomic(hdrNew, h.marshal()) })
	if err != nil {
		if _, serr := os.Stat(hdrNew); serr != nil {
			return fmt.Errorf("change password: %w", err) // not committed: nothing changed
		}
		return fmt.Errorf("change password: the new password is set, but %w", err)
	}
	copy(p.master, fresh)
	if err := os.Rename(hdrNew, filepath.Join(p.dir, headerFile)); err != nil {
		return fmt.Errorf("change password: the new password is set, but %w", err)
	}
	return syncDir(p.dir)
}

func slicesEqual(a, b []byte) bool { return string(a) == string(b) }

// Delete verifies password, then removes the profile in dir and everything
// in it. It fails with ErrProfileInUse if the profile is open.
func Delete(dir, password string, opts Options) error {
	p, err := unlock(dir, password, opts, false)
	if err != nil {
		return err
	}
	return p.remove()
}

// Delete verifies password against the header, closes the profile and
// removes its folder.
func (p *Profile) Delete(password string) error {
	p.mu.Lock()
	h, err := readHeader(p.dir)
	if err == nil {
		var master []byte
		master, err = h.open(password)
		clear(master)
	}
	p.mu.Unlock()
	if err != nil {
		return err
	}
	return p.remove()
}

// remove closes p and deletes its folder: first renamed to a dot-name, so
// that List never shows a half-deleted profile.
func (p *Profile) remove() error {
	if err := p.Close(); err != nil {
		return err
	}
	var suffix [8]byte
	rand.Read(suffix[:])
	trash := filepath.Join(filepath.Dir(p.dir), ".delete-"+hex.EncodeToString(suffix[:]))
	if err := os.Rename(p.dir, trash); err != nil {
		return fmt.Errorf("delete profile: %w", err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("delete profile: %w", err)
	}
	return nil
}
