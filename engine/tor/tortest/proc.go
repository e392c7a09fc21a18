package tortest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Proc is one tor process the harness started: in its own process group,
// killed with the test binary (Pdeathsig on Linux) and stopped by PID.
type Proc struct {
	Name    string
	PID     int
	DataDir string
	Torrc   string

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has been reaped
	err  error         // Wait's result, set before done is closed
}

// startProc starts exe with args in its own process group.
func startProc(name, dataDir, torrc, exe string, args ...string) (*Proc, error) {
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = sysProcAttr()
	cmd.Stdin = nil
	cmd.Stdout = nil
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Proc{Name: name, PID: cmd.Process.Pid, DataDir: dataDir, Torrc: torrc, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// startProgram starts a program of the harness other than tor (the
// snowflake broker and proxy) like startProc, with its output appended to
// logPath and an environment of its own holding only PATH and HOME=dir (no
// proxy settings, nothing of the test's).
func startProgram(name, dir, logPath, exe string, args ...string) (*Proc, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer log.Close() // the child has its own copy
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = sysProcAttr()
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
	cmd.Dir = dir
	cmd.Stdout = log
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Proc{Name: name, PID: cmd.Process.Pid, DataDir: dir, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Running reports whether the process has not exited yet.
func (p *Proc) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL after grace, and
// waits for the process to be reaped. It reports an error if the process
// could not be stopped.
func (p *Proc) Stop(grace time.Duration) error {
	if !p.Running() {
		return nil
	}
	signalGroup(p.PID, syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	signalGroup(p.PID, syscall.SIGKILL)
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s (pid %d) still running after SIGKILL", p.Name, p.PID)
	}
}

// Kill sends SIGKILL to the process (not the group) and waits for it: a
// crash, as the restart tests need.
func (p *Proc) Kill() error {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-p.done
	return nil
}
