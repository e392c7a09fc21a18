//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// child is a process the demo started: in its own process group (so the
// terminal's Ctrl+C reaches only the demo, which then stops it), killed by
// the kernel if the demo dies first, and stopped by PID.
type child struct {
	name string
	pid  int
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has been reaped
	err  error         // Wait's result, set before done is closed
}

// startChild starts cmd as a child of the demo.
func startChild(name string, cmd *exec.Cmd) (*child, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, pid: cmd.Process.Pid, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// running reports whether the process has not exited yet.
func (c *child) running() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM to the child's process group, SIGKILL after grace, and
// waits until it is reaped.
func (c *child) stop(grace time.Duration) error {
	if !c.running() {
		return nil
	}
	_ = syscall.Kill(-c.pid, syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(-c.pid, syscall.SIGKILL)
	select {
	case <-c.done:
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s (pid %d) still running after SIGKILL", c.name, c.pid)
	}
}

// becomeSubreaper makes the demo the parent of any orphaned descendant (a
// tor whose app died), so that descendants() still finds it and the demo
// can stop it.
func becomeSubreaper() error {
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", errno)
	}
	return nil
}

// procInfo is a line of /proc/<pid>/stat.
type procInfo struct {
	pid, ppid int
	comm      string
	state     byte
}

func readProc(pid int) (procInfo, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procInfo{}, err
	}
	// pid (comm) state ppid ...
	s := string(b)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return procInfo{}, errors.New("unexpected /proc stat line")
	}
	f := strings.Fields(s[close+1:])
	if len(f) < 2 || len(f[0]) != 1 {
		return procInfo{}, errors.New("unexpected /proc stat line")
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return procInfo{}, err
	}
	return procInfo{pid: pid, ppid: ppid, comm: s[open+1 : close], state: f[0][0]}, nil
}

// descendants returns every live (not zombie) descendant of the demo
// process.
func descendants() []procInfo {
	ents, _ := os.ReadDir("/proc")
	children := map[int][]procInfo{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		p, err := readProc(pid)
		if err != nil {
			continue
		}
		children[p.ppid] = append(children[p.ppid], p)
	}
	var out []procInfo
	queue := []int{os.Getpid()}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		for _, c := range children[pid] {
			queue = append(queue, c.pid)
			if c.state != 'Z' && c.state != 'X' {
				out = append(out, c)
			}
		}
	}
	return out
}

// torDescendants returns the PIDs of every tor the demo started, directly
// (the network, the engines) or through the apps and the server.
func torDescendants() []int {
	var pids []int
	for _, p := range descendants() {
		if p.comm == "tor" {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	p, err := readProc(pid)
	return err == nil && p.state != 'Z' && p.state != 'X'
}

// killOrphan stops a process the demo did not start itself but inherited as
// subreaper (SIGTERM, SIGKILL after grace) and reaps it.
func killOrphan(pid int, grace time.Duration) error {
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if alive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		deadline = time.Now().Add(5 * time.Second)
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if p, err := readProc(pid); err == nil && p.ppid == os.Getpid() {
		var ws syscall.WaitStatus
		_, _ = syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	}
	if alive(pid) {
		return fmt.Errorf("pid %d still running after SIGKILL", pid)
	}
	return nil
}
