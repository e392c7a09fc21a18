package tortest

import (
	"bufio"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cretz/bine/control"

	"github.com/nookchat/nook/engine/tor"
)

// Options configures a private network.
type Options struct {
	// Tor and TorGencert are the binaries (default: looked up on PATH).
	Tor, TorGencert string
	// Relays is the number of relays besides the authority (default 4; see
	// the package documentation).
	Relays int
	// Dir is where the nodes' data directories go (default: a new
	// temporary directory, removed by Close).
	Dir string
	// Logf, if set, receives progress lines (for -v runs).
	Logf func(format string, args ...any)
	// Bandwidth, if not 0, limits every node of the network (the
	// authority and the relays, not the tors StartTor adds) to that many
	// bytes per second in each direction: see BandwidthLines. Tor refuses
	// less than 75 KiB/s for a relay.
	Bandwidth int64
}

// BandwidthLines are the torrc lines that hold a relay to rate bytes per
// second in each direction on a private network: BandwidthRate with a
// burst of the same size (the default burst, 1 GiB, would let the first
// gigabyte through unlimited), RelayBandwidthRate and RelayBandwidthBurst
// the same (relayed cells are what a circuit carries), and
// CountPrivateBandwidth 1, without which tor does not rate-limit
// connections to private addresses such as 127.0.0.1 at all: every
// connection of a private network on loopback would be unlimited.
func BandwidthLines(rate int64) []string {
	r := strconv.FormatInt(rate, 10) + " bytes"
	return []string{
		"BandwidthRate " + r,
		"BandwidthBurst " + r,
		"RelayBandwidthRate " + r,
		"RelayBandwidthBurst " + r,
		"CountPrivateBandwidth 1",
	}
}

// Network is a running private Tor network on 127.0.0.1: one directory
// authority and a few relays (non-exit, guard and HSDir capable).
type Network struct {
	// Tor is the tor binary the network runs.
	Tor string
	// Dir holds every node's data directory.
	Dir string
	// DirAuthorities are the values of the network's DirAuthority lines.
	DirAuthorities []string
	// Bandwidth is the limit of every node in bytes per second (0: none;
	// Options.Bandwidth).
	Bandwidth int64
	// Consensus is how long the network took from the start to a
	// consensus listing every node as a running HSDir; Bootstrapped, to
	// every relay holding enough directory information (75 %).
	Consensus, Bootstrapped time.Duration

	logf      func(string, ...any)
	ownDir    bool
	empty     string // an empty file: --defaults-torrc and GeoIP files
	resolv    string // a resolv.conf naming only 127.0.0.1
	dirPort   int
	mu        sync.Mutex // guards procs
	procs     []*Proc
	nodeCount int
}

// Client returns the private-network settings for an engine/tor client:
// the DirAuthority lines and the testing options of this network. The
// engine adds the safety lines (TestingTorNetwork 1, UseDefaultFallbackDirs
// 0, loopback-only addresses) itself.
func (n *Network) Client() *tor.PrivateNetwork {
	return &tor.PrivateNetwork{
		DirAuthorities: append([]string(nil), n.DirAuthorities...),
		Options: []string{
			"PathsNeededToBuildCircuits 0.67",
			"TestingDirAuthVoteGuard *",
			"TestingDirAuthVoteHSDir *",
			"V3AuthNIntervalsValid 2",
			"GeoIPFile " + n.empty,
			"GeoIPv6File " + n.empty,
		},
	}
}

// Procs returns the processes the network started so far.
func (n *Network) Procs() []*Proc {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*Proc(nil), n.procs...)
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// commonLines are in every node's torrc: the safety lines that keep a
// test network off the public one (see the package doc).
func (n *Network) commonLines(name, dataDir string, dirAuth string) []string {
	return []string{
		"# private Tor network node, written by engine/tor/tortest",
		"Nickname " + name,
		"DataDirectory " + dataDir,
		"TestingTorNetwork 1",
		"DirAuthority " + dirAuth,
		"UseDefaultFallbackDirs 0",
		"UseBridges 0",
		"Address 127.0.0.1",
		"OutboundBindAddress 127.0.0.1",
		"ExitRelay 0",
		"ExitPolicy reject *:*",
		"ControlPort 127.0.0.1:auto",
		"ControlPortWriteToFile " + filepath.Join(dataDir, "control-port"),
		"CookieAuthentication 1",
		"TestingDirAuthVoteGuard *",
		"TestingDirAuthVoteHSDir *",
		"V3AuthNIntervalsValid 2",
		"PathsNeededToBuildCircuits 0.67",
		"GeoIPFile " + n.empty,
		"GeoIPv6File " + n.empty,
		"ServerDNSResolvConfFile " + n.resolv,
		"ServerDNSDetectHijacking 0",
		"ShutdownWaitLength 0",
		"__OwningControllerProcess " + strconv.Itoa(os.Getpid()),
		"Log notice file " + filepath.Join(dataDir, "notice.log"),
	}
}

func writeLines(path string, lines []string) error {
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}

// Start launches a private network and waits until its consensus lists every
// node and the relays have bootstrapped. On error everything started is
// stopped again.
func Start(ctx context.Context, opt Options) (_ *Network, err error) {
	if opt.Relays == 0 {
		opt.Relays = 4
	}
	if opt.Tor == "" {
		if opt.Tor, err = exec.LookPath("tor"); err != nil {
			return nil, fmt.Errorf("tor not found: %w", err)
		}
	}
	if opt.TorGencert == "" {
		if opt.TorGencert, err = exec.LookPath("tor-gencert"); err != nil {
			return nil, fmt.Errorf("tor-gencert not found: %w", err)
		}
	}
	n := &Network{Tor: opt.Tor, Dir: opt.Dir, logf: opt.Logf, Bandwidth: opt.Bandwidth}
	if n.logf == nil {
		n.logf = func(string, ...any) {}
	}
	if n.Dir == "" {
		if n.Dir, err = os.MkdirTemp("", "nook-tornet-"); err != nil {
			return nil, err
		}
		n.ownDir = true
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, n.Close())
		}
	}()
	n.empty = filepath.Join(n.Dir, "empty")
	n.resolv = filepath.Join(n.Dir, "resolv.conf")
	if err := os.WriteFile(n.empty, nil, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(n.resolv, []byte("nameserver 127.0.0.1\n"), 0o600); err != nil {
		return nil, err
	}
	start := time.Now()

	// The authority: keys, fingerprint, torrc.
	authDir := filepath.Join(n.Dir, "auth0")
	if err := os.MkdirAll(filepath.Join(authDir, "keys"), 0o700); err != nil {
		return nil, err
	}
	orPort, err := freePort()
	if err != nil {
		return nil, err
	}
	if n.dirPort, err = freePort(); err != nil {
		return nil, err
	}
	v3ident, err := n.gencert(ctx, opt.TorGencert, authDir)
	if err != nil {
		return nil, err
	}
	authTorrc := filepath.Join(authDir, "torrc")
	placeholder := fmt.Sprintf("auth0 orport=%d no-v2 v3ident=%s 127.0.0.1:%d %s", orPort, v3ident, n.dirPort, strings.Repeat("0", 40))
	authLines := func(dirAuth string) []string {
		return append(append(n.commonLines("auth0", authDir, dirAuth),
			fmt.Sprintf("ORPort 127.0.0.1:%d", orPort),
			fmt.Sprintf("DirPort 127.0.0.1:%d", n.dirPort),
			"SocksPort 0",
			"AuthoritativeDirectory 1",
			"V3AuthoritativeDirectory 1",
			"ContactInfo nook-tortest",
			"AssumeReachable 1",
			"V3AuthVotingInterval 10",
			"V3AuthVoteDelay 2",
			"V3AuthDistDelay 2",
			"TestingV3AuthInitialVotingInterval 10",
			"TestingV3AuthInitialVoteDelay 2",
			"TestingV3AuthInitialDistDelay 2",
		), n.limitLines()...)
	}
	if err := writeLines(authTorrc, authLines(placeholder)); err != nil {
		return nil, err
	}
	fp, err := n.fingerprint(ctx, authTorrc)
	if err != nil {
		return nil, err
	}
	dirAuth := fmt.Sprintf("auth0 orport=%d no-v2 v3ident=%s 127.0.0.1:%d %s", orPort, v3ident, n.dirPort, fp)
	n.DirAuthorities = []string{dirAuth}
	if err := writeLines(authTorrc, authLines(dirAuth)); err != nil {
		return nil, err
	}
	if err := n.verify(ctx, authTorrc); err != nil {
		return nil, err
	}
	if _, err := n.launch("auth0", authDir, authTorrc); err != nil {
		return nil, err
	}

	// The relays.
	relays := make([]*Proc, 0, opt.Relays)
	for i := range opt.Relays {
		name := fmt.Sprintf("relay%d", i)
		dir := filepath.Join(n.Dir, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		torrc := filepath.Join(dir, "torrc")
		lines := append(n.commonLines(name, dir, dirAuth),
			fmt.Sprintf("ORPort 127.0.0.1:%d", port),
			"SocksPort 0",
			"AssumeReachable 1",
		)
		lines = append(lines, n.limitLines()...)
		if err := writeLines(torrc, lines); err != nil {
			return nil, err
		}
		if n.Bandwidth != 0 {
			// tor refuses a rate below a relay's minimum: say so here
			// rather than as a relay that never starts.
			if err := n.verify(ctx, torrc); err != nil {
				return nil, err
			}
		}
		p, err := n.launch(name, dir, torrc)
		if err != nil {
			return nil, err
		}
		relays = append(relays, p)
	}

	// First consensus listing the authority and at least three relays as
	// running HSDirs (the smallest network that works; a relay whose
	// descriptor missed the first vote joins 10 s later), then kick the
	// relays.
	if err := n.waitConsensus(ctx, min(1+opt.Relays, 4)); err != nil {
		return nil, err
	}
	n.Consensus = time.Since(start)
	for _, p := range relays {
		if err := Reload(ctx, p.DataDir); err != nil {
			return nil, fmt.Errorf("reload %s: %w", p.Name, err)
		}
	}
	for _, p := range relays {
		if err := WaitBootstrapped(ctx, p.DataDir, 75); err != nil {
			return nil, fmt.Errorf("%s: %w%s\nauthority:%s", p.Name, err, logTail(p.DataDir), logTail(filepath.Join(n.Dir, "auth0")))
		}
	}
	n.Bootstrapped = time.Since(start)
	return n, nil
}

// limitLines are the bandwidth lines of the network's nodes (none without
// a limit).
func (n *Network) limitLines() []string {
	if n.Bandwidth == 0 {
		return nil
	}
	return BandwidthLines(n.Bandwidth)
}

// gencert creates the authority's keys and returns its v3ident.
func (n *Network) gencert(ctx context.Context, gencert, dir string) (string, error) {
	keys := filepath.Join(dir, "keys")
	cmd := exec.CommandContext(ctx, gencert, "--create-identity-key", "--passphrase-fd", "0",
		"-i", filepath.Join(keys, "authority_identity_key"),
		"-s", filepath.Join(keys, "authority_signing_key"),
		"-c", filepath.Join(keys, "authority_certificate"),
		"-m", "12", "-a", fmt.Sprintf("127.0.0.1:%d", n.dirPort))
	cmd.Stdin = strings.NewReader("nook-tortest\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("tor-gencert: %w: %s", err, out)
	}
	cert, err := os.ReadFile(filepath.Join(keys, "authority_certificate"))
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(cert)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "fingerprint" {
			return f[1], nil
		}
	}
	return "", errors.New("tor-gencert: no fingerprint in certificate")
}

// torArgs are the only way the harness runs tor: its own torrc and an empty
// defaults file, never /etc/tor/torrc.
func (n *Network) torArgs(torrc string, extra ...string) []string {
	return append([]string{"-f", torrc, "--defaults-torrc", n.empty}, extra...)
}

func (n *Network) fingerprint(ctx context.Context, torrc string) (string, error) {
	out, err := exec.CommandContext(ctx, n.Tor, n.torArgs(torrc, "--list-fingerprint", "--quiet")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tor --list-fingerprint: %w: %s", err, out)
	}
	f := strings.Fields(strings.TrimSpace(string(out)))
	if len(f) < 2 {
		return "", fmt.Errorf("tor --list-fingerprint: unexpected output %q", out)
	}
	fp := strings.Join(f[1:], "")
	if len(fp) != 40 {
		return "", fmt.Errorf("tor --list-fingerprint: unexpected output %q", out)
	}
	return fp, nil
}

func (n *Network) verify(ctx context.Context, torrc string) error {
	out, err := exec.CommandContext(ctx, n.Tor, n.torArgs(torrc, "--verify-config")...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("tor --verify-config %s: %w: %s", torrc, err, out)
	}
	return nil
}

func (n *Network) launch(name, dir, torrc string) (*Proc, error) {
	p, err := startProc(name, dir, torrc, n.Tor, n.torArgs(torrc)...)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	n.procs = append(n.procs, p)
	n.mu.Unlock()
	return p, nil
}

// StartTor starts one more tor in the private network with the given extra
// torrc lines (a client: SocksPort 0 unless the lines say otherwise), for
// tests that need tor's own behaviour, such as a HiddenServiceDir. The
// harness stops it on Close; tests may Stop it earlier.
func (n *Network) StartTor(ctx context.Context, extra ...string) (*Proc, error) {
	n.mu.Lock()
	n.nodeCount++
	name := fmt.Sprintf("client%d", n.nodeCount)
	n.mu.Unlock()
	dir := filepath.Join(n.Dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	torrc := filepath.Join(dir, "torrc")
	lines := append(n.commonLines(name, dir, n.DirAuthorities[0]), "ClientOnly 1")
	if !hasOption(extra, "SocksPort") {
		lines = append(lines, "SocksPort 0")
	}
	lines = append(lines, extra...)
	if err := writeLines(torrc, lines); err != nil {
		return nil, err
	}
	if err := n.verify(ctx, torrc); err != nil {
		return nil, err
	}
	return n.launch(name, dir, torrc)
}

func hasOption(lines []string, key string) bool {
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], key) {
			return true
		}
	}
	return false
}

// waitConsensus waits until the authority serves a consensus listing at
// least nodes routers.
func (n *Network) waitConsensus(ctx context.Context, nodes int) error {
	url := fmt.Sprintf("http://127.0.0.1:%d/tor/status-vote/current/consensus", n.dirPort)
	client := &http.Client{Timeout: 2 * time.Second}
	var last string
	err := retry(ctx, func() (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, err
		}
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := client.Do(req)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			last = resp.Status
			return false, nil
		}
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "deflate" {
			zr, err := zlib.NewReader(resp.Body)
			if err != nil {
				last = err.Error()
				return false, nil
			}
			defer zr.Close()
			body = zr
		}
		count, running := 0, 0
		sc := bufio.NewScanner(body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "r ") {
				count++
			}
			if f := strings.Fields(line); len(f) > 0 && f[0] == "s" &&
				slices.Contains(f, "Running") && slices.Contains(f, "Valid") && slices.Contains(f, "HSDir") {
				running++
			}
		}
		if l := fmt.Sprintf("consensus lists %d of %d nodes, %d running HSDirs", count, nodes, running); l != last {
			last = l
			n.logf("tortest: %s", l)
		}
		return count >= nodes && running >= nodes, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for the first consensus (%s): %w%s", last, err, logTail(filepath.Join(n.Dir, "auth0")))
	}
	return nil
}

// retry calls f with backoff (50 ms doubling to 500 ms) until it reports
// done, fails, or ctx ends.
func retry(ctx context.Context, f func() (bool, error)) error {
	backoff := 50 * time.Millisecond
	for {
		done, err := f()
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 500*time.Millisecond)
	}
}

// Control connects to the control port of the tor whose data directory is
// dataDir (ControlPortWriteToFile <dataDir>/control-port) and
// authenticates with its cookie. The caller closes the connection.
func Control(ctx context.Context, dataDir string) (*control.Conn, error) {
	var port string
	err := retry(ctx, func() (bool, error) {
		b, err := os.ReadFile(filepath.Join(dataDir, "control-port"))
		if err != nil {
			return false, nil
		}
		s := strings.TrimSpace(string(b))
		if !strings.HasPrefix(s, "PORT=") {
			return false, nil
		}
		port = strings.TrimPrefix(s, "PORT=")
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("control port file: %w", err)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", port)
	if err != nil {
		return nil, err
	}
	conn := control.NewConn(textproto.NewConn(c))
	if err := conn.Authenticate(""); err != nil {
		conn.Close()
		return nil, fmt.Errorf("control authenticate: %w", err)
	}
	return conn, nil
}

// Reload sends SIGNAL RELOAD to a node, which makes it fetch the consensus
// now instead of after its download back-off.
func Reload(ctx context.Context, dataDir string) error {
	c, err := Control(ctx, dataDir)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Signal("RELOAD")
}

// WaitBootstrapped waits until the node reports bootstrap progress of at
// least min, sending SIGNAL RELOAD again whenever it made no progress for
// 4 s (on a loaded machine a node can miss a consensus and then wait out its
// download back-off).
func WaitBootstrapped(ctx context.Context, dataDir string, min int) error {
	c, err := Control(ctx, dataDir)
	if err != nil {
		return err
	}
	defer c.Close()
	var last string
	kicked := time.Now()
	err = retry(ctx, func() (bool, error) {
		kv, err := c.GetInfo("status/bootstrap-phase")
		if err != nil {
			return false, err
		}
		if len(kv) == 1 && kv[0].Val != last {
			last = kv[0].Val
			kicked = time.Now()
		}
		if progress(last) >= min {
			return true, nil
		}
		if time.Since(kicked) > 4*time.Second {
			kicked = time.Now()
			if err := c.Signal("RELOAD"); err != nil {
				return false, err
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("bootstrap (%s): %w", last, err)
	}
	return nil
}

// logTail returns the last lines of a node's notice log, for errors.
func logTail(dataDir string) string {
	f, err := os.Open(filepath.Join(dataDir, "notice.log"))
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return "\n\t" + strings.Join(lines, "\n\t")
}

// Close stops every tor of the network (SIGTERM, SIGKILL after a grace),
// removes the directory it created, and reports any process that could not
// be stopped.
func (n *Network) Close() error {
	var errs []error
	procs := n.Procs()
	var wg sync.WaitGroup
	errc := make(chan error, len(procs))
	for _, p := range procs {
		wg.Go(func() { errc <- p.Stop(3 * time.Second) })
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		errs = append(errs, err)
	}
	for _, p := range procs {
		if p.Running() {
			errs = append(errs, fmt.Errorf("tor %s (pid %d) is still running", p.Name, p.PID))
		}
	}
	if n.ownDir && errors.Join(errs...) == nil {
		errs = append(errs, os.RemoveAll(n.Dir))
	}
	return errors.Join(errs...)
}

// progress extracts PROGRESS=n from a bootstrap phase line.
func progress(phase string) int {
	for _, f := range strings.Fields(phase) {
		if v, ok := strings.CutPrefix(f, "PROGRESS="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return -1
}
