// Package diskspace measures the free space of the file system that holds
// a folder, and tells whether two folders are on the same one. The engine
// checks free space before it writes a profile (Badger's memory-mapped
// writes kill the process with SIGBUS on a full disk) and tests use it to
// fill a disk.
//
// Where a measurement is not possible (an operating system without statfs,
// or an error), the functions say so with ok = false and callers skip
// their check.
package diskspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Free returns the bytes available to an unprivileged user on the file
// system holding path. A path that does not exist yet is measured at the
// nearest folder above it that does (where it would be created).
func Free(path string) (free uint64, ok bool) {
	dir, ok := existing(path)
	if !ok {
		return 0, false
	}
	return statFree(dir)
}

// SameDisk reports whether a and b (or, for paths that do not exist yet,
// the nearest folders above them that do) are on the same file system. It
// reports true where this cannot be told, which makes callers keep the
// stricter of their checks.
func SameDisk(a, b string) bool {
	da, okA := existing(a)
	db, okB := existing(b)
	if !okA || !okB {
		return true
	}
	return sameDevice(da, db)
}

// existing returns path or the nearest folder above it that exists.
func existing(path string) (string, bool) {
	p, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	for {
		_, err := os.Lstat(p)
		if err == nil {
			return p, true
		}
		up := filepath.Dir(p)
		if !errors.Is(err, fs.ErrNotExist) || up == p {
			return "", false
		}
		p = up
	}
}
