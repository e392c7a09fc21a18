package tortest

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Conn is one socket of a tor process, from /proc/net/{tcp,tcp6,udp,udp6}.
type Conn struct {
	PID    int
	Proto  string
	Local  net.IP
	Remote net.IP
	RPort  int
}

func (c Conn) String() string {
	return fmt.Sprintf("pid %d %s -> %s:%d", c.PID, c.Proto, c.Remote, c.RPort)
}

// outside reports whether the socket's remote end is a real address off
// 127.0.0.0/8 (unconnected sockets have an unspecified remote).
func (c Conn) outside() bool {
	if c.Remote.IsUnspecified() {
		return false
	}
	return !c.Remote.IsLoopback()
}

// TorChildren returns the PIDs of the tor processes that are children of
// this test process (the harness's and every engine/tor instance's), of
// the other programs the harness runs (snowflake-broker, snowflake-proxy),
// and of every process those started (pluggable transports: obfs4proxy,
// snowflake-client, snowflake-server).
func TorChildren() []int {
	self := os.Getpid()
	ents, _ := os.ReadDir("/proc")
	var pids []int
	parent := map[int]int{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		comm := s[open+1 : close]
		f := strings.Fields(s[close+1:])
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		if ppid == self && (comm == "tor" || strings.HasPrefix(comm, "snowflake-")) {
			pids = append(pids, pid)
		} else {
			parent[pid] = ppid
		}
	}
	tors := map[int]bool{}
	for _, p := range pids {
		tors[p] = true
	}
	for pid, ppid := range parent {
		if tors[ppid] {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Sockets returns the sockets the processes pids hold, read from the
// socket tables of each process's own network namespace (the snowflake
// proxy runs in another, see NetNS).
func Sockets(pids []int) ([]Conn, error) {
	inodes := map[string]int{}
	tables := map[string]int{} // network namespace -> a pid in it
	for _, pid := range pids {
		if ns, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "ns", "net")); err == nil {
			if _, ok := tables[ns]; !ok {
				tables[ns] = pid
			}
		}
		dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue // exited meanwhile
		}
		for _, e := range ents {
			l, err := os.Readlink(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			if ino, ok := strings.CutPrefix(l, "socket:["); ok {
				inodes[strings.TrimSuffix(ino, "]")] = pid
			}
		}
	}
	if len(inodes) == 0 {
		return nil, nil
	}
	var out []Conn
	for _, pid := range tables {
		conns, err := socketTable(pid, inodes)
		if err != nil {
			continue // exited meanwhile
		}
		out = append(out, conns...)
	}
	return out, nil
}

// socketTable returns the sockets of the network namespace of pid whose
// inodes are in inodes.
func socketTable(pid int, inodes map[string]int) ([]Conn, error) {
	var out []Conn
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
		f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "net", proto))
		if err != nil {
			if proto == "tcp" {
				return nil, err
			}
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fl := strings.Fields(sc.Text())
			if len(fl) < 10 {
				continue
			}
			pid, ok := inodes[fl[9]]
			if !ok {
				continue
			}
			lip, _ := parseHexAddr(fl[1])
			rip, rport := parseHexAddr(fl[2])
			out = append(out, Conn{PID: pid, Proto: proto, Local: lip, Remote: rip, RPort: rport})
		}
		f.Close()
	}
	return out, nil
}

// parseHexAddr parses /proc/net's "0100007F:1F90" (host byte order words).
func parseHexAddr(s string) (net.IP, int) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0
	}
	port, _ := strconv.ParseUint(p, 16, 16)
	b, err := hex.DecodeString(h)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return nil, 0
	}
	ip := make(net.IP, len(b))
	for i := 0; i < len(b); i += 4 {
		ip[i], ip[i+1], ip[i+2], ip[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	return ip, int(port)
}

// Monitor samples the sockets of every tor child of the test process and
// records any with a remote end outside 127.0.0.0/8.
type Monitor struct {
	mu         sync.Mutex // guards the fields below
	samples    int
	maxTors    int
	violations []Conn
	err        error

	stop chan struct{}
	done chan struct{}
}

// StartMonitor starts sampling every interval until Stop.
func StartMonitor(interval time.Duration) *Monitor {
	m := &Monitor{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			m.Sample()
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// Sample checks the tor children's sockets once.
func (m *Monitor) Sample() {
	pids := TorChildren()
	conns, err := Sockets(pids)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.samples++
	m.maxTors = max(m.maxTors, len(pids))
	if err != nil && m.err == nil {
		m.err = err
	}
	for _, c := range conns {
		if c.outside() {
			m.violations = append(m.violations, c)
		}
	}
}

// Stop ends sampling after one last sample.
func (m *Monitor) Stop() {
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
	<-m.done
	m.Sample()
}

// Result returns how many samples were taken, the most tor processes seen
// at once, and every socket seen with a remote end off loopback.
func (m *Monitor) Result() (samples, maxTors int, violations []Conn, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.samples, m.maxTors, append([]Conn(nil), m.violations...), m.err
}
