package loopback

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
)

// Directory maps onion addresses to 127.0.0.1 host:port pairs.
type Directory interface {
	// Publish records addr at hostport, failing with
	// transport.ErrAddressInUse when addr is already published.
	Publish(addr identity.Address, hostport string) error
	// Unpublish removes addr if it is still recorded at hostport.
	Unpublish(addr identity.Address, hostport string) error
	// Lookup returns where addr is published.
	Lookup(addr identity.Address) (hostport string, ok bool, err error)
}

// MemoryDirectory is a Directory held in memory, shared by the transports
// of one process.
type MemoryDirectory struct {
	mu      sync.Mutex // guards entries
	entries map[identity.Address]string
}

// NewMemoryDirectory returns an empty in-memory directory.
func NewMemoryDirectory() *MemoryDirectory {
	return &MemoryDirectory{entries: make(map[identity.Address]string)}
}

// Publish implements Directory.
func (d *MemoryDirectory) Publish(addr identity.Address, hostport string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.entries[addr]; ok {
		return transport.ErrAddressInUse
	}
	d.entries[addr] = hostport
	return nil
}

// Unpublish implements Directory.
func (d *MemoryDirectory) Unpublish(addr identity.Address, hostport string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.entries[addr] == hostport {
		delete(d.entries, addr)
	}
	return nil
}

// Lookup implements Directory.
func (d *MemoryDirectory) Lookup(addr identity.Address) (string, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	hp, ok := d.entries[addr]
	return hp, ok, nil
}

// FileDirectory is a Directory kept as one small file per address in a
// directory, so that several processes on one machine (a local demo) find
// each other. Each file, named after the address, holds "127.0.0.1:port".
// An entry left behind by a crashed process is simply unreachable (Dial
// gives transport.ErrUnreachable) and is replaced by the next Publish.
type FileDirectory struct {
	Path string
}

// Publish implements Directory. An existing entry is replaced only when
// nothing accepts connections at it any more.
func (d FileDirectory) Publish(addr identity.Address, hostport string) error {
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return fmt.Errorf("loopback directory: %w", err)
	}
	name := filepath.Join(d.Path, string(addr))
	if old, err := os.ReadFile(name); err == nil {
		if alive(strings.TrimSpace(string(old))) {
			return transport.ErrAddressInUse
		}
	}
	tmp, err := os.CreateTemp(d.Path, ".tmp-*")
	if err != nil {
		return fmt.Errorf("loopback directory: %w", err)
	}
	_, werr := tmp.WriteString(hostport + "\n")
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("loopback directory: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("loopback directory: %w", err)
	}
	return nil
}

// Unpublish implements Directory.
func (d FileDirectory) Unpublish(addr identity.Address, hostport string) error {
	name := filepath.Join(d.Path, string(addr))
	old, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("loopback directory: %w", err)
	}
	if strings.TrimSpace(string(old)) != hostport {
		return nil
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("loopback directory: %w", err)
	}
	return nil
}

// Lookup implements Directory.
func (d FileDirectory) Lookup(addr identity.Address) (string, bool, error) {
	b, err := os.ReadFile(filepath.Join(d.Path, string(addr)))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("loopback directory: %w", err)
	}
	return strings.TrimSpace(string(b)), true, nil
}
