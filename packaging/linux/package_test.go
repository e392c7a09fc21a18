package linuxpkg

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/app/xvfbtest"
	"github.com/nookchat/nook/packaging/internal/pkgtest"
)

const (
	appID   = "chat.nook.desktop"
	pkgName = "nook"
)

var root = pkgtest.Root

func requirePackaging(t *testing.T, why string) {
	t.Helper()
	pkgtest.RequirePackaging(t, why)
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			requirePackaging(t, tool+" is not installed")
		}
	}
}

type manifest = pkgtest.Manifest

func readManifest(t *testing.T) manifest {
	t.Helper()
	m, err := pkgtest.ReadManifest()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// transports are the pluggable transports every package carries beside tor.
var transports = []string{"obfs4proxy", "snowflake-client", "webtunnel-client"}

// started is what each transport prints when started with -version (it
// only prints: no network), and whether it then exits with an error:
// webtunnel-client has no -version and says at once that tor did not
// start it (no TOR_PT_MANAGED_TRANSPORT_VER).
var started = map[string]struct {
	want  string
	fails bool
}{
	"obfs4proxy":       {"obfs4proxy-0.0.14", false},
	"snowflake-client": {"snowflake-client 2.11.0", false},
	"webtunnel-client": {"ENV-ERROR no TOR_PT_MANAGED_TRANSPORT_VER", true},
}

// checkTransports checks the pluggable transports in dir (a package's
// tor-bundles/<platform>/): executable, the pinned SHA-256, and each one
// starts (see started).
func checkTransports(t *testing.T, dir string) {
	t.Helper()
	pins := pkgtest.TransportPins(t, platform(), transports)
	for _, n := range transports {
		p := filepath.Join(dir, n)
		st, err := os.Stat(p)
		if err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("%s: not an executable file (%v)", p, err)
			continue
		}
		if got := pkgtest.FileSHA(t, p); got != pins[n] {
			t.Errorf("%s: SHA-256 %s, transports.json says %s", p, got, pins[n])
		}
		out, err := exec.Command(p, "-version").CombinedOutput()
		s := started[n]
		if (err != nil) != s.fails || !strings.Contains(string(out), s.want) {
			t.Errorf("%s -version: %v %.200q, want %q", p, err, out, s.want)
		} else {
			t.Logf("%s -version: %s", p, strings.SplitN(string(out), "\n", 2)[0])
		}
	}
}

func platform() string { return "linux-" + runtime.GOARCH }

// built is the result of building the packages once for every test.
type built struct {
	dist    string // the folder with the .deb and the .tar.xz
	bundled bool   // tor is inside
	log     string
	err     error
}

var (
	buildOnce sync.Once
	packages  built
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// buildPackages builds bin/nook's equivalent (same flags as the Makefile:
// -trimpath, so the build cache is shared) into a temporary folder and runs
// package.sh on it, with a tor bundle taken from tor-bundles/ or from the
// installed Debian tor when its SHA-256 is the manifest's.
func buildPackages(t *testing.T) built {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("Linux packages are built on Linux")
	}
	needTools(t, "dpkg-deb", "jq", "convert", "xz", "go")
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nook-linuxpkg-")
		if err != nil {
			packages.err = err
			return
		}
		buildDir = dir
		packages = build(dir, readManifestNoT())
	})
	if packages.err != nil {
		t.Fatalf("building the packages: %v\n%s", packages.err, packages.log)
	}
	return packages
}

func readManifestNoT() manifest {
	m, err := pkgtest.ReadManifest()
	if err != nil {
		panic(err)
	}
	return m
}

func build(dir string, m manifest) built {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	var log bytes.Buffer
	bin := filepath.Join(dir, "nook")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./app/desktop")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		return built{log: log.String(), err: err}
	}
	// The tor bundle, built from source by tor-bundles/build.sh (from its
	// cache when these sources were built before) and checked against the
	// manifest. Packaging without it would test a package nobody ships.
	bundles := filepath.Join(dir, "bundles")
	p := platform()
	cmd = exec.CommandContext(ctx, "sh", filepath.Join(root, "tor-bundles/build.sh"), "--out", filepath.Join(bundles, p), p)
	cmd.Stdout, cmd.Stderr = &log, &log
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return built{log: log.String(), err: fmt.Errorf("tor-bundles/build.sh %s: %w", p, err)}
	}
	fmt.Fprintf(&log, "tor-bundles/build.sh %s: %v\n", p, time.Since(start).Round(time.Second))
	// The pluggable transports beside it (tor-bundles/transports.sh: Go
	// builds, from Go's build cache after the first time).
	cmd = exec.CommandContext(ctx, "sh", filepath.Join(root, "tor-bundles/transports.sh"), "--out", filepath.Join(bundles, p), p)
	cmd.Stdout, cmd.Stderr = &log, &log
	start = time.Now()
	if err := cmd.Run(); err != nil {
		return built{log: log.String(), err: fmt.Errorf("tor-bundles/transports.sh %s: %w", p, err)}
	}
	fmt.Fprintf(&log, "tor-bundles/transports.sh %s: %v\n", p, time.Since(start).Round(time.Second))
	bundled := true
	dist := filepath.Join(dir, "dist")
	cmd = exec.CommandContext(ctx, "sh", filepath.Join(root, "packaging/linux/package.sh"))
	cmd.Env = append(os.Environ(), "NOOK_BIN="+bin, "DIST="+dist, "NOOK_TOR_BUNDLES="+bundles, "NOOK_REQUIRE_TOR_BUNDLE=", "XZ_LEVEL=1")
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	return built{dist: dist, bundled: bundled, log: log.String(), err: err}
}

func glob1(t *testing.T, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(pattern)
	if len(m) != 1 {
		t.Fatalf("want one %s, found %v", pattern, m)
	}
	return m[0]
}

func run(t *testing.T, ctx context.Context, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestDeb builds the .deb, installs it with apt-get, checks that the program,
// its tor, the desktop entry, the icons and the metainfo are where desktop
// environments and the engine look, starts the installed /usr/bin/nook under
// its own Xvfb (loopback transport: no Tor is started) until its window
// shows something, then purges the package and checks that nothing is left.
func TestDeb(t *testing.T) {
	if testing.Short() {
		t.Skip("installs a package; skipped in -short mode")
	}
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	if os.Geteuid() != 0 {
		requirePackaging(t, "installing a .deb needs root (run as root, as CI does)")
	}
	needTools(t, "dpkg", "dpkg-query", "apt-get", "Xvfb", "xdotool", "xprop", "import")
	if out, _ := exec.Command("dpkg-query", "-W", "-f", "${Status}", pkgName).Output(); strings.Contains(string(out), "installed") && !strings.Contains(string(out), "not-installed") {
		requirePackaging(t, "a package named "+pkgName+" is already installed on this machine; not replacing it")
	}
	pk := buildPackages(t)
	t.Logf("package.sh:\n%s", pk.log)
	if !pk.bundled {
		// The .deb then depends on Debian's tor; apt must not install (and
		// start) it here.
		if out, _ := exec.Command("dpkg-query", "-W", "-f", "${Status}", "tor").Output(); !strings.Contains(string(out), "ok installed") {
			requirePackaging(t, "no pinned tor to bundle, and Debian's tor is not installed (apt-get install tor with a policy-rc.d that stops it from starting)")
		}
	}
	deb := glob1(t, filepath.Join(pk.dist, pkgName+"_*.deb"))

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Never let apt start a service (the tor package would start a system
	// tor on the public network), as packaging/deps.sh does.
	if _, err := os.Stat("/usr/sbin/policy-rc.d"); os.IsNotExist(err) {
		if err := os.WriteFile("/usr/sbin/policy-rc.d", []byte("#!/bin/sh\nexit 101\n"), 0o755); err == nil {
			t.Cleanup(func() { os.Remove("/usr/sbin/policy-rc.d") })
		}
	}
	aptEnv := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	t.Cleanup(func() {
		// Whatever happened, leave the machine as it was.
		exec.Command("apt-get", "remove", "--purge", "-y", "-qq", pkgName).Run()
	})
	start := time.Now()
	run(t, ctx, aptEnv, "apt-get", "install", "-y", "-qq", "--no-install-recommends", deb)
	t.Logf("apt-get install: %v", time.Since(start).Round(time.Millisecond))

	files := installedFiles(t, pk.bundled)
	for _, f := range files {
		if _, err := os.Lstat(f); err != nil {
			t.Errorf("after install: %v", err)
		}
	}
	checkInstalled(t, pk.bundled)
	if t.Failed() {
		return
	}

	launch(t, ctx)

	start = time.Now()
	run(t, ctx, aptEnv, "apt-get", "remove", "--purge", "-y", "-qq", pkgName)
	t.Logf("apt-get remove --purge: %v", time.Since(start).Round(time.Millisecond))
	for _, f := range append(files, "/usr/lib/"+pkgName, "/usr/share/doc/"+pkgName) {
		if _, err := os.Lstat(f); err == nil {
			t.Errorf("after apt-get remove --purge: %s is still there", f)
		}
	}
	if out, _ := exec.Command("dpkg-query", "-W", "-f", "${Status}", pkgName).Output(); strings.Contains(string(out), " installed") {
		t.Errorf("dpkg still lists %s: %s", pkgName, out)
	}
}

var iconSizes = []int{16, 32, 48, 64, 128, 256, 512}

func installedFiles(t *testing.T, bundled bool) []string {
	files := []string{
		"/usr/bin/" + pkgName,
		"/usr/lib/" + pkgName + "/" + pkgName,
		"/usr/share/applications/" + appID + ".desktop",
		"/usr/share/metainfo/" + appID + ".metainfo.xml",
		"/usr/share/doc/" + pkgName + "/copyright",
		"/usr/share/doc/" + pkgName + "/THIRD-PARTY-LICENSES",
	}
	for _, s := range iconSizes {
		files = append(files, filepath.Join("/usr/share/icons/hicolor", strconv.Itoa(s)+"x"+strconv.Itoa(s), "apps", appID+".png"))
	}
	if bundled {
		files = append(files, filepath.Join("/usr/lib", pkgName, "tor-bundles", platform(), "tor"))
		for _, n := range transports {
			files = append(files, filepath.Join("/usr/lib", pkgName, "tor-bundles", platform(), n))
		}
	}
	return files
}

// checkInstalled checks what desktops and the engine rely on.
func checkInstalled(t *testing.T, bundled bool) {
	t.Helper()
	// The command resolves to the real program, beside which the engine
	// looks for tor-bundles/<goos>-<goarch>/tor (engine/tor/find.go).
	real, err := filepath.EvalSymlinks("/usr/bin/" + pkgName)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(real); err != nil || st.Mode()&0o111 == 0 {
		t.Errorf("%s is not executable: %v", real, err)
	}
	tor := filepath.Join(filepath.Dir(real), "tor-bundles", platform(), "tor")
	if bundled {
		st, err := os.Stat(tor)
		if err != nil || st.Mode()&0o111 == 0 {
			t.Errorf("bundled tor %s: not an executable file (%v)", tor, err)
		}
		m := readManifest(t)
		if got, want := pkgtest.FileSHA(t, tor), m.Platforms[platform()].SHA256["tor"]; got != want {
			t.Errorf("installed tor's SHA-256 is %s, the manifest says %s", got, want)
		}
		// "tor --version" only prints; it opens no connection.
		out, err := exec.Command(tor, "--version").CombinedOutput()
		if err != nil || !strings.Contains(string(out), m.TorVersion) {
			t.Errorf("%s --version: %v %q, want version %s (are its libraries installed?)", tor, err, out, m.TorVersion)
		}
		checkTransports(t, filepath.Dir(tor))
		if lic, err := os.ReadFile("/usr/share/doc/" + pkgName + "/THIRD-PARTY-LICENSES"); err != nil || !bytes.Contains(lic, []byte("== obfs4proxy ")) || !bytes.Contains(lic, []byte("== snowflake-client ")) || !bytes.Contains(lic, []byte("== webtunnel-client ")) {
			t.Errorf("THIRD-PARTY-LICENSES lacks the pluggable transports' licences (%v)", err)
		}
	} else if _, err := os.Stat(tor); err == nil {
		t.Errorf("%s is there although the package was built without a bundle", tor)
	}

	desktop := "/usr/share/applications/" + appID + ".desktop"
	if _, err := exec.LookPath("desktop-file-validate"); err == nil {
		if out, err := exec.Command("desktop-file-validate", desktop).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("desktop-file-validate %s: %v\n%s", desktop, err, out)
		}
	}
	entry := readDesktop(t, desktop)
	if entry["Exec"] != pkgName || entry["Icon"] != appID || entry["Type"] != "Application" || entry["Name"] != "Nook" {
		t.Errorf("desktop entry: %v", entry)
	}
	if p, err := exec.LookPath(entry["Exec"]); err != nil || p != "/usr/bin/"+pkgName {
		t.Errorf("Exec=%s is not /usr/bin/%s on PATH: %s %v", entry["Exec"], pkgName, p, err)
	}
	for _, s := range iconSizes {
		p := filepath.Join("/usr/share/icons/hicolor", strconv.Itoa(s)+"x"+strconv.Itoa(s), "apps", appID+".png")
		f, err := os.Open(p)
		if err != nil {
			t.Error(err)
			continue
		}
		c, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || c.Width != s || c.Height != s {
			t.Errorf("%s: %dx%d %v, want %dx%d", p, c.Width, c.Height, err, s, s)
		}
	}
	meta := "/usr/share/metainfo/" + appID + ".metainfo.xml"
	b, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	var comp struct {
		ID         string `xml:"id"`
		Launchable string `xml:"launchable"`
	}
	if err := xml.Unmarshal(b, &comp); err != nil || comp.ID != appID || comp.Launchable != appID+".desktop" {
		t.Errorf("%s: %+v %v", meta, comp, err)
	}
	if _, err := exec.LookPath("appstreamcli"); err == nil {
		if out, err := exec.Command("appstreamcli", "validate", "--no-net", meta).CombinedOutput(); err != nil {
			t.Errorf("appstreamcli validate: %v\n%s", err, out)
		}
	}
}

func readDesktop(t *testing.T, p string) map[string]string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m
}

// launch starts the installed program by its menu command under a fresh
// Xvfb and waits for a window titled Nook that draws something.
func launch(t *testing.T, ctx context.Context) {
	t.Helper()
	tmp := t.TempDir()
	display := xvfbtest.Start(t, ctx)
	env := append(os.Environ(),
		"DISPLAY="+display,
		"HOME="+tmp,
		"XDG_CONFIG_HOME="+filepath.Join(tmp, "config"),
		"XDG_CACHE_HOME="+filepath.Join(tmp, "cache"),
		"XDG_DATA_HOME="+filepath.Join(tmp, "data"),
		"LANG=en_US.UTF-8",
		"DBUS_SESSION_BUS_ADDRESS=", // no tray without a session bus (fyne-io/fyne#6403)
	)
	logPath := filepath.Join(tmp, "nook.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	start := time.Now()
	app := exec.Command("/usr/bin/"+pkgName, "--loopback-dir", filepath.Join(tmp, "net"))
	app.Env = env
	app.Stdout, app.Stderr = logf, logf
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { app.Wait(); close(exited) }()
	defer func() {
		app.Process.Kill()
		<-exited
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("nook's output:\n%s", b)
		}
	}()

	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	out := run(t, wctx, env, "xdotool", "search", "--sync", "--name", "^Nook$")
	win := strings.Fields(out)[0]
	t.Logf("window %s after %v", win, time.Since(start).Round(time.Millisecond))
	// The desktop entry's StartupWMClass must match for docks to group the
	// window with its launcher.
	if cls := run(t, wctx, env, "xprop", "-id", win, "WM_CLASS"); !strings.Contains(cls, `"Nook"`) {
		t.Errorf("WM_CLASS %q does not match StartupWMClass=Nook", strings.TrimSpace(cls))
	}
	shot := filepath.Join(tmp, "installed.png")
	tk := time.NewTicker(200 * time.Millisecond)
	defer tk.Stop()
	colours := 0
	for colours <= 8 {
		select {
		case <-exited:
			t.Fatal("the installed nook exited")
		case <-wctx.Done():
			t.Fatalf("the window stayed blank (%d colours)", colours)
		case <-tk.C:
		}
		c := exec.CommandContext(wctx, "import", "-window", "root", shot)
		c.Env = env
		if c.Run() == nil {
			colours, _ = xvfbtest.Colours(shot)
		}
	}
	t.Logf("screenshot with %d colours after %v", colours, time.Since(start).Round(time.Millisecond))
}
