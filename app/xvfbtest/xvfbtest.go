// Package xvfbtest starts a private X server (Xvfb) for tests that run the
// real Nook binary, and reads the screenshots they take of it. The desktop
// smoke test and the Linux packaging test share it, which is why it is not
// an internal package.
package xvfbtest

import (
	"bufio"
	"context"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Start starts an Xvfb with a 1280×800 screen on a display it picks itself
// (-displayfd), kills it when the test ends, and returns the display name
// (":N"). The test fails if Xvfb does not start, or not before ctx ends.
func Start(t testing.TB, ctx context.Context) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		x.Process.Kill()
		x.Wait()
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
		r.Close()
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatal("Xvfb did not start")
		}
		return ":" + n
	case <-ctx.Done():
		t.Fatal("Xvfb did not start in time")
	}
	return ""
}

// Colours returns how many distinct colours the PNG screenshot at path has,
// looking at every second pixel of every second row: a window that has
// drawn its content has more than a handful. A file that is not a whole PNG
// (say, one still being written) has 0; the error is for a file that cannot
// be opened.
func Colours(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, nil
	}
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen), nil
}
