//go:build linux

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Screen layout on a display of the demo's own: the two windows side by
// side at the app's default size.
const (
	winW, winH = 1000, 680
	gap        = 10
	screenW    = 2*winW + gap
	screenH    = winH
)

// startXvfb starts an X server on a free display number (Xvfb -displayfd)
// and returns it with its display name (":N").
func startXvfb(ctx context.Context, logPath string) (*child, string, error) {
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, "", fmt.Errorf("no DISPLAY and no Xvfb (apt-get install xvfb): %w", err)
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, "", fmt.Errorf("the Xvfb log: %w", err)
	}
	defer logf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, "", fmt.Errorf("start Xvfb: %w", err)
	}
	defer r.Close()
	cmd := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", screenW, screenH),
		"-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stdout, cmd.Stderr = logf, logf
	c, err := startChild("Xvfb", cmd)
	w.Close()
	if err != nil {
		return nil, "", err
	}
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			_ = c.stop(time.Second)
			return nil, "", fmt.Errorf("the X server (Xvfb) did not start; see %s", logPath)
		}
		return c, ":" + n, nil
	case <-ctx.Done():
		_ = c.stop(time.Second)
		return nil, "", fmt.Errorf("waiting for Xvfb: %w", ctx.Err())
	}
}

// xdo runs xdotool on display and returns its output.
func xdo(ctx context.Context, display string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("xdotool %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// findWindow waits until the process pid has a visible window and returns
// its id.
func findWindow(ctx context.Context, display string, pid int) (string, error) {
	out, err := xdo(ctx, display, "search", "--sync", "--onlyvisible", "--pid", fmt.Sprint(pid))
	if err != nil {
		return "", fmt.Errorf("waiting for the window of pid %d: %w", pid, err)
	}
	ids := strings.Fields(out)
	if len(ids) == 0 {
		return "", fmt.Errorf("no window for pid %d", pid)
	}
	return ids[len(ids)-1], nil
}

// screenshot writes the whole screen, or one window, to path with
// ImageMagick's import.
func screenshot(ctx context.Context, display, window, path string) error {
	cmd := exec.CommandContext(ctx, "import", "-window", window, path)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("import -window %s: %w: %s", window, err, out)
	}
	return nil
}
