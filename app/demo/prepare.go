//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/tor"
)

// The demo's people, group and messages.
const (
	mayaName   = "Maya"
	jonasName  = "Jonas"
	groupName  = "Demo group"
	mayaHello  = "Hi Jonas! This chat runs over a private Tor network on this computer, no internet needed."
	jonasHello = "Hi Maya! Each of us runs an onion service; no server sees who talks to whom."
	mayaPost   = "Welcome to the demo group. The group server stores only sealed blobs it cannot read."
	jonasPost  = "Hello group! Try typing in either window."
)

// prepareConfig says where and how to prepare the demo's profiles.
type prepareConfig struct {
	// MayaDir and JonasDir are the two data folders (the apps'
	// --data-dir).
	MayaDir, JonasDir string
	// TorPath and Network are the tor binary and the private network the
	// engines' tors join.
	TorPath string
	Network *tor.PrivateNetwork
	// ServerInvite returns the group server's invite (NOOK:S1:…) once the
	// server is up; it is called after the two profiles are contacts.
	ServerInvite func(context.Context) (string, error)
	// Profile are the profile options (zero: production key derivation,
	// which the app requires).
	Profile profile.Options
	// Logger receives the engines' diagnostics; Logf, progress lines.
	Logger *slog.Logger
	Logf   func(format string, args ...any)
}

// person is one of the two engines.
type person struct {
	name   string
	eng    *engine.Engine
	events <-chan model.Event
	cancel func()
	addr   model.ConversationID
}

// waitUntil waits until cond holds, re-checking after every event of p and
// at least every 500 ms (conditions may depend on the other engine).
func (p *person) waitUntil(ctx context.Context, what string, cond func() bool) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: waiting for %s: %w", p.name, what, ctx.Err())
		case <-p.events:
		case <-tick.C:
		}
	}
	return nil
}

// delivered waits until an outgoing message of p is acknowledged.
func (p *person) delivered(ctx context.Context, what string, sent model.Message) error {
	return p.waitUntil(ctx, what, func() bool {
		m, err := p.eng.Message(sent.Conversation, sent.ID)
		return err == nil && m.Status == model.StatusDelivered
	})
}

// has waits until p's conversation conv holds a message with body.
func (p *person) has(ctx context.Context, what string, conv model.ConversationID, body string) error {
	return p.waitUntil(ctx, what, func() bool {
		msgs, err := p.eng.History(conv, 0, 100)
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
}

// prepare creates the two profiles over the private Tor network: contacts
// through an in-person invite, two messages each way in their chat, and a
// group on the server with a post from each. The engines are closed when
// it returns, leaving the data folders ready for the apps.
func prepare(ctx context.Context, cfg prepareConfig) (err error) {
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	newPerson := func(name, dir string) *person {
		logger := cfg.Logger
		if logger == nil {
			logger = slog.New(slog.DiscardHandler)
		}
		e := engine.New(engine.Config{
			DataDir: dir,
			Tor: tor.Config{
				DataDir:        filepath.Join(dir, "tor"), // where the app looks too
				TorPath:        cfg.TorPath,
				PrivateNetwork: cfg.Network,
				StopGrace:      3 * time.Second,
			},
			Logger:      logger.With("profile", name),
			Profile:     cfg.Profile,
			PeerBackoff: [2]time.Duration{500 * time.Millisecond, 5 * time.Second},
		})
		ch, cancel := e.Subscribe()
		return &person{name: name, eng: e, events: ch, cancel: cancel}
	}
	maya, jonas := newPerson(mayaName, cfg.MayaDir), newPerson(jonasName, cfg.JonasDir)
	both := []*person{maya, jonas}
	defer func() {
		for _, p := range both {
			p.cancel()
			if cerr := p.eng.Close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("close %s's engine: %w", p.name, cerr))
			}
		}
	}()

	// Both tors and both profiles, in parallel.
	var wg sync.WaitGroup
	errs := make([]error, len(both))
	for i, p := range both {
		wg.Go(func() { errs[i] = p.start(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	logf("%s's and %s's tors are on the network; profiles created without a password", maya.name, jonas.name)

	// Contacts: Jonas scans Maya's in-person invite.
	text, err := maya.eng.MyInvite(true)
	if err != nil {
		return fmt.Errorf("maya's invite: %w", err)
	}
	if _, err := jonas.eng.AcceptInvite(text); err != nil {
		return fmt.Errorf("jonas accepts maya's invite: %w", err)
	}
	accepted := func(p *person, other model.ConversationID) func() bool {
		return func() bool {
			c, err := p.eng.Contact(other)
			return err == nil && c.State == model.ContactAccepted
		}
	}
	if err := maya.waitUntil(ctx, "Jonas as an accepted contact", accepted(maya, jonas.addr)); err != nil {
		return err
	}
	if err := jonas.waitUntil(ctx, "Maya as an accepted contact", accepted(jonas, maya.addr)); err != nil {
		return err
	}
	logf("Maya and Jonas are contacts (Jonas accepted Maya's in-person invite)")

	// The one-to-one chat.
	if err := say(ctx, maya, jonas, mayaHello); err != nil {
		return err
	}
	if err := say(ctx, jonas, maya, jonasHello); err != nil {
		return err
	}
	logf("two messages delivered in their chat")

	// The group.
	serverInvite, err := cfg.ServerInvite(ctx)
	if err != nil {
		return fmt.Errorf("the group server's invite: %w", err)
	}
	g, err := maya.eng.CreateGroup(groupName, serverInvite)
	if err != nil {
		return fmt.Errorf("create %q: %w", groupName, err)
	}
	inv, err := maya.eng.InviteToGroup(jonas.addr, g.Conversation())
	if err != nil {
		return fmt.Errorf("invite jonas to the group: %w", err)
	}
	if err := jonas.has(ctx, "the group invite from Maya", model.ConversationID(maya.addr), inv.Body); err != nil {
		return err
	}
	res, err := jonas.eng.AcceptInvite(inv.Body)
	if err != nil {
		return fmt.Errorf("jonas joins the group: %w", err)
	}
	jg := res.Group.Conversation()
	if err := maya.delivered(ctx, "the group invite delivered", inv); err != nil {
		return err
	}
	logf("%q created on the server; Jonas joined through Maya's invite message", groupName)
	p1, err := maya.eng.Reply(g.Conversation(), mayaPost, model.MessageID{})
	if err != nil {
		return fmt.Errorf("maya posts: %w", err)
	}
	if err := jonas.has(ctx, "Maya's post in the group", jg, p1.Body); err != nil {
		return err
	}
	p2, err := jonas.eng.Reply(jg, jonasPost, model.MessageID{})
	if err != nil {
		return fmt.Errorf("jonas posts: %w", err)
	}
	if err := maya.has(ctx, "Jonas's post in the group", g.Conversation(), p2.Body); err != nil {
		return err
	}
	if err := jonas.delivered(ctx, "Jonas's post back from the server", p2); err != nil {
		return err
	}
	logf("a post from each in %q", groupName)
	return nil
}

// start starts p's tor, waits until it is ready and creates the profile
// without a password.
func (p *person) start(ctx context.Context) error {
	if err := p.eng.Start(ctx); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	if err := p.waitUntil(ctx, "tor", func() bool { return p.eng.TorStatus().State == model.TorReady }); err != nil {
		return err
	}
	if _, err := p.eng.CreateProfile(ctx, p.name, ""); err != nil {
		return fmt.Errorf("%s: create the profile: %w", p.name, err)
	}
	addr, _, err := p.eng.Self()
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	p.addr = model.ConversationID(addr)
	return nil
}

// say sends body from one person to the other and waits until it is
// delivered and shown on the other side.
func say(ctx context.Context, from, to *person, body string) error {
	m, err := from.eng.Reply(model.ConversationID(to.addr), body, model.MessageID{})
	if err != nil {
		return fmt.Errorf("%s sends: %w", from.name, err)
	}
	if err := from.delivered(ctx, "a message delivered to "+to.name, m); err != nil {
		return err
	}
	return to.has(ctx, "the message from "+from.name, model.ConversationID(from.addr), body)
}
