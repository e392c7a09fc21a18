// Command nook is the Nook desktop messenger.
//
// Usage:
//
//	nook [--data-dir DIR] [--loopback-dir DIR] [--tor-private-network FILE]
//
// By default Nook keeps its profiles and Tor's state in the user's
// configuration folder (…/Nook) and talks to contacts through the bundled
// Tor.
//
// --loopback-dir DIR runs without Tor: connections go over 127.0.0.1, and
// the processes sharing DIR find each other through it. This is for a local
// demo of several Nook windows on one computer and for UI tests; it hides
// nothing and must not be used for real conversations. Give each process its
// own --data-dir:
//
//	nook --data-dir /tmp/alice --loopback-dir /tmp/nook-net &
//	nook --data-dir /tmp/bob   --loopback-dir /tmp/nook-net &
//
// --tor-path FILE runs that tor program instead of the bundled one.
//
// --tor-private-network FILE joins a private Tor network (such as the one
// engine/tor/tortest starts) instead of the public one. FILE holds the
// network's torrc lines: "DirAuthority …" lines, and any further options
// the network needs.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/nookchat/nook/app/ui"
	"github.com/nookchat/nook/assets"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// Preference keys for the window size.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
)

func main() {
	restart, err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "nook:", err)
		os.Exit(1)
	}
	if restart {
		// Everything run opened is closed (the engine, Tor, the
		// profile's database): the new process can open it.
		if err := startAgain(); err != nil {
			fmt.Fprintln(os.Stderr, "nook: start again:", err)
			os.Exit(1)
		}
	}
}

// startAgain starts this program again with the same arguments and
// environment (Settings → Appearance → Language restarts Nook).
func startAgain() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd.Start()
}

// run runs Nook until its window closes; restart says whether it asked
// to be started again.
func run() (restart bool, err error) {
	var (
		dataDir     = flag.String("data-dir", "", "folder for profiles and Tor's state (default: the user's config folder/Nook)")
		loopbackDir = flag.String("loopback-dir", "", "run without Tor, over 127.0.0.1, finding other local Nook processes through this folder (demo and tests only)")
		privateNet  = flag.String("tor-private-network", "", "join the private Tor network whose DirAuthority lines are in this file (tests only)")
		torPath     = flag.String("tor-path", "", "the tor program to run, if not the bundled one (then tor on PATH)")
	)
	flag.Parse()
	if *dataDir == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return false, fmt.Errorf("find a folder for Nook's data (use --data-dir): %w", err)
		}
		*dataDir = filepath.Join(dir, "Nook")
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return false, fmt.Errorf("create the data folder: %w", err)
	}
	cfg := engine.Config{
		DataDir: *dataDir,
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	switch {
	case *loopbackDir != "":
		cfg.Transport = loopback.New(loopback.FileDirectory{Path: *loopbackDir})
	case *privateNet != "":
		pn, err := tor.ReadPrivateNetworkFile(*privateNet)
		if err != nil {
			return false, err
		}
		cfg.Tor = tor.Config{PrivateNetwork: pn, TorPath: *torPath}
	default:
		cfg.Tor = tor.Config{TorPath: *torPath}
	}
	eng := engine.New(cfg)
	defer eng.Close()
	defer watchEngine(eng)()

	a := app.NewWithID("chat.nook.desktop")
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	a.SetIcon(icon)
	w := a.NewWindow("Nook")
	w.SetIcon(icon)
	w.SetMaster()
	prefs := a.Preferences()
	w.Resize(fyne.NewSize(
		float32(prefs.FloatWithFallback(prefWidth, 1000)),
		float32(prefs.FloatWithFallback(prefHeight, 680)),
	))
	w.SetOnClosed(func() {
		s := w.Canvas().Size()
		if s.Width >= 400 && s.Height >= 300 {
			prefs.SetFloat(prefWidth, float64(s.Width))
			prefs.SetFloat(prefHeight, float64(s.Height))
		}
	})

	defer heapProfiles()()
	u := ui.New(a, w, ui.Options{Engine: eng, Tray: sessionBusReachable(), Shown: shown(), Restart: func() {
		restart = true
		a.Quit()
	}})
	defer u.Close()
	u.Start()

	// Tor starts in the background: the window is usable at once and shows
	// its progress.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		if err := eng.Start(ctx); err != nil {
			cfg.Logger.Warn("network did not start", "err", err)
		}
	}()
	// SIGTERM or SIGINT (a session ending, a service manager, Ctrl+C in a
	// terminal) quit like the window's close button: the engine closes,
	// Tor stops, and the profile's database is closed cleanly.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			fyne.Do(a.Quit)
		}
	}()
	w.ShowAndRun()
	return restart, nil
}
