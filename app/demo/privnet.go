//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/nookchat/nook/engine/tor"
)

// privateNetworkFile renders a private network's client settings in the
// format bin/nook and bin/nook-server read with --tor-private-network: '#'
// comments, one "DirAuthority <value>" line per authority, and every other
// line a further torrc option. The programs add the safety lines
// (TestingTorNetwork 1, UseDefaultFallbackDirs 0, loopback-only addresses)
// themselves and refuse options that could undo them.
func privateNetworkFile(pn *tor.PrivateNetwork) ([]byte, error) {
	if pn == nil || len(pn.DirAuthorities) == 0 {
		return nil, errors.New("private network without DirAuthority lines")
	}
	var b bytes.Buffer
	b.WriteString("# Nook demo: the private Tor network on 127.0.0.1, written by app/demo.\n")
	b.WriteString("# Read by bin/nook and bin/nook-server with --tor-private-network.\n")
	for _, da := range pn.DirAuthorities {
		if err := checkLine(da); err != nil {
			return nil, err
		}
		b.WriteString("DirAuthority " + strings.TrimSpace(da) + "\n")
	}
	for _, opt := range pn.Options {
		if err := checkLine(opt); err != nil {
			return nil, err
		}
		if strings.HasPrefix(strings.TrimSpace(opt), "DirAuthority ") {
			return nil, fmt.Errorf("option %q: authorities belong in DirAuthorities", opt)
		}
		b.WriteString(strings.TrimSpace(opt) + "\n")
	}
	return b.Bytes(), nil
}

// checkLine refuses a value that would not survive as one line of the
// file.
func checkLine(s string) error {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return errors.New("empty line in the private network settings")
	case strings.ContainsAny(t, "\r\n\x00"):
		return fmt.Errorf("%q contains a line break", s)
	case strings.HasPrefix(t, "#"):
		return fmt.Errorf("%q would be read as a comment", s)
	}
	return nil
}

// writePrivateNetwork writes the settings file (see privateNetworkFile).
func writePrivateNetwork(path string, pn *tor.PrivateNetwork) error {
	b, err := privateNetworkFile(pn)
	if err != nil {
		return fmt.Errorf("private network settings: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("private network settings: %w", err)
	}
	return nil
}
