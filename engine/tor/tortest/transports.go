package tortest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/tor"
)

var obfs4Build struct {
	once sync.Once
	path string
	err  error
}

// Obfs4 returns the obfs4proxy that tor-bundles/transports.sh builds into
// tor-bundles/<goos>-<goarch>/ of this repository (the one the installers
// ship), running the script once when it is missing; the script checks the
// source and the binary against tor-bundles/transports.json. It fails tb
// when the program cannot be had.
func Obfs4(tb testing.TB) string {
	tb.Helper()
	obfs4Build.once.Do(func() {
		root, err := repoRoot()
		if err != nil {
			obfs4Build.err = err
			return
		}
		name := tor.Obfs4Program
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		p := filepath.Join(root, tor.BundleSubdir(), name)
		if _, err := os.Stat(p); err != nil {
			cmd := exec.Command("sh", filepath.Join(root, "tor-bundles", "transports.sh"),
				"--only", tor.Obfs4Program, runtime.GOOS+"-"+runtime.GOARCH)
			out, err := cmd.CombinedOutput()
			if err != nil {
				obfs4Build.err = errors.New("tor-bundles/transports.sh: " + err.Error() + "\n" + string(out))
				return
			}
		}
		obfs4Build.path = p
	})
	if obfs4Build.err != nil {
		tb.Fatalf("obfs4proxy: %v", obfs4Build.err)
	}
	return obfs4Build.path
}

// repoRoot is the directory holding the repository's go.mod, above the
// working directory (a package directory under go test).
func repoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", errors.New("no go.mod above the working directory")
		}
		d = up
	}
}
