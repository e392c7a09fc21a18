package tor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// BundleSubdir is where a bundled tor lives relative to an install
// directory: tor-bundles/<goos>-<goarch>.
func BundleSubdir() string {
	return filepath.Join("tor-bundles", runtime.GOOS+"-"+runtime.GOARCH)
}

func exeName() string {
	if runtime.GOOS == "windows" {
		return "tor.exe"
	}
	return "tor"
}

// finder holds what FindBinary depends on, so tests can replace it.
type finder struct {
	executable func() (string, error)
	lookPath   func(string) (string, error)
}

var defaultFinder = finder{executable: os.Executable, lookPath: exec.LookPath}

// FindBinary returns the tor binary to run, trying in order:
//
//  1. the bundled binary: tor-bundles/<goos>-<goarch>/tor[.exe] in the
//     executable's directory (on macOS also ../Resources of an .app), then
//     in each of bundleDirs (the install directory);
//  2. configured, the path set by the user;
//  3. "tor" on PATH.
//
// When none is found the error wraps ErrTorNotFound and is an *Error whose
// Hint tells the user what to do.
func FindBinary(configured string, bundleDirs []string) (string, error) {
	return defaultFinder.find(configured, bundleDirs)
}

func (f finder) find(configured string, bundleDirs []string) (string, error) {
	var tried []string
	for _, d := range f.bundleDirs(bundleDirs) {
		p := filepath.Join(d, BundleSubdir(), exeName())
		tried = append(tried, p)
		if isExecutable(p) {
			return p, nil
		}
	}
	if configured != "" {
		tried = append(tried, configured)
		if isExecutable(configured) {
			return configured, nil
		}
	}
	tried = append(tried, "tor on PATH")
	if p, err := f.lookPath(exeName()); err == nil {
		return p, nil
	}
	return "", &Error{
		Err:     fmt.Errorf("%w (tried %s)", ErrTorNotFound, strings.Join(tried, ", ")),
		Hint:    hintTorNotFound,
		HintKey: "tor_not_found_hint",
	}
}

const hintTorNotFound = "Nook needs Tor. Reinstall Nook (its installer includes Tor), install Tor from your " +
	"package manager (for example \"sudo apt install tor\"), or choose a tor program in Settings."

// bundleDirs returns the directories that may hold tor-bundles/: the
// executable's own (on macOS also ../Resources of an .app), then extra.
func (f finder) bundleDirs(extra []string) []string {
	var dirs []string
	if exe, err := f.executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		d := filepath.Dir(exe)
		dirs = append(dirs, d)
		if runtime.GOOS == "darwin" {
			dirs = append(dirs, filepath.Join(d, "..", "Resources"))
		}
	}
	return append(dirs, extra...)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	if err != nil {
		return false
	}
	if st.IsDir() {
		return false
	}
	if runtime.GOOS == "windows" {
		return true
	}
	return st.Mode()&0o111 != 0 && !errors.Is(err, fs.ErrPermission)
}
