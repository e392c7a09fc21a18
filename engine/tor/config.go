package tor

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// Config configures a Tor transport. Only DataDir is required.
type Config struct {
	// DataDir is the engine's own directory for tor, under the app's data
	// directory. It holds the torrc the engine writes and tor's
	// DataDirectory, which is kept between starts (the cached consensus and
	// guard state make the second start faster). Created if missing.
	DataDir string

	// TorPath is a tor binary configured by the user. It is tried after the
	// bundled binary and before "tor" on PATH.
	TorPath string
	// BundleDirs are extra install directories searched for
	// tor-bundles/<goos>-<goarch>/tor[.exe] after the executable's own
	// directory (see FindBinary).
	BundleDirs []string

	// Bridges are bridge lines ("obfs4 1.2.3.4:443 FINGERPRINT cert=…
	// iat-mode=0", "snowflake 192.0.2.3:80 …"); non-empty turns on
	// UseBridges. Not allowed with PrivateNetwork.
	Bridges []string
	// TransportPlugins are the pluggable transports the bridges need.
	TransportPlugins []TransportPlugin

	// ExtraTorrc are additional torrc lines, written before the lines the
	// engine enforces (which therefore win). Lines that would undo the
	// private network's safety are refused.
	ExtraTorrc []string

	// PrivateNetwork, when set, joins a private Tor network (the tests')
	// instead of the public one. See the package documentation.
	PrivateNetwork *PrivateNetwork

	// VirtualPort is the onion service port Nook listens on and dials
	// (default DefaultVirtualPort). All Nook peers must agree on it.
	VirtualPort int

	// OnStatus, if set, receives every status change in order, from a
	// goroutine of the transport. It must not block for long.
	OnStatus func(Status)

	// RestartBackoff is the first delay before restarting a dead tor
	// (default 500 ms); it doubles up to MaxRestartBackoff (default 30 s).
	RestartBackoff, MaxRestartBackoff time.Duration
	// MaxFailures is how many consecutive failed starts make the transport
	// give up with StateFailed (default 5). A tor that reached 100 %
	// resets the count.
	MaxFailures int
	// StopGrace is how long Close waits after SIGTERM before SIGKILL
	// (default 5 s).
	StopGrace time.Duration
	// LivenessInterval is how often the engine checks that tor answers on
	// its control connection (default 30 s), and LivenessTimeout how long
	// it waits for the answer (default 20 s). A tor that does not answer
	// in time is taken as hung (stopped, deadlocked, swapped out for
	// good): it is killed and restarted like one that died, and the
	// restarting status says why.
	LivenessInterval, LivenessTimeout time.Duration

	// OnionDialTimeout bounds how long Dial waits for tor to reach an
	// onion service once tor is ready (default 90 s). Tor can spend
	// minutes on the introduction points of a stale descriptor (the peer's
	// tor restarted); a dial that times out makes tor forget its cached
	// descriptors so that the next dial fetches fresh ones.
	OnionDialTimeout time.Duration

	// Now returns the current time, for status timestamps (default
	// time.Now).
	Now func() time.Time
}

// DefaultVirtualPort is the onion service port Nook uses.
const DefaultVirtualPort = 7326

// TransportPlugin is a ClientTransportPlugin line: the transports a
// pluggable-transport binary provides (e.g. "obfs4", "snowflake") and its
// path and arguments.
type TransportPlugin struct {
	Transports []string
	Path       string
	Args       []string
}

// PrivateNetwork describes a private Tor network on 127.0.0.1, such as the
// one engine/tor/tortest starts. With it the engine writes, after
// everything else, TestingTorNetwork 1, the given DirAuthority lines (which
// replace the public authorities), UseDefaultFallbackDirs 0, UseBridges 0
// and loopback-only outbound settings, so the tor can reach nothing but
// 127.0.0.0/8.
type PrivateNetwork struct {
	// DirAuthorities are DirAuthority values ("nick orport=… v3ident=…
	// 127.0.0.1:dirport FINGERPRINT"); every address must be loopback.
	DirAuthorities []string
	// Options are further torrc lines the network needs
	// ("PathsNeededToBuildCircuits 0.67", testing options).
	Options []string
	// Proxy, when set, is a SOCKS5 proxy on loopback ("127.0.0.1:port")
	// through which this tor makes every connection (Socks5Proxy; its
	// pluggable transports get it as TOR_PT_PROXY). Tests put a censor
	// there: a proxy that lets through only a bridge's port, as a country
	// that blocks Tor does. Bridges on loopback are allowed with a
	// private network.
	Proxy string
}

// unsafeInPrivate are torrc keys that could point a private-network tor at
// anything but its own authorities; refused in ExtraTorrc and Options.
var unsafeInPrivate = []string{
	"DirAuthority", "AlternateDirAuthority", "AlternateBridgeAuthority", "FallbackDir",
	"UseDefaultFallbackDirs", "TestingTorNetwork", "Bridge", "UseBridges",
	"ClientTransportPlugin", "OutboundBindAddress", "OutboundBindAddressOR",
	"OutboundBindAddressExit", "OutboundBindAddressPT", "Socks4Proxy", "Socks5Proxy",
	"HTTPSProxy", "TCPProxy", "ReachableAddresses", "ReachableORAddresses",
	"ReachableDirAddresses", "ClientUseIPv6", "ClientUseIPv4", "DataDirectory",
}

func (c *Config) withDefaults() Config {
	cfg := *c
	if cfg.VirtualPort == 0 {
		cfg.VirtualPort = DefaultVirtualPort
	}
	if cfg.RestartBackoff == 0 {
		cfg.RestartBackoff = 500 * time.Millisecond
	}
	if cfg.MaxRestartBackoff == 0 {
		cfg.MaxRestartBackoff = 30 * time.Second
	}
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = 5
	}
	if cfg.StopGrace == 0 {
		cfg.StopGrace = 5 * time.Second
	}
	if cfg.OnionDialTimeout <= 0 {
		cfg.OnionDialTimeout = 90 * time.Second
	}
	if cfg.LivenessInterval <= 0 {
		cfg.LivenessInterval = 30 * time.Second
	}
	if cfg.LivenessTimeout <= 0 {
		cfg.LivenessTimeout = 20 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

func optionKey(line string) string {
	f := strings.Fields(line)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// validate checks the configuration; errors wrap ErrConfig.
func (c *Config) validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("%w: DataDir is required", ErrConfig)
	}
	lines := append(append([]string(nil), c.ExtraTorrc...), c.Bridges...)
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n\x00") {
			return fmt.Errorf("%w: torrc line contains a line break", ErrConfig)
		}
	}
	for _, p := range c.TransportPlugins {
		if p.Path == "" || len(p.Transports) == 0 {
			return fmt.Errorf("%w: transport plugin needs a path and transports", ErrConfig)
		}
		for _, s := range append(append([]string{p.Path}, p.Args...), p.Transports...) {
			if strings.ContainsAny(s, "\r\n\x00") {
				return fmt.Errorf("%w: transport plugin contains a line break", ErrConfig)
			}
		}
	}
	// Bridges must be well-formed; where the public network is forbidden
	// (tests, NOOK_FORBID_PUBLIC_TOR=1) or with a private network, every
	// bridge must be on loopback: the built-in bridges are refused there.
	if err := checkBridges(c.Bridges, c.PrivateNetwork != nil || PublicForbidden()); err != nil {
		return err
	}
	if c.VirtualPort < 0 || c.VirtualPort > 65535 {
		return fmt.Errorf("%w: VirtualPort %d out of range", ErrConfig, c.VirtualPort)
	}
	pn := c.PrivateNetwork
	if pn == nil {
		return nil
	}
	if pn.Proxy != "" && (!loopbackHostPort(pn.Proxy) || strings.ContainsAny(pn.Proxy, " \r\n\x00")) {
		return fmt.Errorf("%w: proxy %q is not a loopback IP:port", ErrConfig, pn.Proxy)
	}
	if len(pn.DirAuthorities) == 0 {
		return fmt.Errorf("%w: private network without DirAuthority lines", ErrConfig)
	}
	for _, da := range pn.DirAuthorities {
		if strings.ContainsAny(da, "\r\n\x00") {
			return fmt.Errorf("%w: DirAuthority contains a line break", ErrConfig)
		}
		if err := checkDirAuthority(da); err != nil {
			return err
		}
	}
	for _, l := range append(append([]string(nil), c.ExtraTorrc...), pn.Options...) {
		if strings.ContainsAny(l, "\r\n\x00") {
			return fmt.Errorf("%w: torrc line contains a line break", ErrConfig)
		}
		k := optionKey(l)
		for _, bad := range unsafeInPrivate {
			if strings.EqualFold(k, bad) {
				return fmt.Errorf("%w: %s may not be set on a private network", ErrConfig, k)
			}
		}
	}
	return nil
}

// checkDirAuthority requires every address in a DirAuthority value to be
// on 127.0.0.0/8 (or ::1).
func checkDirAuthority(da string) error {
	found := false
	for _, f := range strings.Fields(da) {
		if strings.Contains(f, "=") {
			k, v, _ := strings.Cut(f, "=")
			if strings.EqualFold(k, "ipv6") {
				if !loopbackHostPort(v) {
					return fmt.Errorf("%w: DirAuthority address %s is not on loopback", ErrConfig, v)
				}
			}
			continue
		}
		if host, _, err := net.SplitHostPort(f); err == nil && net.ParseIP(host) != nil {
			if !loopbackHostPort(f) {
				return fmt.Errorf("%w: DirAuthority address %s is not on loopback", ErrConfig, f)
			}
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%w: DirAuthority without an address: %q", ErrConfig, da)
	}
	return nil
}

func loopbackHostPort(hp string) bool {
	host, _, err := net.SplitHostPort(hp)
	if err != nil {
		return false
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
