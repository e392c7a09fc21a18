package ui

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"time"

	"github.com/nookchat/nook/engine"
)

// errNoClipboardImage is returned by clipboardImage when the clipboard
// holds no picture, or no tool to read one is available.
var errNoClipboardImage = errors.New("no picture in the clipboard")

// clipboardImage returns the picture in the system clipboard as PNG bytes.
// Fyne's clipboard carries only text, so it asks the platform's own tool:
// wl-paste (Wayland) or xclip (X11) on Linux and the BSDs, osascript on
// macOS, PowerShell on Windows. It never blocks for more than a few
// seconds and refuses pictures larger than engine.MaxImageBytes.
func clipboardImage(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	run := func(name string, args ...string) ([]byte, error) {
		if _, err := exec.LookPath(name); err != nil {
			return nil, err
		}
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Stdout = &limitedWriter{w: &out, n: engine.MaxImageBytes + 1}
		if err := cmd.Run(); err != nil {
			return nil, err
		}
		if out.Len() > engine.MaxImageBytes {
			return nil, engine.ErrImageTooLarge
		}
		return out.Bytes(), nil
	}
	var data []byte
	var err error
	switch runtime.GOOS {
	case "darwin":
		data, err = run("osascript", "-e", "the clipboard as «class PNGf»")
		if err == nil {
			data, err = parseAppleScriptData(data)
		}
	case "windows":
		data, err = run("powershell", "-NoProfile", "-Command",
			"Add-Type -AssemblyName System.Windows.Forms; $i=[Windows.Forms.Clipboard]::GetImage(); "+
				"if($i){$m=New-Object IO.MemoryStream; $i.Save($m,[Drawing.Imaging.ImageFormat]::Png); [Convert]::ToBase64String($m.ToArray())}")
		if err == nil {
			data, err = base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
		}
	default:
		if os.Getenv("WAYLAND_DISPLAY") != "" {
			data, err = run("wl-paste", "--no-newline", "--type", "image/png")
		}
		if len(data) == 0 && os.Getenv("DISPLAY") != "" {
			data, err = run("xclip", "-selection", "clipboard", "-t", "image/png", "-o")
		}
	}
	if errors.Is(err, engine.ErrImageTooLarge) {
		return nil, err
	}
	if err != nil || len(data) == 0 {
		return nil, errNoClipboardImage
	}
	return data, nil
}

// appleData matches AppleScript's rendering of binary data: «data PNGf89504E…».
var appleData = regexp.MustCompile(`«data [A-Za-z]{4}([0-9A-Fa-f]+)»`)

func parseAppleScriptData(out []byte) ([]byte, error) {
	m := appleData.FindSubmatch(out)
	if m == nil {
		return nil, errNoClipboardImage
	}
	return hex.DecodeString(string(m[1]))
}

// limitedWriter keeps at most n bytes and then fails, so a huge clipboard
// cannot fill memory.
type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.w.Len()+len(p) > l.n {
		return 0, engine.ErrImageTooLarge
	}
	return l.w.Write(p)
}
