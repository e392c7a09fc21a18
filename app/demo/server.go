//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// groupServer is bin/nook-server running as a child of the demo.
type groupServer struct {
	*child
	invite chan string // receives the invite once the server prints it
	log    string
}

// startServer runs bin/nook-server in the private network. Its output goes
// to logPath; the invite line it prints once it serves is passed on.
func startServer(bin, dataDir, settings, torPath, logPath string, env []string) (*groupServer, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	cmd := exec.Command(bin, "--data-dir", dataDir, "--tor-private-network", settings, "--tor", torPath)
	cmd.Env = env
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("server output: %w", err)
	}
	c, err := startChild("nook-server", cmd)
	if err != nil {
		logf.Close()
		return nil, err
	}
	s := &groupServer{child: c, invite: make(chan string, 1), log: logPath}
	go func() {
		defer logf.Close()
		sent := false
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if inv, ok := strings.CutPrefix(strings.TrimSpace(line), "invite:"); ok && !sent {
				s.invite <- strings.TrimSpace(inv)
				sent = true
			}
		}
		_, _ = io.Copy(logf, out)
	}()
	return s, nil
}

// Invite waits until the server has printed its invite.
func (s *groupServer) Invite(ctx context.Context) (string, error) {
	select {
	case inv := <-s.invite:
		s.invite <- inv // for the next caller
		return inv, nil
	case <-s.done:
		return "", fmt.Errorf("nook-server exited (%v); see %s", s.err, s.log)
	case <-ctx.Done():
		return "", errors.Join(ctx.Err(), fmt.Errorf("nook-server printed no invite; see %s", s.log))
	}
}
