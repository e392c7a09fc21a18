package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// options are the command line.
type options struct {
	dataDir      string
	configPath   string
	exportBundle string
	loopbackDir  string
	privateNet   string
	torPath      string
	lightQR      bool
	file         fileConfig
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("nook-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.dataDir, "data-dir", "", "directory for the server's keys, Tor state and messages (required)")
	fs.StringVar(&o.configPath, "config", "", "config file of key = value lines (see packaging/server/nook-server.conf)")
	fs.StringVar(&o.exportBundle, "export-bundle", "", "write the signed server bundle to `FILE` and exit")
	fs.StringVar(&o.loopbackDir, "loopback-dir", "", "use the loopback transport with this directory instead of Tor (local tests and demos)")
	fs.StringVar(&o.privateNet, "tor-private-network", "", "join the private Tor network described in `FILE` (DirAuthority lines and options; tests only)")
	fs.StringVar(&o.torPath, "tor", "", "tor binary (default: the bundled one, then tor on PATH)")
	fs.BoolVar(&o.lightQR, "light-qr", false, "draw the QR code for a light terminal background")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.dataDir == "" {
		return nil, errors.New("--data-dir is required")
	}
	if o.loopbackDir != "" && o.privateNet != "" {
		return nil, errors.New("--loopback-dir and --tor-private-network exclude each other")
	}
	o.file = defaultFileConfig()
	if o.configPath != "" {
		if err := o.file.load(o.configPath); err != nil {
			return nil, err
		}
	}
	return o, nil
}
