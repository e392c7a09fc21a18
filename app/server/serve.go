package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// serve starts the transport and the server, prints the invite, and runs
// until ctx ends.
func serve(ctx context.Context, o *options, stdout io.Writer, log *slog.Logger) error {
	var tr transport.Transport
	switch {
	case o.exportBundle != "":
		tr = loopback.New(loopback.NewMemoryDirectory()) // publishes nothing reachable
	case o.loopbackDir != "":
		tr = loopback.New(loopback.FileDirectory{Path: o.loopbackDir})
	default:
		tc := tor.Config{DataDir: filepath.Join(o.dataDir, "tor"), TorPath: o.torPath}
		if o.privateNet != "" {
			pn, err := tor.ReadPrivateNetworkFile(o.privateNet)
			if err != nil {
				return err
			}
			tc.PrivateNetwork = pn
		}
		t := tor.New(tc)
		log.Info("starting tor")
		if err := t.Start(ctx); err != nil {
			return fmt.Errorf("start tor: %w", err)
		}
		defer t.Close()
		tr = t
	}
	cfg := groupserver.Config{DataDir: o.dataDir, Transport: tr, Logger: log}
	o.file.apply(&cfg)
	s, err := groupserver.New(cfg)
	if err != nil {
		return err
	}
	if err := s.Start(ctx); err != nil {
		return err
	}
	defer s.Close()
	if o.exportBundle != "" {
		return exportBundle(s, o.exportBundle)
	}
	style := invite.DarkTerminal
	if o.lightQR {
		style = invite.LightTerminal
	}
	if err := s.PrintInvite(stdout, style); err != nil {
		return err
	}
	log.Info("serving; stop with Ctrl-C or SIGTERM")
	<-ctx.Done()
	log.Info("stopping")
	return s.Close()
}

// exportBundle writes the signed bundle and, beside it, the invite text.
func exportBundle(s *groupserver.Server, path string) error {
	b, err := s.Bundle().MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	text, err := s.Invite()
	if err != nil {
		return err
	}
	return os.WriteFile(path+".txt", []byte(text+"\n"), 0o644)
}

// hint says what the operator can do about err.
func hint(err error) string {
	switch {
	case errors.Is(err, groupserver.ErrKeyFile):
		return "a key file in the data dir is damaged; restore it from a backup (making new keys would change the server's address)"
	case errors.Is(err, os.ErrPermission):
		return "the data dir must be writable by the user the server runs as"
	}
	return ""
}
