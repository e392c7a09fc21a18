//go:build linux

package windowspkg

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/app/xvfbtest"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/packaging/internal/pkgtest"
)

const (
	appID    = "chat.nook.desktop"
	appName  = "Nook"
	platform = "windows-amd64"
)

var root = pkgtest.Root

func requirePackaging(t *testing.T, why string) {
	t.Helper()
	pkgtest.RequirePackaging(t, why)
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

// transports are the pluggable transports installed beside tor.exe.
var transports = []string{"obfs4proxy.exe", "snowflake-client.exe"}

// run runs a host command and returns its output; it fails the test on error.
func run(t *testing.T, ctx context.Context, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = root
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// waitFor checks cond every tick until it holds or ctx ends. Programs
// under wine offer nothing to wait on, so this polls; every wait is
// bounded by ctx.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tk := time.NewTicker(200 * time.Millisecond)
	defer tk.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tk.C:
		}
	}
}

// wine runs Windows programs in the Debian 13 tree made by winechroot.sh.
type wine struct {
	t      *testing.T
	root   string   // the tree
	inner  string   // the test's folder, as seen inside the tree
	env    []string // the programs' whole environment
	prefix string   // WINEPREFIX, inside the tree
}

// host is the host path of p, a path inside the tree.
func (w *wine) host(p string) string { return filepath.Join(w.root, p) }

// win is p (inside the tree) as a Windows path on wine's Z: drive.
func win(p string) string { return "Z:" + strings.ReplaceAll(p, "/", `\`) }

// cmd is a command run inside the tree with the wine environment.
func (w *wine) cmd(ctx context.Context, args ...string) *exec.Cmd {
	a := append([]string{w.root, "/usr/bin/env", "-i"}, w.env...)
	c := exec.CommandContext(ctx, "chroot", append(a, args...)...)
	c.WaitDelay = 5 * time.Second
	return c
}

// run runs a program to its end and waits for wine to settle. Its output
// goes to a file, not a pipe: wine's own processes (wineserver, services)
// inherit the program's output and outlive it, so a pipe would not close.
func (w *wine) run(ctx context.Context, args ...string) (string, error) {
	f, err := os.CreateTemp(w.host(w.inner), "out-")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	c := w.cmd(ctx, args...)
	c.Stdout, c.Stderr = f, f
	err = c.Run()
	w.cmd(ctx, "wineserver", "-w").Run()
	out, _ := os.ReadFile(f.Name())
	return string(out), err
}

// procs returns the PIDs of the processes running inside the tree, and
// which of them are tor.exe.
func (w *wine) procs() (all, tors []int) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		r, err := os.Readlink(filepath.Join("/proc", e.Name(), "root"))
		if err != nil || r != w.root {
			continue
		}
		all = append(all, pid)
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if bytes.Contains(bytes.ToLower(cmdline), []byte("tor.exe")) {
			tors = append(tors, pid)
		}
	}
	return all, tors
}

// watch samples the sockets of every process in the tree until stop is
// called: wine's, nook.exe's, winpeer.exe's, tor.exe's, and the
// wineserver's, which holds the Unix side of many Windows sockets. It
// reports any connection to an address outside 127.0.0.0/8, how many
// samples saw a tor.exe, and how many connected sockets it saw meanwhile
// (so a watch that sees nothing cannot pass).
type watch struct {
	mu         sync.Mutex
	samples    int
	torSamples int
	torConns   int
	bad        []string
	stop       chan struct{}
	done       chan struct{}
}

func (w *wine) watch() *watch {
	m := &watch{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		tk := time.NewTicker(100 * time.Millisecond)
		defer tk.Stop()
		for {
			all, tors := w.procs()
			conns, _ := tortest.Sockets(all)
			m.mu.Lock()
			m.samples++
			for _, c := range conns {
				if c.Remote.IsUnspecified() {
					continue
				}
				if !c.Remote.IsLoopback() {
					m.bad = append(m.bad, c.String())
				} else if len(tors) > 0 {
					m.torConns++
				}
			}
			if len(tors) > 0 {
				m.torSamples++
			}
			m.mu.Unlock()
			select {
			case <-m.stop:
				return
			case <-tk.C:
			}
		}
	}()
	return m
}

func (m *watch) result() (samples, torSamples, torConns int, bad []string) {
	close(m.stop)
	<-m.done
	return m.samples, m.torSamples, m.torConns, m.bad
}

// stopTors kills the tor.exe processes in the tree by PID and waits until
// they are gone.
func (w *wine) stopTors(ctx context.Context) {
	_, tors := w.procs()
	for _, pid := range tors {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
		}
	}
	waitFor(w.t, ctx, "tor.exe to exit", func() bool { _, t := w.procs(); return len(t) == 0 })
}

// mount bind-mounts /proc and /dev into the tree until the test ends.
func mount(t *testing.T, tree string) {
	t.Helper()
	for _, d := range []string{"proc", "dev"} {
		target := filepath.Join(tree, d)
		if out, err := exec.Command("mount", "--rbind", "/"+d, target).CombinedOutput(); err != nil {
			t.Fatalf("mount --rbind /%s %s: %v %s", d, target, err, out)
		}
		exec.Command("mount", "--make-rslave", target).Run()
		t.Cleanup(func() {
			if err := exec.Command("umount", "-R", target).Run(); err != nil {
				exec.Command("umount", "-R", "-l", target).Run()
			}
		})
	}
}

// TestWine builds the Windows installer (with the tor.exe built from
// source), installs it silently under wine 10, starts the installed Nook
// and its tor, has a Windows engine with the installed tor.exe exchange
// messages with a Linux engine over a private Tor network on 127.0.0.1, and
// uninstalls.
func TestWine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and installs the Windows installer under wine; skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		requirePackaging(t, "the wine test needs root (debootstrap, chroot, bind mounts); run as root, as CI does")
	}
	for _, tool := range []string{"debootstrap", "chroot", "mount", "makensis", "x86_64-w64-mingw32-gcc", "Xvfb", "xdotool", "import", "tor", "tor-gencert", "jq", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			requirePackaging(t, tool+" is not installed (make test-windows installs what it needs)")
		}
	}
	tortest.Require(t)
	begin := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 75*time.Minute)
	defer cancel()
	m := readManifest(t)

	// The tree with wine 10, the tor.exe bundle, the installer, winpeer.exe.
	tree := strings.TrimSpace(run(t, ctx, nil, "sh", "packaging/windows/winechroot.sh"))
	t.Logf("wine tree %s ready after %v", tree, time.Since(begin).Round(time.Second))
	tmp, err := os.MkdirTemp(filepath.Join(tree, "tmp"), "nook-wine-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	bundles := filepath.Join(tmp, "bundles")
	start := time.Now()
	out := run(t, ctx, nil, "sh", "tor-bundles/build.sh", "--out", filepath.Join(bundles, platform), platform)
	t.Logf("tor-bundles/build.sh %s (%v):\n%s", platform, time.Since(start).Round(time.Second), out)
	// The pluggable transports beside tor.exe (Go cross-builds, cached).
	start = time.Now()
	out = run(t, ctx, nil, "sh", "tor-bundles/transports.sh", "--out", filepath.Join(bundles, platform), platform)
	t.Logf("tor-bundles/transports.sh %s (%v):\n%s", platform, time.Since(start).Round(time.Second), out)
	pts := pkgtest.TransportPins(t, platform, transports)
	dist := filepath.Join(tmp, "dist")
	if given := os.Getenv("NOOK_WINDOWS_SETUP"); given != "" {
		// An installer built before (make package-windows): tried as it is.
		if err := os.MkdirAll(dist, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := copyFile(given, filepath.Join(dist, filepath.Base(given))); err != nil {
			t.Fatal(err)
		}
	} else {
		start = time.Now()
		// zlib instead of LZMA: minutes faster, the same files installed.
		out = run(t, ctx, append(os.Environ(), "DIST="+dist, "NOOK_TOR_BUNDLES="+bundles, "NSIS_COMPRESSOR=zlib"),
			"sh", "packaging/windows/package.sh")
		t.Logf("package.sh (%v):\n%s", time.Since(start).Round(time.Second), out)
	}
	setups, _ := filepath.Glob(filepath.Join(dist, "nook-*-"+platform+"-setup.exe"))
	if len(setups) != 1 {
		t.Fatalf("want one nook-*-%s-setup.exe in %s, found %v", platform, dist, setups)
	}
	setup := setups[0]
	peerExe := filepath.Join(tmp, "winpeer.exe")
	start = time.Now()
	run(t, ctx, append(os.Environ(), "CGO_ENABLED=0", "GOOS=windows", "GOARCH=amd64"),
		"go", "build", "-trimpath", "-o", peerExe, "./packaging/windows/winpeer")
	t.Logf("winpeer.exe built in %v", time.Since(start).Round(time.Second))

	mount(t, tree)
	display := xvfbtest.Start(t, ctx)
	inner := strings.TrimPrefix(tmp, tree)
	w := &wine{t: t, root: tree, inner: inner, prefix: inner + "/prefix"}
	for _, d := range []string{"home", "run"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	w.env = []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + inner + "/home",
		"USER=root",
		"LANG=C.UTF-8",
		"WINEPREFIX=" + w.prefix,
		"WINEDEBUG=-all",
		// No Mono/Gecko prompts, no menu entries.
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d",
		"XDG_RUNTIME_DIR=" + inner + "/run",
		"DISPLAY=" + display,
		// The installed Nook must not reach the public Tor network either.
		"NOOK_FORBID_PUBLIC_TOR=1",
	}
	t.Cleanup(func() {
		// Every process in the tree is one this test started.
		w.stopTors(context.Background())
		w.cmd(context.Background(), "wineserver", "-k").Run()
	})
	mon := w.watch()
	defer func() {
		samples, torSamples, torConns, bad := mon.result()
		t.Logf("sockets of every process under wine: %d samples, %d with a tor.exe running (%d connected sockets seen then), %d outside 127.0.0.0/8",
			samples, torSamples, torConns, len(bad))
		if len(bad) > 0 {
			t.Errorf("connections outside 127.0.0.0/8: %v", bad)
		}
		if torConns == 0 && !t.Failed() {
			t.Errorf("no connected socket was seen while tor.exe ran: the watch did not watch it")
		}
	}()

	start = time.Now()
	if out, err := w.run(ctx, "wineboot", "-i"); err != nil {
		t.Fatalf("wineboot: %v\n%s", err, out)
	}
	ver, _ := w.run(ctx, "wine", "--version")
	t.Logf("%s: new prefix in %v", strings.TrimSpace(ver), time.Since(start).Round(time.Second))

	// --- install -------------------------------------------------------
	user := "root"
	base := w.prefix + "/drive_c/users/" + user
	inst := base + "/AppData/Local/Programs/" + appName
	startMenu := base + "/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/" + appName + ".lnk"
	desktop := base + "/Desktop/" + appName + ".lnk"
	key := `HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\` + appID
	install := func() {
		t.Helper()
		start := time.Now()
		if out, err := w.run(ctx, "wine", win(inner+"/dist/"+filepath.Base(setup)), "/S"); err != nil {
			t.Fatalf("setup.exe /S: %v\n%s", err, out)
		}
		t.Logf("silent install: %v", time.Since(start).Round(time.Millisecond))
	}
	install()
	files := []string{inst + "/nook.exe", inst + "/uninstall.exe", inst + "/THIRD-PARTY-LICENSES.txt", startMenu, desktop}
	for _, f := range m.Platforms[platform].Files {
		files = append(files, inst+"/tor-bundles/"+platform+"/"+f)
	}
	for _, f := range transports {
		files = append(files, inst+"/tor-bundles/"+platform+"/"+f)
	}
	for _, f := range files {
		if _, err := os.Stat(w.host(f)); err != nil {
			t.Errorf("after install: %v", err)
		}
	}
	for _, f := range m.Platforms[platform].Files {
		p := w.host(inst + "/tor-bundles/" + platform + "/" + f)
		if got, want := pkgtest.FileSHA(t, p), m.Platforms[platform].SHA256[f]; got != want {
			t.Errorf("installed %s: SHA-256 %s, the manifest says %s", f, got, want)
		}
	}
	for _, f := range transports {
		p := w.host(inst + "/tor-bundles/" + platform + "/" + f)
		if got, want := pkgtest.FileSHA(t, p), pts[f]; got != want {
			t.Errorf("installed %s: SHA-256 %s, transports.json says %s", f, got, want)
		}
	}
	lic, err := os.ReadFile(w.host(inst + "/THIRD-PARTY-LICENSES.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Nook", "tor " + m.TorVersion, "OpenSSL", "libevent", "zlib", "fyne.io/fyne/v2", "== obfs4proxy ", "== snowflake-client ", "github.com/pion/webrtc/v4"} {
		if !bytes.Contains(lic, []byte(name)) {
			t.Errorf("THIRD-PARTY-LICENSES.txt does not mention %s", name)
		}
	}
	reg, err := w.run(ctx, "wine", "reg", "query", key)
	if err != nil {
		t.Fatalf("reg query %s: %v\n%s", key, err, reg)
	}
	for _, v := range []string{"DisplayName", "DisplayVersion", "UninstallString", "QuietUninstallString", "InstallLocation", "DisplayIcon"} {
		if !strings.Contains(reg, v) {
			t.Errorf("registry %s lacks %s:\n%s", key, v, reg)
		}
	}
	if t.Failed() {
		return
	}

	// --- tor.exe --version (prints only) ----------------------------------
	torExe := inst + "/tor-bundles/" + platform + "/tor.exe"
	verFile := filepath.Join(tmp, "tor-version.txt")
	f, err := os.Create(verFile)
	if err != nil {
		t.Fatal(err)
	}
	c := w.cmd(ctx, "wine", win(torExe), "--version")
	c.Stdout = f
	err = c.Run()
	f.Close()
	v, _ := os.ReadFile(verFile)
	if err != nil || !strings.Contains(string(v), "Tor version "+m.TorVersion) {
		t.Fatalf("tor.exe --version: %v %q, want Tor version %s", err, v, m.TorVersion)
	}
	t.Logf("tor.exe --version: %s", strings.TrimSpace(string(v)))
	// The installed pluggable transports start under wine (-version only
	// prints).
	for f, want := range map[string]string{"obfs4proxy.exe": "obfs4proxy-0.0.14", "snowflake-client.exe": "snowflake-client 2.11.0"} {
		vf := filepath.Join(tmp, f+"-version.txt")
		o, err := os.Create(vf)
		if err != nil {
			t.Fatal(err)
		}
		c := w.cmd(ctx, "wine", win(inst+"/tor-bundles/"+platform+"/"+f), "-version")
		c.Stdout, c.Stderr = o, o
		err = c.Run()
		o.Close()
		v, _ := os.ReadFile(vf)
		if err != nil || !strings.Contains(string(v), want) {
			t.Errorf("%s -version under wine: %v %.300q, want %s", f, err, v, want)
		} else {
			t.Logf("%s -version under wine: %s", f, want)
		}
	}

	// --- the private Tor network on 127.0.0.1 ---------------------------------
	start = time.Now()
	net, err := tortest.Start(ctx, tortest.Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	pnFile := filepath.Join(tmp, "private-network.torrc")
	if err := tor.WritePrivateNetworkFile(pnFile, windowsClient(t, net.Client(), tmp, inner)); err != nil {
		t.Fatal(err)
	}
	t.Logf("private Tor network up in %v", time.Since(start).Round(time.Second))

	// --- the installed nook.exe: its window, and its tor.exe -------------------
	start = time.Now()
	app := w.cmd(ctx, "wine", win(inst+"/nook.exe"), "--tor-private-network", win(inner+"/private-network.torrc"))
	appOut, err := os.Create(filepath.Join(tmp, "nook.exe.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer appOut.Close()
	app.Stdout, app.Stderr = appOut, appOut
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	xenv := append(os.Environ(), "DISPLAY="+display)
	winCtx, winCancel := context.WithTimeout(ctx, 4*time.Minute)
	defer winCancel()
	waitFor(t, winCtx, "the Nook window", func() bool {
		c := exec.CommandContext(winCtx, "xdotool", "search", "--name", "^"+appName+"$")
		c.Env = xenv
		return c.Run() == nil
	})
	t.Logf("nook.exe's window is up %v after the start", time.Since(start).Round(time.Millisecond))
	shot := filepath.Join(tmp, "windows-welcome.png")
	colours := 0
	waitFor(t, winCtx, "a screenshot of the welcome screen", func() bool {
		c := exec.CommandContext(winCtx, "import", "-window", "root", shot)
		c.Env = xenv
		if c.Run() != nil {
			return false
		}
		colours, _ = xvfbtest.Colours(shot)
		return colours > 64
	})
	t.Logf("screenshot: %d colours", colours)
	if dir := os.Getenv("NOOK_SCREENSHOT_DIR"); dir != "" {
		// The window alone, for docs/screenshots.
		c := exec.CommandContext(winCtx, "sh", "-c", `import -window "$(xdotool search --name '^`+appName+`$' | head -n1)" "$0"`,
			filepath.Join(dir, "windows-welcome.png"))
		c.Env = xenv
		if out, err := c.CombinedOutput(); err != nil {
			t.Errorf("screenshot of the window: %v %s", err, out)
		}
	}
	// nook.exe found and started the installed tor.exe.
	waitFor(t, winCtx, "nook.exe to start its tor.exe", func() bool {
		_, tors := w.procs()
		for _, pid := range tors {
			cl, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
			if bytes.Contains(cl, []byte(`Programs\Nook\tor-bundles\windows-amd64\tor.exe`)) {
				return true
			}
		}
		return false
	})
	w.stopTors(ctx)
	w.cmd(ctx, "wineserver", "-k").Run()
	app.Wait()
	if b, _ := os.ReadFile(appOut.Name()); len(b) > 0 {
		t.Logf("nook.exe's output:\n%s", b)
	}

	// --- Windows engine ↔ Linux engine over the private network ---------------
	// A wineserver started first, with no output of ours to inherit and
	// hold open; it lingers 5 s after its last program (-w waits for that).
	w.cmd(ctx, "wineserver", "-p5").Run()
	if err := copyFile(peerExe, w.host(inst+"/winpeer.exe")); err != nil {
		t.Fatal(err)
	}
	peer := w.cmd(ctx, "wine", win(inst+"/winpeer.exe"), "--data-dir", win(inner+"/winpeer"), "--tor-private-network", win(inner+"/private-network.torrc"))
	stdin, err := peer.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := peer.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	peerErr, err := os.Create(filepath.Join(tmp, "winpeer.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer peerErr.Close()
	peer.Stderr = peerErr
	peerLog := func() string { b, _ := os.ReadFile(peerErr.Name()); return string(b) }
	start = time.Now()
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			lines <- strings.TrimSpace(sc.Text())
		}
		close(lines)
	}()
	expect := func(prefix string) string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("winpeer ended, waiting for %q; stderr:\n%s", prefix, peerLog())
			}
			rest, found := strings.CutPrefix(l, prefix)
			if !found {
				t.Fatalf("winpeer said %q, want %q…; stderr:\n%s", l, prefix, peerLog())
			}
			return strings.TrimSpace(rest)
		case <-ctx.Done():
			t.Fatalf("winpeer: no %q before the deadline", prefix)
		}
		return ""
	}
	say := func(line string) {
		t.Helper()
		if _, err := io.WriteString(stdin, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	torPath := expect("tor ")
	if !strings.HasSuffix(torPath, `Programs\Nook\tor-bundles\windows-amd64\tor.exe`) {
		t.Errorf("the Windows engine runs %s, want the installed bundle", torPath)
	}

	// The Linux engine, with Debian's tor, in the same network.
	lin := engine.New(engine.Config{
		DataDir:     t.TempDir(),
		Tor:         tor.Config{TorPath: net.Tor, PrivateNetwork: net.Client(), StopGrace: 3 * time.Second},
		Profile:     profile.Options{KDF: profile.InsecureTestParams, NoSync: true},
		PeerBackoff: [2]time.Duration{500 * time.Millisecond, 5 * time.Second},
	})
	events, unsub := lin.Subscribe()
	defer func() {
		unsub()
		if err := lin.Close(); err != nil {
			t.Errorf("close the Linux engine: %v", err)
		}
	}()
	if err := lin.Start(ctx); err != nil {
		t.Fatal(err)
	}
	linWait := func(what string, cond func() bool) {
		t.Helper()
		tk := time.NewTicker(500 * time.Millisecond)
		defer tk.Stop()
		for !cond() {
			select {
			case <-ctx.Done():
				t.Fatalf("Linux engine: waiting for %s: %v", what, ctx.Err())
			case <-events:
			case <-tk.C:
			}
		}
	}
	linWait("tor", func() bool { return lin.TorStatus().State == model.TorReady })
	if _, err := lin.CreateProfile(ctx, "Linux", ""); err != nil {
		t.Fatal(err)
	}
	linAddr, _, err := lin.Self()
	if err != nil {
		t.Fatal(err)
	}
	winAddrText := expect("ready ")
	winAddr, err := identity.ParseAddress(winAddrText)
	if err != nil {
		t.Fatalf("winpeer's address %q: %v", winAddrText, err)
	}
	t.Logf("the Windows engine and its tor.exe are on the private network %v after its start", time.Since(start).Round(time.Millisecond))

	say("invite")
	inv := expect("invite ")
	start = time.Now()
	if _, err := lin.AcceptInvite(inv); err != nil {
		t.Fatalf("the Linux engine accepts the Windows invite: %v", err)
	}
	say("contact " + linAddr)
	expect("contact")
	linWait("the Windows contact", func() bool {
		c, err := lin.Contact(model.ConversationID(winAddr))
		return err == nil && c.State == model.ContactAccepted
	})
	t.Logf("contacts (in-person invite) in %v", time.Since(start).Round(time.Millisecond))

	const fromWin, fromLin = "Hello from Windows, through tor.exe under wine", "Hello from Linux"
	say("send " + linAddr + " " + fromWin)
	ms := expect("delivered ")
	linWait("the message from Windows", func() bool { return has(lin, winAddr, fromWin) })
	t.Logf("Windows → Linux: delivered (✓✓) in %s ms", ms)

	start = time.Now()
	sent, err := lin.SendMessage(model.ConversationID(winAddr), fromLin)
	if err != nil {
		t.Fatal(err)
	}
	linWait("the message to Windows delivered", func() bool {
		m, err := lin.Message(sent.Conversation, sent.ID)
		return err == nil && m.Status == model.StatusDelivered
	})
	t.Logf("Linux → Windows: delivered (✓✓) in %v", time.Since(start).Round(time.Millisecond))
	say("expect " + linAddr + " " + fromLin)
	expect("received")

	say("quit")
	expect("closed")
	if err := peer.Wait(); err != nil {
		t.Errorf("winpeer: %v\n%s", err, peerLog())
	}
	waitCtx, waitCancel := context.WithTimeout(ctx, 30*time.Second)
	defer waitCancel()
	waitFor(t, waitCtx, "the Windows engine's tor.exe to stop", func() bool { _, tors := w.procs(); return len(tors) == 0 })
	w.cmd(ctx, "wineserver", "-w").Run()
	os.Remove(w.host(inst + "/winpeer.exe"))

	// --- uninstall: profiles stay unless asked ---------------------------------
	profileDir := base + "/AppData/Roaming/" + appName + "/profiles/p1"
	if err := os.MkdirAll(w.host(profileDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := w.run(ctx, "wine", win(inst+"/uninstall.exe"), "/S"); err != nil {
		t.Fatalf("uninstall.exe /S: %v\n%s", err, out)
	}
	for _, f := range []string{inst, startMenu, desktop} {
		if _, err := os.Stat(w.host(f)); err == nil {
			t.Errorf("after uninstall: %s is still there", f)
		}
	}
	if _, err := w.run(ctx, "wine", "reg", "query", key); err == nil {
		t.Errorf("after uninstall: %s is still registered", key)
	}
	if _, err := os.Stat(w.host(profileDir)); err != nil {
		t.Errorf("uninstall deleted the profiles: %v", err)
	}
	install()
	if out, err := w.run(ctx, "wine", win(inst+"/uninstall.exe"), "/S", "/DELETEPROFILES"); err != nil {
		t.Fatalf("uninstall.exe /S /DELETEPROFILES: %v\n%s", err, out)
	}
	for _, f := range []string{inst, base + "/AppData/Roaming/" + appName} {
		if _, err := os.Stat(w.host(f)); err == nil {
			t.Errorf("after uninstall /DELETEPROFILES: %s is still there", f)
		}
	}
	t.Logf("the whole wine test: %v", time.Since(begin).Round(time.Second))
}

// windowsClient is pn for a tor.exe under wine: an option naming a file of
// this machine (the network's empty GeoIP files) names a copy in the test's
// folder, as a Windows path, since tor.exe cannot read "/tmp/…".
func windowsClient(t *testing.T, pn *tor.PrivateNetwork, tmp, inner string) *tor.PrivateNetwork {
	t.Helper()
	out := &tor.PrivateNetwork{DirAuthorities: pn.DirAuthorities}
	for i, opt := range pn.Options {
		key, val, _ := strings.Cut(opt, " ")
		if strings.HasPrefix(val, "/") {
			name := fmt.Sprintf("pn-file-%d", i)
			if err := copyFile(val, filepath.Join(tmp, name)); err != nil {
				t.Fatal(err)
			}
			opt = key + " " + win(inner+"/"+name)
		}
		out.Options = append(out.Options, opt)
	}
	return out
}

func has(e *engine.Engine, from identity.Address, body string) bool {
	msgs, err := e.History(model.ConversationID(from), 0, 100)
	if err != nil {
		return false
	}
	for _, m := range msgs {
		if m.Body == body {
			return true
		}
	}
	return false
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		return fmt.Errorf("copy %s: %w", filepath.Base(src), err)
	}
	return nil
}
