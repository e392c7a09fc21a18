package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/nookchat/nook/engine/tor"
)

// readPrivateNetwork reads a private Tor network's settings: every
// "DirAuthority …" line becomes an authority, every other non-empty,
// non-comment line a further torrc option. The engine refuses anything
// that would leave 127.0.0.1.
func readPrivateNetwork(path string) (*tor.PrivateNetwork, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the private network file: %w", err)
	}
	defer f.Close()
	pn := &tor.PrivateNetwork{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "DirAuthority "); ok {
			pn.DirAuthorities = append(pn.DirAuthorities, strings.TrimSpace(rest))
			continue
		}
		pn.Options = append(pn.Options, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the private network file: %w", err)
	}
	if len(pn.DirAuthorities) == 0 {
		return nil, fmt.Errorf("%s has no DirAuthority lines", path)
	}
	return pn, nil
}
