package tortest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Bridge is a bridge relay of the private network with a server transport
// (obfs4 or snowflake): a censored client that may reach only the
// transport's port (or, for snowflake, the broker and WebRTC) connects
// through it.
type Bridge struct {
	*Proc
	// Line is the client's bridge line: "obfs4 127.0.0.1:PTPort
	// FINGERPRINT cert=… iat-mode=0", or for snowflake (StartSnowflake)
	// "snowflake 127.0.0.1:PTPort FINGERPRINT fingerprint=… url=…".
	Line string
	// Fingerprint is the bridge's identity.
	Fingerprint string
	// ORPort is the bridge's own onion-router port; PTPort is where its
	// server transport listens.
	ORPort, PTPort int
}

// StartBridge starts a bridge relay (BridgeRelay 1, not published) whose
// obfs4 server transport is the program obfs4 (the obfs4proxy that
// tor-bundles/transports.sh builds), and waits until it can serve clients
// (see startBridge) and has written its obfs4 bridge line. The network stops it on Close.
func (n *Network) StartBridge(ctx context.Context, obfs4 string) (*Bridge, error) {
	ptPort, err := freePort()
	if err != nil {
		return nil, err
	}
	br, err := n.startBridge(ctx, ptPort,
		"ServerTransportPlugin obfs4 exec "+obfs4,
		fmt.Sprintf("ServerTransportListenAddr obfs4 127.0.0.1:%d", ptPort),
		"ServerTransportOptions obfs4 iat-mode=0",
	)
	if err != nil {
		return nil, err
	}
	// obfs4proxy writes the bridge's obfs4 line (with its cert) once it
	// listens.
	var cert string
	err = retry(ctx, func() (bool, error) {
		b, err := os.ReadFile(filepath.Join(br.DataDir, "pt_state", "obfs4_bridgeline.txt"))
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		for line := range strings.Lines(string(b)) {
			for _, f := range strings.Fields(line) {
				if strings.HasPrefix(f, "cert=") {
					cert = f
				}
			}
		}
		return cert != "", nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: no obfs4 bridge line: %w%s", br.Name, err, logTail(br.DataDir))
	}
	br.Line = fmt.Sprintf("obfs4 127.0.0.1:%d %s %s iat-mode=0", ptPort, br.Fingerprint, cert)
	return br, nil
}

// startBridge starts a bridge relay with the given server-transport lines
// (the transport listening on 127.0.0.1:ptPort) and waits until it holds
// enough directory information (75 %) to serve clients: as with the relays
// (see the package documentation), its own circuits are not needed, and on
// a loaded machine a bridge sometimes stayed at 95 % ("failed to find node
// for hop #2") for minutes.
func (n *Network) startBridge(ctx context.Context, ptPort int, transport ...string) (*Bridge, error) {
	n.mu.Lock()
	n.nodeCount++
	name := fmt.Sprintf("bridge%d", n.nodeCount)
	n.mu.Unlock()
	dir := filepath.Join(n.Dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	orPort, err := freePort()
	if err != nil {
		return nil, err
	}
	torrc := filepath.Join(dir, "torrc")
	lines := append(n.commonLines(name, dir, n.DirAuthorities[0]),
		fmt.Sprintf("ORPort 127.0.0.1:%d", orPort),
		"SocksPort 0",
		"AssumeReachable 1",
		"BridgeRelay 1",
		"BridgeDistribution none",
		"PublishServerDescriptor 0",
		"ExtORPort 127.0.0.1:auto",
		"OutboundBindAddressPT 127.0.0.1",
	)
	lines = append(lines, transport...)
	if err := writeLines(torrc, lines); err != nil {
		return nil, err
	}
	if err := n.verify(ctx, torrc); err != nil {
		return nil, err
	}
	fp, err := n.fingerprint(ctx, torrc)
	if err != nil {
		return nil, err
	}
	p, err := n.launch(name, dir, torrc)
	if err != nil {
		return nil, err
	}
	if err := WaitBootstrapped(ctx, dir, 75); err != nil {
		return nil, fmt.Errorf("%s: %w%s", name, err, logTail(dir))
	}
	return &Bridge{Proc: p, Fingerprint: fp, ORPort: orPort, PTPort: ptPort}, nil
}
