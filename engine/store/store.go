package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/nookchat/nook/engine/internal/diskspace"
)

// KeySize is the length of the encryption key: Badger uses AES-256.
const KeySize = 32

var (
	// ErrNotFound is returned by the getters (GetContact, GetMessage,
	// Setting, Bucket.Get, ...) when there is no such record.
	ErrNotFound = errors.New("not found")
	// ErrNewerSchema is returned by Open and Restore for a database written by
	// a newer version of Nook; this version must not touch it.
	ErrNewerSchema = errors.New("database was written by a newer version of nook")
	// ErrCorrupt is returned (wrapped, with what was wrong) when bytes read
	// from the database cannot be decoded.
	ErrCorrupt = errors.New("database record is damaged")
	// ErrInUse is returned by Open when the database is already open, in this
	// process or another one.
	ErrInUse = errors.New("database is in use")
	// ErrWrongKey is returned by Open when the key is not the one the
	// database was created with.
	ErrWrongKey = errors.New("database key does not match")
	// ErrNotExist is returned by Open without Options.Create when the
	// directory holds no database.
	ErrNotExist = errors.New("database does not exist")
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("store is closed")
	// ErrDuplicate is returned by AppendMessage and QueueMessage for a message
	// ID that is already stored.
	ErrDuplicate = errors.New("message already stored")
	// ErrInvalid is returned (wrapped, with what was wrong) for arguments the
	// store cannot accept: a key of the wrong size, an empty or overlong
	// name, an unknown status.
	ErrInvalid = errors.New("invalid argument")
)

// LogLevel is the severity of a line Badger logs.
type LogLevel int

// Log levels passed to Options.Log.
const (
	LogWarning LogLevel = iota + 1
	LogError
)

// Options configure Open.
type Options struct {
	// Key is the 32-byte encryption key. Open copies it; the copy is wiped
	// by Close.
	Key []byte
	// Create allows Open to create a new database when dir holds none.
	Create bool
	// NoSync lets commits return before they reach the disk: faster, but a
	// power cut may lose the last writes. For tests and benchmarks.
	NoSync bool
	// Log receives Badger's warnings and errors as format strings without
	// their arguments (which could hold data). Nil discards them.
	Log func(level LogLevel, format string)
	// GCInterval is how often the value log is garbage-collected; zero means
	// every 10 minutes, a negative value never.
	GCInterval time.Duration
	// MinFree is the free disk space below which writes are refused with
	// ErrDiskFull; zero means DefaultMinFree, a negative value never.
	MinFree int64
}

// Store is an open encrypted database. Its methods are safe for concurrent
// use.
type Store struct {
	dir     string  // absolute, the key of openDirs
	minFree int64   // see Options.MinFree; 0 or less: no check
	opts    Options // as given to Open, without the key

	// mu is held for reading by every operation on db and for writing by
	// Rekey, which replaces db, and Close.
	mu     sync.RWMutex
	db     *badger.DB
	key    []byte // wiped by Close and Rekey
	closed bool

	// commits counts the read-write transactions committed (Commits).
	commits atomic.Uint64
	// space is the last measurement of the free disk space (checkSpace);
	// maxTxn the most a transaction writes.
	space  spaceGauge
	maxTxn uint64

	closeOnce sync.Once
	closeErr  error

	gcMu   sync.Mutex
	gcStop chan struct{} // closed to stop the GC loop; nil if none runs
	gcDone chan struct{} // closed when the GC loop has returned
}

// openDirs holds the absolute directories of the stores open in this
// process, so that a second Open fails with ErrInUse even where Badger's
// directory lock would not notice.
var (
	openMu   sync.Mutex
	openDirs = map[string]bool{}
)

func claimDir(dir string) bool {
	openMu.Lock()
	defer openMu.Unlock()
	if openDirs[dir] {
		return false
	}
	openDirs[dir] = true
	return true
}

func releaseDir(dir string) {
	openMu.Lock()
	defer openMu.Unlock()
	delete(openDirs, dir)
}

// badgerOptions are the desktop-sized Badger options documented in the
// package comment.
func badgerOptions(dir string, key []byte, o Options) badger.Options {
	return badger.DefaultOptions(dir).
		WithEncryptionKey(key).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithBlockCacheSize(8 << 20).
		WithIndexCacheSize(4 << 20).
		WithValueThreshold(64 << 10).
		WithValueLogFileSize(16 << 20).
		WithNumCompactors(2).
		WithNumLevelZeroTables(3).
		WithNumLevelZeroTablesStall(10).
		WithCompactL0OnClose(true).
		WithNumGoroutines(2).
		WithMetricsEnabled(false).
		WithCompression(options.Snappy).
		WithChecksumVerificationMode(options.OnBlockRead).
		WithVerifyValueChecksum(true).
		WithSyncWrites(!o.NoSync).
		WithLogger(quietLogger{o.Log})
}

// Open opens the database in dir with opts.Key, creating it if opts.Create
// is set, and brings its schema up to date. Close must be called.
func Open(dir string, opts Options) (*Store, error) {
	return open(dir, opts, migrations)
}

func open(dir string, opts Options, migs []migration) (*Store, error) {
	s, err := openRaw(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := prepareSchema(s.db, migs, true); err != nil {
		s.Close()
		return nil, err
	}
	s.startGC()
	return s, nil
}

// openRaw opens Badger without looking at the schema and without the GC loop.
func openRaw(dir string, opts Options) (*Store, error) {
	if len(opts.Key) != KeySize {
		return nil, fmt.Errorf("%w: key must be %d bytes", ErrInvalid, KeySize)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if !opts.Create && !exists(abs) {
		return nil, ErrNotExist
	}
	if !claimDir(abs) {
		return nil, ErrInUse
	}
	if !keyMatches(abs, opts.Key) {
		releaseDir(abs)
		return nil, ErrWrongKey
	}
	key := append([]byte(nil), opts.Key...)
	bopts := badgerOptions(abs, key, opts)
	db, err := badger.Open(bopts)
	if err != nil {
		releaseDir(abs)
		clear(key)
		switch {
		case errors.Is(err, badger.ErrEncryptionKeyMismatch):
			return nil, ErrWrongKey
		case isLockError(err):
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("open database: %w", err)
	}
	minFree := opts.MinFree
	if minFree == 0 {
		minFree = DefaultMinFree
	}
	opts.Key = nil
	return &Store{db: db, key: key, dir: abs, minFree: minFree, opts: opts,
		space: spaceGauge{now: time.Now, measure: diskspace.Free}, maxTxn: maxTxnBytes(bopts.MemTableSize)}, nil
}

// exists reports whether dir holds a Badger database.
func exists(dir string) bool {
	for _, f := range []string{"MANIFEST", "KEYREGISTRY"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// isLockError recognises Badger's directory-lock failure. Badger flattens the
// underlying error into text, so the message is all there is to match.
func isLockError(err error) bool {
	return strings.Contains(err.Error(), "Another process is using this Badger database")
}

// startGC starts the value-log GC loop (Options.GCInterval).
func (s *Store) startGC() {
	every := s.opts.GCInterval
	if every == 0 {
		every = 10 * time.Minute
	}
	if every < 0 {
		return
	}
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	if s.gcStop != nil {
		return
	}
	stop, done := make(chan struct{}), make(chan struct{})
	s.gcStop, s.gcDone = stop, done
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				// Rewrite value-log files that are at least half garbage,
				// until there are none left or the loop is stopped. The
				// rewrite is a write: not while the disk is (nearly) full.
				for s.checkSpace() == nil && s.runGC() == nil {
					select {
					case <-stop:
						return
					default:
					}
				}
			}
		}
	}()
}

func (s *Store) runGC() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return s.db.RunValueLogGC(0.5)
}

// stopGC stops the GC loop, if one runs, and waits for it.
func (s *Store) stopGC() {
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	if s.gcStop == nil {
		return
	}
	close(s.gcStop)
	<-s.gcDone
	s.gcStop, s.gcDone = nil, nil
}

// Close stops the store's background work, waits for it, closes the
// database and wipes the store's copy of the key. It may be called more than
// once; later calls return the first result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stopGC()
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.closed {
			if err := s.db.Close(); err != nil {
				s.closeErr = fmt.Errorf("close database: %w", err)
			}
			s.closed = true
			releaseDir(s.dir)
		}
		clear(s.key)
	})
	return s.closeErr
}

// maxRetries bounds how often a transaction is retried after a conflict
// with a concurrent one.
const maxRetries = 64

// update runs fn in a read-write transaction, retrying on conflicts; fn must
// therefore have no effect outside the transaction but its results.
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	if err := s.checkSpace(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := 0; ; i++ {
		err := s.db.Update(fn)
		if errors.Is(err, badger.ErrConflict) && i < maxRetries {
			continue
		}
		if err == nil {
			s.commits.Add(1)
		}
		return mapErr(err)
	}
}

// Commits returns how many read-write transactions the store has committed
// since Open (each one a synced write unless Options.NoSync is set). Tests
// use it to count what an operation costs: the disk's sync, not the bytes,
// is what a commit costs on a desktop.
func (s *Store) Commits() uint64 { return s.commits.Load() }

func (s *Store) view(fn func(txn *badger.Txn) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return mapErr(s.db.View(fn))
}

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrDBClosed):
		return ErrClosed
	case errors.Is(err, badger.ErrKeyNotFound):
		return ErrNotFound
	}
	return err
}

// quietLogger drops Badger's debug and info lines and passes warnings and
// errors on as their format string only.
type quietLogger struct{ log func(LogLevel, string) }

func (l quietLogger) Errorf(format string, _ ...any) {
	if l.log != nil {
		l.log(LogError, format)
	}
}

func (l quietLogger) Warningf(format string, _ ...any) {
	if l.log != nil {
		l.log(LogWarning, format)
	}
}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
