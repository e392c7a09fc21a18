//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/tor/tortest"
)

// netWatch samples the sockets of every tor the demo started (directly or
// through the apps and the server) and records any whose remote end is off
// 127.0.0.0/8. tortest's Monitor sees only the direct children of the
// process; the apps' and the server's tors are grandchildren.
type netWatch struct {
	mu         sync.Mutex // guards the fields below
	samples    int
	maxTors    int
	torsSeen   map[int]bool
	violations []tortest.Conn
	err        error

	stop chan struct{}
	done chan struct{}
}

func startNetWatch(interval time.Duration) *netWatch {
	w := &netWatch{torsSeen: map[int]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			w.sample()
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

// offLoopback reports whether a socket's remote end is a real address
// outside 127.0.0.0/8 (unconnected sockets have an unspecified remote).
func offLoopback(c tortest.Conn) bool {
	return !c.Remote.IsUnspecified() && !c.Remote.IsLoopback()
}

func (w *netWatch) sample() {
	pids := torDescendants()
	conns, err := tortest.Sockets(pids)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.samples++
	w.maxTors = max(w.maxTors, len(pids))
	for _, p := range pids {
		w.torsSeen[p] = true
	}
	if err != nil && w.err == nil {
		w.err = err
	}
	for _, c := range conns {
		if offLoopback(c) {
			w.violations = append(w.violations, c)
		}
	}
}

// finish stops sampling after one last sample.
func (w *netWatch) finish() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
	w.sample()
}

// report describes what the watch saw; ok is false if a tor connected off
// loopback or the sockets could not be read.
func (w *netWatch) report() (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return fmt.Sprintf("could not read the tor processes' sockets: %v", w.err), false
	}
	if len(w.violations) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d tor connection(s) OUTSIDE 127.0.0.0/8:", len(w.violations))
		for _, v := range w.violations {
			b.WriteString("\n    " + v.String())
		}
		return b.String(), false
	}
	return fmt.Sprintf("%d samples of %d tor processes (up to %d at once): no connection outside 127.0.0.0/8",
		w.samples, len(w.torsSeen), w.maxTors), true
}

// ssUsers matches a tor process in ss -p's users column.
var ssUsers = regexp.MustCompile(`"tor",pid=(\d+)`)

// ssCheck runs ss -tnp and checks every TCP connection of the given tor
// processes: it returns how many it saw and those whose peer is off
// loopback.
func ssCheck(ctx context.Context, pids []int) (n int, bad []string, err error) {
	ours := map[int]bool{}
	for _, p := range pids {
		ours[p] = true
	}
	out, err := exec.CommandContext(ctx, "ss", "-tnpH").Output()
	if err != nil {
		return 0, nil, fmt.Errorf("ss -tnp: %w", err)
	}
	n, bad = parseSS(out, ours)
	return n, bad, nil
}

// parseSS reads ss -tnpH output: state, recv-q, send-q, local, peer,
// process.
func parseSS(out []byte, ours map[int]bool) (n int, bad []string) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		m := ssUsers.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		if !ours[pid] {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		n++
		host, _, err := net.SplitHostPort(f[4])
		if err != nil {
			bad = append(bad, line)
			continue
		}
		host, _, _ = strings.Cut(strings.Trim(host, "[]"), "%")
		ip := net.ParseIP(host)
		if ip == nil || (!ip.IsLoopback() && !ip.IsUnspecified()) {
			bad = append(bad, line)
		}
	}
	return n, bad
}
