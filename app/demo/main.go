//go:build linux

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
)

// forbidPublicTor is engine/tor's ForbidPublicEnv.
const forbidPublicTor = "NOOK_FORBID_PUBLIC_TOR"

// options are the command line.
type options struct {
	dir     string        // parent of the run folders
	bin     string        // where nook and nook-server are
	shots   string        // --headless-screenshots
	timeout time.Duration // bound on everything before waiting for Ctrl+C
	settle  time.Duration // headless: wait after the apps are on the network
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "nook-demo:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "nook-demo:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("nook-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{}
	fs.StringVar(&o.dir, "dir", filepath.Join("build", "demo"), "each run gets a new `folder` under this one (data, settings, logs); nothing is removed")
	fs.StringVar(&o.bin, "bin", "", "`folder` holding nook and nook-server (default: nook-demo's own folder)")
	fs.StringVar(&o.shots, "headless-screenshots", "", "run on an Xvfb display of its own, save screenshots into `folder`, and exit")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up if the network, server, profiles and windows are not ready within this time (a whole headless run)")
	fs.DurationVar(&o.settle, "settle", 15*time.Second, "headless: how long to let the apps reconnect to each other before the screenshots")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return o, fmt.Errorf("find nook-demo's folder (use --bin): %w", err)
		}
		o.bin = filepath.Dir(exe)
	}
	return o, nil
}

// demo is one run: what it started, to stop it again.
type demo struct {
	o       options
	start   time.Time
	runDir  string
	logs    string
	watch   *netWatch
	net     *tortest.Network
	server  *groupServer
	xvfb    *child
	display string
	apps    []*desktopApp
}

// desktopApp is one bin/nook window.
type desktopApp struct {
	name    string
	dataDir string
	c       *child
	window  string // X window id, when xdotool found it
}

// say prints a progress line with the time since the start.
func (d *demo) say(format string, args ...any) {
	fmt.Printf("[%5.1fs] %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o options) (err error) {
	d := &demo{o: o, start: time.Now()}
	nookBin, serverBin := filepath.Join(o.bin, "nook"), filepath.Join(o.bin, "nook-server")
	for _, b := range []string{nookBin, serverBin} {
		if _, err := os.Stat(b); err != nil {
			return fmt.Errorf("%s is missing (make demo builds it): %w", b, err)
		}
	}
	if ok, why := tortest.Available(); !ok {
		return errors.New(why)
	}
	if o.shots != "" {
		for _, tool := range []string{"Xvfb", "xdotool", "import"} {
			if _, err := exec.LookPath(tool); err != nil {
				return fmt.Errorf("--headless-screenshots needs %s (apt-get install xvfb xdotool imagemagick): %w", tool, err)
			}
		}
		if err := os.MkdirAll(o.shots, 0o755); err != nil {
			return fmt.Errorf("screenshot folder: %w", err)
		}
	}
	dir, err := filepath.Abs(filepath.Join(o.dir, time.Now().Format("20060102-150405")))
	if err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	d.runDir, d.logs = dir, filepath.Join(dir, "logs")
	if err := os.MkdirAll(d.logs, 0o700); err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	if err := becomeSubreaper(); err != nil {
		return err
	}
	// engine/tor refuses to start a tor for the public network in any
	// process that has this set: the demo's engines, the server, the apps.
	if err := os.Setenv(forbidPublicTor, "1"); err != nil {
		return fmt.Errorf("environment: %w", err)
	}
	d.watch = startNetWatch(500 * time.Millisecond)
	defer func() { err = errors.Join(err, d.shutdown()) }()

	d.say("Nook demo: everything runs on this computer, over a private Tor network on 127.0.0.1.")
	d.say("Work folder (data, settings, logs): %s", d.runDir)
	setup, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := d.setup(setup, nookBin, serverBin); err != nil {
		if ctx.Err() != nil {
			d.say("Interrupted.")
			return nil
		}
		return err
	}
	if o.shots != "" {
		return d.screenshots(setup)
	}
	d.say("Ready after %.0f s.", time.Since(d.start).Seconds())
	fmt.Printf(`
  Two Nook windows are open: Maya's and Jonas's. Both profiles have no
  password, so the app opened them without asking.
  They are contacts, share a one-to-one chat and the group %q.
  Type in Maya's window; the message appears in Jonas's window (and back).

  Press Ctrl+C here to stop everything the demo started.

`, groupName)
	if d.display != os.Getenv("DISPLAY") {
		fmt.Printf("  The windows are on the demo's own X display %s (no DISPLAY was set).\n"+
			"  Screenshot:  DISPLAY=%s import -window root nook-demo.png\n"+
			"  View it live (if x11vnc is installed):  x11vnc -display %s -localhost -once, then a VNC viewer on 127.0.0.1:5900\n\n",
			d.display, d.display, d.display)
	}
	d.waitApps(ctx)
	return nil
}

// setup runs steps 1–4: the network, the server, the profiles, the windows.
func (d *demo) setup(ctx context.Context, nookBin, serverBin string) error {
	// 1. The private Tor network.
	d.say("Starting a private Tor network on 127.0.0.1 (1 directory authority, 4 relays)…")
	tlog, err := os.Create(filepath.Join(d.logs, "tornet.log"))
	if err != nil {
		return fmt.Errorf("network log: %w", err)
	}
	defer tlog.Close()
	t0 := time.Now()
	netDir := filepath.Join(d.runDir, "tornet")
	if err := os.MkdirAll(netDir, 0o700); err != nil {
		return fmt.Errorf("network folder: %w", err)
	}
	n, err := tortest.Start(ctx, tortest.Options{
		Dir: netDir,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(tlog, "%6.2fs "+format+"\n", append([]any{time.Since(t0).Seconds()}, args...)...)
		},
	})
	if err != nil {
		return fmt.Errorf("private Tor network: %w", err)
	}
	d.net = n
	settings := filepath.Join(d.runDir, "private-network.torrc")
	if err := tor.WritePrivateNetworkFile(settings, n.Client()); err != nil {
		return err
	}
	d.say("Network up: consensus after %.1f s, relays bootstrapped after %.1f s. Settings: %s",
		n.Consensus.Seconds(), n.Bootstrapped.Seconds(), settings)

	// 2. The group server.
	env := childEnv(n.Tor)
	d.server, err = startServer(serverBin, filepath.Join(d.runDir, "server"), settings, n.Tor,
		filepath.Join(d.logs, "server.log"), env)
	if err != nil {
		return err
	}
	d.say("Started the group server (bin/nook-server, pid %d).", d.server.pid)

	// 3. The profiles.
	mayaDir, jonasDir := filepath.Join(d.runDir, "maya"), filepath.Join(d.runDir, "jonas")
	elog, err := os.Create(filepath.Join(d.logs, "prepare.log"))
	if err != nil {
		return fmt.Errorf("prepare log: %w", err)
	}
	defer elog.Close()
	d.say("Preparing Maya and Jonas: two engines, each with its own tor…")
	t1 := time.Now()
	err = prepare(ctx, prepareConfig{
		MayaDir: mayaDir, JonasDir: jonasDir,
		TorPath: n.Tor, Network: n.Client(),
		ServerInvite: func(ctx context.Context) (string, error) {
			inv, err := d.server.Invite(ctx)
			if err == nil {
				d.say("The group server is on the network.")
			}
			return inv, err
		},
		Logger: slog.New(slog.NewTextHandler(elog, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Logf:   func(format string, args ...any) { d.say("  "+format, args...) },
	})
	if err != nil {
		return fmt.Errorf("prepare the profiles: %w", err)
	}
	d.say("Profiles ready in %.0f s: %s and %s.", time.Since(t1).Seconds(), mayaDir, jonasDir)

	// 4. The windows.
	if d.o.shots != "" || os.Getenv("DISPLAY") == "" {
		x, display, err := startXvfb(ctx, filepath.Join(d.logs, "xvfb.log"))
		if err != nil {
			return err
		}
		d.xvfb, d.display = x, display
		d.say("Started Xvfb on display %s (pid %d).", display, x.pid)
	} else {
		d.display = os.Getenv("DISPLAY")
	}
	for _, p := range []struct{ name, dir string }{{mayaName, mayaDir}, {jonasName, jonasDir}} {
		a, err := d.startApp(nookBin, p.name, p.dir, settings, env)
		if err != nil {
			return err
		}
		d.apps = append(d.apps, a)
		d.say("Opened %s's window: bin/nook --data-dir %s --tor-private-network %s (pid %d)", p.name, p.dir, settings, a.c.pid)
	}
	if _, err := exec.LookPath("xdotool"); err == nil {
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		for i, a := range d.apps {
			if a.window, err = findWindow(wctx, d.display, a.c.pid); err != nil {
				return fmt.Errorf("%s's window: %w (see %s)", a.name, err, filepath.Join(d.logs, strings.ToLower(a.name)+".log"))
			}
			if d.xvfb != nil {
				// No window manager: place them side by side.
				if _, err := xdo(wctx, d.display, "windowmove", a.window, fmt.Sprint(i*(winW+gap)), "0"); err != nil {
					return err
				}
			}
		}
		d.say("Both windows are up.")
	}
	for _, a := range d.apps {
		if err := tortest.WaitBootstrapped(ctx, filepath.Join(a.dataDir, "tor"), 100); err != nil {
			return fmt.Errorf("%s's tor: %w", a.name, err)
		}
	}
	d.say("Both apps are on the private Tor network.")
	return nil
}

// childEnv is the environment of the server and the apps: tor's folder
// first on PATH (the app has no flag for the tor binary and looks there).
func childEnv(torPath string) []string {
	env := os.Environ()
	path := filepath.Dir(torPath)
	if p := os.Getenv("PATH"); p != "" {
		path += string(os.PathListSeparator) + p
	}
	return setEnv(env, "PATH", path)
}

// setEnv returns env with key set to value.
func setEnv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// startApp opens one desktop window on the demo's display.
func (d *demo) startApp(nookBin, name, dataDir, settings string, env []string) (*desktopApp, error) {
	// The engines left tor's control-port file behind; the app's tor
	// writes a new one, which the readiness check then finds.
	if err := os.Remove(filepath.Join(dataDir, "tor", "control-port")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	lower := strings.ToLower(name)
	xdg := filepath.Join(d.runDir, lower+"-desktop")
	env = setEnv(env, "DISPLAY", d.display)
	// Fyne's preferences and caches go to the run folder, not the home.
	env = setEnv(env, "XDG_CONFIG_HOME", filepath.Join(xdg, "config"))
	env = setEnv(env, "XDG_CACHE_HOME", filepath.Join(xdg, "cache"))
	if l := os.Getenv("LANG"); l == "" || l == "C" || l == "C.UTF-8" || l == "POSIX" {
		env = setEnv(env, "LANG", "en_US.UTF-8")
	}
	logf, err := os.Create(filepath.Join(d.logs, lower+".log"))
	if err != nil {
		return nil, fmt.Errorf("%s's log: %w", name, err)
	}
	defer logf.Close() // the child holds its own copy
	cmd := exec.Command(nookBin, "--data-dir", dataDir, "--tor-private-network", settings)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	c, err := startChild("nook ("+name+")", cmd)
	if err != nil {
		return nil, err
	}
	return &desktopApp{name: name, dataDir: dataDir, c: c}, nil
}

// waitApps returns when ctx ends (Ctrl+C) or both windows are closed.
func (d *demo) waitApps(ctx context.Context) {
	closed := make(chan struct{})
	go func() {
		for _, a := range d.apps {
			<-a.c.done
		}
		close(closed)
	}()
	select {
	case <-ctx.Done():
		fmt.Println()
	case <-closed:
		d.say("Both windows were closed.")
	}
}

// Where to click in a window of the app's default size (1000×680 at scale
// 1): the second conversation of the sidebar (at the start the group is
// first, the contact second; the conversation with the newest message moves
// to the top) and the message entry.
const (
	rowX, secondRowY = 80, 195
	entryX, entryY   = 640, 635
)

// liveMessage is what the headless run types into Maya's window.
const liveMessage = "Typed live in Maya's window; it reaches Jonas's over Tor."

// screenshots takes the headless run's pictures: both windows with the
// one-to-one chat open after a message typed live into Maya's window
// (demo-chat.png), then with the group open (demo-group.png).
func (d *demo) screenshots(ctx context.Context) error {
	if len(d.apps) != 2 || d.apps[0].window == "" || d.apps[1].window == "" {
		return errors.New("screenshots: the windows were not found")
	}
	maya, jonas := d.apps[0].window, d.apps[1].window
	d.say("Letting the apps reconnect to each other for %s…", d.o.settle)
	if err := pause(ctx, d.o.settle); err != nil {
		return err
	}
	click := func(win string, x, y int) error {
		_, err := xdo(ctx, d.display, "mousemove", "--window", win, fmt.Sprint(x), fmt.Sprint(y), "click", "1")
		return err
	}
	shoot := func(name string) error {
		for _, w := range []string{maya, jonas} {
			if _, err := xdo(ctx, d.display, "windowraise", w); err != nil {
				return err
			}
		}
		path := filepath.Join(d.o.shots, name)
		if err := screenshot(ctx, d.display, "root", path); err != nil {
			return err
		}
		d.say("Screenshot: %s", path)
		return nil
	}
	// The one-to-one chat in both windows; type into Maya's.
	for _, w := range []string{maya, jonas} {
		if err := click(w, rowX, secondRowY); err != nil {
			return err
		}
	}
	if _, err := xdo(ctx, d.display, "windowfocus", "--sync", maya); err != nil {
		return err
	}
	if err := click(maya, entryX, entryY); err != nil {
		return err
	}
	if err := pause(ctx, 300*time.Millisecond); err != nil {
		return err
	}
	if _, err := xdo(ctx, d.display, "type", "--delay", "15", liveMessage); err != nil {
		return err
	}
	if _, err := xdo(ctx, d.display, "key", "Return"); err != nil {
		return err
	}
	d.say("Typed a message into Maya's window: %q", liveMessage)
	if err := pause(ctx, 8*time.Second); err != nil {
		return err
	}
	if err := shoot("demo-chat.png"); err != nil {
		return err
	}
	// The group, now second in both sidebars.
	for _, w := range []string{maya, jonas} {
		if err := click(w, rowX, secondRowY); err != nil {
			return err
		}
	}
	if err := pause(ctx, 2*time.Second); err != nil {
		return err
	}
	return shoot("demo-group.png")
}

// pause waits for d or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return fmt.Errorf("screenshots: %w", ctx.Err())
	}
}

// shutdown stops everything the demo started, by PID, checks the tors'
// connections, and says where the data is.
func (d *demo) shutdown() error {
	var errs []error
	d.say("Stopping everything the demo started…")
	// The last look at the sockets, while everything still runs.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tors := torDescendants()
	ssLine := ""
	if n, bad, err := ssCheck(ctx, tors); err != nil {
		ssLine = err.Error()
	} else if len(bad) > 0 {
		errs = append(errs, fmt.Errorf("ss -tnp: tor connections outside 127.0.0.0/8:\n  %s", strings.Join(bad, "\n  ")))
		ssLine = fmt.Sprintf("%d tor connections, %d OUTSIDE 127.0.0.0/8", n, len(bad))
	} else if len(tors) == 0 {
		ssLine = "no tor was running any more"
	} else {
		ssLine = fmt.Sprintf("%d tor connections of %d tor processes, all to 127.0.0.1", n, len(tors))
	}
	for _, a := range d.apps {
		if err := a.c.stop(5 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if d.server != nil {
		if err := d.server.stop(10 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if d.net != nil {
		if err := d.net.Close(); err != nil {
			errs = append(errs, fmt.Errorf("stop the private network: %w", err))
		}
	}
	if d.xvfb != nil {
		if err := d.xvfb.stop(2 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	// The apps' and the server's tors exit with them; wait a little, then
	// stop any left over by PID.
	deadline := time.Now().Add(5 * time.Second)
	for len(torDescendants()) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range descendants() {
		d.say("  %s (pid %d) was still running; stopping it", p.comm, p.pid)
		if err := killOrphan(p.pid, 3*time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if d.watch != nil {
		d.watch.finish()
		rep, ok := d.watch.report()
		if !ok {
			errs = append(errs, errors.New("network check failed: "+rep))
		}
		d.say("Network check: %s.", rep)
		d.say("ss -tnp before stopping: %s.", ssLine)
	}
	if left := descendants(); len(left) > 0 {
		errs = append(errs, fmt.Errorf("processes still running: %v", left))
	} else {
		d.say("All processes the demo started have stopped.")
	}
	if d.runDir != "" {
		what := "logs in logs/"
		if _, err := os.Stat(filepath.Join(d.runDir, "maya")); err == nil {
			what = "profiles in maya/ and jonas/, " + what
		}
		d.say("The data stays in %s (%s). Remove it when done.", d.runDir, what)
	}
	return errors.Join(errs...)
}
