// Command winpeer is the Windows side of the wine test (packaging/windows,
// TestWine): Nook's engine, with the tor it finds the way the app does
// (tor.FindBinary: tor-bundles\windows-amd64\tor.exe beside the program
// first), joining a private Tor network, driven line by line on stdin by
// the test on Linux:
//
//	winpeer --data-dir DIR --tor-private-network FILE
//
// It starts the engine and its tor, creates a profile without a password,
// and answers on stdout:
//
//	tor <path>            the tor binary the engine runs
//	ready <address>       tor is on the network and the profile exists
//
// then takes commands:
//
//	invite                → "invite <text>": an in-person invite
//	contact <address>     → "contact": once address is an accepted contact
//	send <address> <text> → "delivered <ms>": sent and acknowledged (✓✓)
//	expect <address> <text> → "received": a message with that text arrived
//	quit                  → "closed": the engine and its tor stopped
//
// An error is answered "error <sentence>" and ends the program. The program
// refuses to run without a private network: it never reaches the public Tor
// network. It is built for windows/amd64 without cgo by the test and
// copied into the installed Nook's folder, so it finds the installed tor.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
)

// step bounds each command.
const step = 5 * time.Minute

func main() {
	if err := run(); err != nil {
		fmt.Println("error", strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
}

type peer struct {
	eng    *engine.Engine
	events <-chan model.Event
}

// waitUntil waits until cond holds, re-checking after every engine event
// and at least every half second (the other side's state matters too).
func (p *peer) waitUntil(ctx context.Context, what string, cond func() bool) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-p.events:
		case <-tick.C:
		}
	}
	return nil
}

func run() error {
	dataDir := flag.String("data-dir", "", "the engine's data folder")
	privateNet := flag.String("tor-private-network", "", "the private Tor network's settings file")
	flag.Parse()
	if *dataDir == "" || *privateNet == "" {
		return errors.New("usage: winpeer --data-dir DIR --tor-private-network FILE (a private network is required)")
	}
	pn, err := tor.ReadPrivateNetworkFile(*privateNet)
	if err != nil {
		return err
	}
	exe, err := tor.FindBinary("", nil)
	if err != nil {
		return err
	}
	fmt.Println("tor", exe)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng := engine.New(engine.Config{
		DataDir:     *dataDir,
		Tor:         tor.Config{DataDir: filepath.Join(*dataDir, "tor"), PrivateNetwork: pn, StopGrace: 5 * time.Second},
		Logger:      logger,
		PeerBackoff: [2]time.Duration{500 * time.Millisecond, 5 * time.Second},
	})
	ch, cancel := eng.Subscribe()
	p := &peer{eng: eng, events: ch}
	closed := false
	defer func() {
		cancel()
		if !closed {
			eng.Close()
		}
	}()

	ctx, stop := context.WithTimeout(context.Background(), step)
	if err := eng.Start(ctx); err != nil {
		stop()
		return err
	}
	err = p.waitUntil(ctx, "tor", func() bool { return eng.TorStatus().State == model.TorReady })
	if err == nil {
		_, err = eng.CreateProfile(ctx, "Windows", "")
	}
	stop()
	if err != nil {
		return err
	}
	self, _, err := eng.Self()
	if err != nil {
		return err
	}
	fmt.Println("ready", self)

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64<<10), 64<<10)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(in.Text()), " ")
		ctx, stop := context.WithTimeout(context.Background(), step)
		out, err := p.do(ctx, cmd, arg)
		stop()
		if err != nil {
			return err
		}
		if cmd == "quit" {
			cancel()
			closed = true
			if err := eng.Close(); err != nil {
				return fmt.Errorf("close the engine: %w", err)
			}
		}
		fmt.Println(out)
		if cmd == "quit" {
			return nil
		}
	}
	if err := in.Err(); err != nil {
		return err
	}
	return errors.New("stdin ended without quit")
}

func (p *peer) do(ctx context.Context, cmd, arg string) (string, error) {
	eng := p.eng
	switch cmd {
	case "invite":
		text, err := eng.MyInvite(true)
		if err != nil {
			return "", err
		}
		return "invite " + text, nil
	case "contact":
		addr, err := identity.ParseAddress(arg)
		if err != nil {
			return "", err
		}
		err = p.waitUntil(ctx, "the contact", func() bool {
			c, err := eng.Contact(model.ConversationID(addr))
			return err == nil && c.State == model.ContactAccepted
		})
		return "contact", err
	case "send":
		a, body, _ := strings.Cut(arg, " ")
		addr, err := identity.ParseAddress(a)
		if err != nil {
			return "", err
		}
		start := time.Now()
		m, err := eng.SendMessage(model.ConversationID(addr), body)
		if err != nil {
			return "", err
		}
		err = p.waitUntil(ctx, "the message delivered", func() bool {
			got, err := eng.Message(m.Conversation, m.ID)
			return err == nil && got.Status == model.StatusDelivered
		})
		return fmt.Sprintf("delivered %d", time.Since(start).Milliseconds()), err
	case "expect":
		a, body, _ := strings.Cut(arg, " ")
		addr, err := identity.ParseAddress(a)
		if err != nil {
			return "", err
		}
		err = p.waitUntil(ctx, "the message", func() bool {
			msgs, err := eng.History(model.ConversationID(addr), 0, 100)
			if err != nil {
				return false
			}
			for _, m := range msgs {
				if m.Body == body {
					return true
				}
			}
			return false
		})
		return "received", err
	case "quit":
		return "closed", nil
	}
	return "", fmt.Errorf("unknown command %q", cmd)
}
