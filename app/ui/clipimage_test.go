package ui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/nookchat/nook/app/xvfbtest"
	"github.com/nookchat/nook/engine"
)

// TestClipboardImage puts a picture of an invite's QR code into a real X11
// clipboard (Xvfb, served by xclip) and reads the invite back the way the
// Add-contact dialog's "Paste image" does.
func TestClipboardImage(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the X11 clipboard test runs on Linux")
	}
	for _, tool := range []string{"Xvfb", "xclip"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("NOOK_REQUIRE_XVFB") == "1" {
				t.Fatalf("%s is not installed and NOOK_REQUIRE_XVFB=1", tool)
			}
			t.Skipf("CLIPBOARD TEST NOT RUN: %s is not installed", tool)
		}
	}
	// An X server of our own, on a display it picks (a display number is
	// not taken as free by looking for its socket: a killed Xvfb leaves
	// its socket behind, and these ran out).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	display := xvfbtest.Start(t, ctx)
	t.Setenv("DISPLAY", display)
	t.Setenv("WAYLAND_DISPLAY", "")

	if _, err := clipboardImage(context.Background()); err != errNoClipboardImage {
		t.Fatalf("empty clipboard: %v, want errNoClipboardImage", err)
	}

	const text = "NOOK:C1:ACFIRY65OQE7DFP5KLNS2PF2LVZMUZYJX4OZIEQ36N2IQANUB5XVYBKBNRUWGZP6PMVCA"
	png, err := engine.InviteQR(text, 400)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	// xclip serves the selection in the foreground (-quiet) until it has
	// answered one request (-loops 1).
	xclip := exec.Command("xclip", "-quiet", "-loops", "1", "-selection", "clipboard", "-t", "image/png", "-i", file)
	if err := xclip.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { xclip.Process.Kill(); xclip.Wait() })
	var data []byte
	for end := time.Now().Add(10 * time.Second); ; {
		data, err = clipboardImage(context.Background())
		if err == nil || time.Now().After(end) {
			break
		}
		time.Sleep(50 * time.Millisecond) // xclip owns the selection a moment after it starts
	}
	if err != nil {
		t.Fatalf("reading the clipboard picture: %v", err)
	}
	got, err := engine.ReadInviteImage(data)
	if err != nil || got != text {
		t.Fatalf("invite from the clipboard picture: %q, %v", got, err)
	}
}
