package tor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The private network file is how a private Tor network's client settings
// travel from the program that runs the network (app/demo) to the programs
// that join it (bin/nook and bin/nook-server, flag --tor-private-network):
// '#' comments, one "DirAuthority <value>" line per authority, and every
// other line a further torrc option. The programs add the safety lines
// themselves and refuse options that could undo them (Config.validate).

// ErrPrivateNetworkFile is returned (wrapped) by ParsePrivateNetwork and
// MarshalPrivateNetwork for unusable settings.
var ErrPrivateNetworkFile = errors.New("invalid private network settings")

// maxPrivateNetworkFile bounds what ParsePrivateNetwork reads.
const maxPrivateNetworkFile = 64 << 10

// ParsePrivateNetwork reads private network settings in the file format.
func ParsePrivateNetwork(r io.Reader) (*PrivateNetwork, error) {
	pn := &PrivateNetwork{}
	sc := bufio.NewScanner(io.LimitReader(r, maxPrivateNetworkFile))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "DirAuthority "):
			pn.DirAuthorities = append(pn.DirAuthorities, strings.TrimSpace(strings.TrimPrefix(line, "DirAuthority ")))
		default:
			pn.Options = append(pn.Options, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPrivateNetworkFile, err)
	}
	if len(pn.DirAuthorities) == 0 {
		return nil, fmt.Errorf("%w: no DirAuthority line", ErrPrivateNetworkFile)
	}
	return pn, nil
}

// ReadPrivateNetworkFile reads the settings file at path.
func ReadPrivateNetworkFile(path string) (*PrivateNetwork, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the private network file: %w", err)
	}
	defer f.Close()
	return ParsePrivateNetwork(f)
}

// MarshalPrivateNetwork renders pn in the file format. It refuses values
// that would not read back as the same line.
func MarshalPrivateNetwork(pn *PrivateNetwork) ([]byte, error) {
	if pn == nil || len(pn.DirAuthorities) == 0 {
		return nil, fmt.Errorf("%w: no DirAuthority line", ErrPrivateNetworkFile)
	}
	var b bytes.Buffer
	b.WriteString("# A private Tor network on 127.0.0.1 (read with --tor-private-network).\n")
	for _, da := range pn.DirAuthorities {
		if err := checkFileLine(da); err != nil {
			return nil, err
		}
		b.WriteString("DirAuthority " + strings.TrimSpace(da) + "\n")
	}
	for _, opt := range pn.Options {
		if err := checkFileLine(opt); err != nil {
			return nil, err
		}
		if strings.HasPrefix(strings.TrimSpace(opt), "DirAuthority ") {
			return nil, fmt.Errorf("%w: option %q belongs in DirAuthorities", ErrPrivateNetworkFile, opt)
		}
		b.WriteString(strings.TrimSpace(opt) + "\n")
	}
	return b.Bytes(), nil
}

// WritePrivateNetworkFile writes pn to path in the file format.
func WritePrivateNetworkFile(path string, pn *PrivateNetwork) error {
	b, err := MarshalPrivateNetwork(pn)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write the private network file: %w", err)
	}
	return nil
}

func checkFileLine(s string) error {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return fmt.Errorf("%w: empty line", ErrPrivateNetworkFile)
	case strings.ContainsAny(t, "\r\n\x00"):
		return fmt.Errorf("%w: %q contains a line break", ErrPrivateNetworkFile, s)
	case strings.HasPrefix(t, "#"):
		return fmt.Errorf("%w: %q would be read as a comment", ErrPrivateNetworkFile, s)
	}
	return nil
}
