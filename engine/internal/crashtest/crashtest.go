// Package crashtest runs one test of the current test binary in a child
// process, reads what it reports and kills it: for crash tests, which check
// what a process killed with SIGKILL in the middle of its work leaves on
// disk.
//
// The child is the test binary itself, re-executed to run a single test
// function that does the work when its environment says it is the child
// (and skips itself otherwise). It reports progress as lines on stdout; a
// line starting with "ERROR" fails the test that waits for it.
package crashtest

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Child is a running child process and the lines it printed.
type Child struct {
	cmd    *exec.Cmd
	lines  chan string // closed when the child's stdout has ended
	killed bool        // Kill has run
}

// Start runs the test function named test of this test binary in a child
// process, with env ("NAME=value") added to its environment. The child's
// stderr goes to the test's; its stdout is read line by line (WaitFor,
// Kill). The child is killed when t ends, if it has not been before.
func Start(t testing.TB, test string, env ...string) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &Child{cmd: cmd, lines: make(chan string, 4096)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() { c.Kill(t) })
	return c
}

// WaitFor reads the child's lines until match accepts one, and returns it.
// It fails t when the child prints a line starting with "ERROR", exits, or
// prints no matching line within timeout; what names the awaited line in
// those messages.
func (c *Child) WaitFor(t testing.TB, what string, timeout time.Duration, match func(line string) bool) string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("the child exited before %s", what)
			}
			if strings.HasPrefix(l, "ERROR") {
				t.Fatalf("child: %s", l)
			}
			if match(l) {
				return l
			}
		case <-deadline.C:
			t.Fatalf("timed out waiting for the child's %s", what)
		}
	}
}

// Expect is WaitFor for the first line that starts with prefix.
func (c *Child) Expect(t testing.TB, prefix string, timeout time.Duration) string {
	t.Helper()
	return c.WaitFor(t, strconv.Quote(prefix), timeout, func(l string) bool { return strings.HasPrefix(l, prefix) })
}

// Kill kills the child with SIGKILL (where there are signals), waits for
// it to exit, and returns the lines it printed that were not read yet. A
// second call returns nothing.
func (c *Child) Kill(t testing.TB) []string {
	t.Helper()
	if c.killed {
		return nil
	}
	c.killed = true
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill the child: %v", err)
	}
	var rest []string
	for l := range c.lines { // until its stdout ends, which Wait needs
		rest = append(rest, l)
	}
	c.cmd.Wait()
	return rest
}
