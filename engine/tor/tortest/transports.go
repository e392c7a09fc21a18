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

// SnowflakePrograms are the programs of snowflake end to end: the client
// that Nook ships and the server side, built for the tests only.
type SnowflakePrograms struct {
	// Client is the snowflake-client that tor-bundles/transports.sh builds
	// into tor-bundles/<goos>-<goarch>/ (the one the installers ship).
	Client string
	// Server, Broker and Proxy are snowflake-server, snowflake-broker and
	// snowflake-proxy, built by transports.sh from the same pinned module
	// with the same toolchain and flags into its cache (never shipped).
	Server, Broker, Proxy string
}

var snowflakeBuild struct {
	once  sync.Once
	progs SnowflakePrograms
	err   error
}

// BuildSnowflake returns the snowflake programs, running transports.sh once
// per test binary (it checks the module against transports.json; the
// server side is cached). When they cannot be built here (no Go module
// cache and no module proxy) it skips tb, loudly, or fails it when
// NOOK_REQUIRE_TOR=1.
func BuildSnowflake(tb testing.TB) SnowflakePrograms {
	tb.Helper()
	snowflakeBuild.once.Do(func() {
		root, err := repoRoot()
		if err != nil {
			snowflakeBuild.err = err
			return
		}
		platform := runtime.GOOS + "-" + runtime.GOARCH
		ext := ""
		if runtime.GOOS == "windows" {
			ext = ".exe"
		}
		script := filepath.Join(root, "tor-bundles", "transports.sh")
		client := filepath.Join(root, tor.BundleSubdir(), tor.SnowflakeProgram+ext)
		if _, err := os.Stat(client); err != nil {
			out, err := exec.Command("sh", script, "--only", tor.SnowflakeProgram, platform).CombinedOutput()
			if err != nil {
				snowflakeBuild.err = errors.New("tor-bundles/transports.sh: " + err.Error() + "\n" + string(out))
				return
			}
		}
		cache := os.Getenv("NOOK_TRANSPORTS_CACHE")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				snowflakeBuild.err = err
				return
			}
			cache = filepath.Join(home, ".cache", "nook-transports")
		}
		dir := filepath.Join(cache, "test-programs", platform)
		out, err := exec.Command("sh", script, "--only", "snowflake-server snowflake-broker snowflake-proxy", "--out", dir, platform).CombinedOutput()
		if err != nil {
			snowflakeBuild.err = errors.New("tor-bundles/transports.sh: " + err.Error() + "\n" + string(out))
			return
		}
		snowflakeBuild.progs = SnowflakePrograms{
			Client: client,
			Server: filepath.Join(dir, "snowflake-server"+ext),
			Broker: filepath.Join(dir, "snowflake-broker"+ext),
			Proxy:  filepath.Join(dir, "snowflake-proxy"+ext),
		}
	})
	if err := snowflakeBuild.err; err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("the snowflake programs cannot be built, and %s=1: %v", RequireEnv, err)
		}
		tb.Skipf("the snowflake programs cannot be built here (THE SNOWFLAKE TESTS DID NOT RUN): %v", err)
	}
	return snowflakeBuild.progs
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
