package tortest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

// NetNS is a network namespace of its own with nothing in it but a
// loopback interface: a program started in it can reach 127.0.0.1 of the
// namespace and nothing else, not even this machine's other addresses.
// The harness runs the snowflake proxy there (see StartSnowflake), and
// makes sockets in it that relay to chosen loopback ports of the test's
// own namespace.
//
// One goroutine, locked to its thread, moves that thread into the new
// namespace and runs everything that must happen inside it (Do): sockets
// made there stay in the namespace, and processes started there are
// born in it. Close ends the goroutine and its thread (the runtime makes
// new threads from a clean one, so no other thread joins the namespace).
// Creating a network namespace needs CAP_SYS_ADMIN (root).
type NetNS struct {
	mu     sync.Mutex // guards closed; held while a job runs
	closed bool
	jobs   chan func()
	done   chan struct{}
}

// RequireNetNSEnv is the environment variable that makes a test needing a
// network namespace fail, instead of skipping, where none can be made.
const RequireNetNSEnv = "NOOK_REQUIRE_NETNS"

// NewNetNS creates the namespace and brings its loopback interface up.
func NewNetNS() (*NetNS, error) {
	ns := &NetNS{jobs: make(chan func()), done: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		defer close(ns.done)
		// Never unlocked: the thread is in another namespace and ends
		// with this goroutine.
		runtime.LockOSThread()
		if err := syscall.Unshare(syscall.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("a network namespace of its own (needs root): %w", err)
			return
		}
		if err := loopbackUp(); err != nil {
			errc <- fmt.Errorf("bringing up the namespace's loopback: %w", err)
			return
		}
		errc <- nil
		for job := range ns.jobs {
			job()
		}
	}()
	if err := <-errc; err != nil {
		<-ns.done
		return nil, err
	}
	return ns, nil
}

// Do runs f inside the namespace and returns its error.
func (ns *NetNS) Do(f func() error) error {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if ns.closed {
		return errors.New("network namespace closed")
	}
	errc := make(chan error, 1)
	ns.jobs <- func() { errc <- f() }
	return <-errc
}

// ListenUDP makes a UDP socket on 127.0.0.1 (any port) inside the
// namespace.
func (ns *NetNS) ListenUDP() (*net.UDPConn, error) {
	var c *net.UDPConn
	err := ns.Do(func() (err error) {
		c, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		return err
	})
	return c, err
}

// Listen makes a TCP listener on addr (a 127.0.0.1 address) inside the
// namespace.
func (ns *NetNS) Listen(addr string) (net.Listener, error) {
	var ln net.Listener
	err := ns.Do(func() (err error) {
		ln, err = net.Listen("tcp4", addr)
		return err
	})
	return ln, err
}

// Interfaces returns the names of the namespace's network interfaces
// (read from its /proc/net/dev).
func (ns *NetNS) Interfaces() ([]string, error) {
	var names []string
	err := ns.Do(func() error {
		b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/net/dev", syscall.Gettid()))
		if err != nil {
			return err
		}
		for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if name, _, ok := strings.Cut(line, ":"); ok && i >= 2 {
				names = append(names, strings.TrimSpace(name))
			}
		}
		return nil
	})
	return names, err
}

// Close ends the namespace's goroutine (the namespace goes away with the
// last socket or process in it).
func (ns *NetNS) Close() {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if !ns.closed {
		ns.closed = true
		close(ns.jobs)
	}
	<-ns.done
}

// loopbackUp sets IFF_UP on "lo" of the calling thread's namespace.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	// struct ifreq: the name, then the flags (a short) in the union.
	var req [40]byte
	copy(req[:], "lo")
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCGIFFLAGS, uintptr(unsafe.Pointer(&req[0]))); e != 0 {
		return e
	}
	flags := *(*uint16)(unsafe.Pointer(&req[16]))
	*(*uint16)(unsafe.Pointer(&req[16])) = flags | syscall.IFF_UP | syscall.IFF_RUNNING
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCSIFFLAGS, uintptr(unsafe.Pointer(&req[0]))); e != 0 {
		return e
	}
	return nil
}
