package tor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBridge(t *testing.T) {
	good := map[string]string{
		"obfs4 192.0.2.1:443 0123456789abcdef0123456789ABCDEF01234567 cert=abc iat-mode=0": "obfs4 192.0.2.1:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=abc iat-mode=0",
		"Bridge snowflake 192.0.2.3:80 fingerprint=AA url=https://x/":                      "snowflake 192.0.2.3:80 fingerprint=AA url=https://x/",
		"  192.0.2.9:9001  ":                   "192.0.2.9:9001",
		"obfs4 [2001:db8::1]:443 cert=x":       "obfs4 [2001:db8::1]:443 cert=x",
		"webtunnel 127.0.0.1:1 url=https://a/": "webtunnel 127.0.0.1:1 url=https://a/",
	}
	for in, want := range good {
		b, err := ParseBridge(in)
		if err != nil {
			t.Errorf("ParseBridge(%q): %v", in, err)
			continue
		}
		if b.String() != want {
			t.Errorf("ParseBridge(%q) = %q, want %q", in, b.String(), want)
		}
	}
	bad := map[string]string{
		"":                               "address is missing",
		"obfs4":                          "address is missing",
		"obfs4 example.org:443":          "not an IP address",
		"obfs4 192.0.2.1":                "not an IP address",
		"obfs4 192.0.2.1:0":              "not an IP address",
		"obfs4 192.0.2.1:70000":          "not an IP address",
		"OBFS4 192.0.2.1:443":            "not a transport name",
		"obfs4 192.0.2.1:443 ABCD cert=": "not a fingerprint",
		"obfs4 192.0.2.1:443 cert":       "not a fingerprint",
		"obfs4 192.0.2.1:443 =x":         "not a key=value",
		"192.0.2.1:443 cert=x":           "settings without a transport",
		"obfs4 192.0.2.1:443\ncert=x":    "line break",
		"obfs4 [fe80::1%eth0]:443":       "not an IP address",
		strings.Repeat("a", 5000):        "too long",
	}
	for in, want := range bad {
		_, err := ParseBridge(in)
		if !errors.Is(err, ErrBridgeLine) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBridge(%.40q) = %v, want ErrBridgeLine saying %q", in, err, want)
		}
		checkBridgeReason(t, in, err)
	}
}

// checkBridgeReason fails unless err is a BridgeLineError whose reason a
// frontend can translate (one of BridgeReasons), its English in Error.
func checkBridgeReason(t *testing.T, in string, err error) {
	t.Helper()
	var be *BridgeLineError
	if !errors.As(err, &be) {
		t.Fatalf("ParseBridge(%.40q) = %v, not a BridgeLineError", in, err)
	}
	if _, ok := BridgeReasons[be.Reason]; !ok || be.Error() != ErrBridgeLine.Error()+": "+be.English() || strings.Contains(be.English(), "{{") {
		t.Fatalf("ParseBridge(%.40q): reason %q, %q", in, be.Reason, be.Error())
	}
}

// FuzzParseBridge: no input panics; an accepted line prints as a line that
// parses to the same line.
func FuzzParseBridge(f *testing.F) {
	for _, s := range append(Builtin().Obfs4, Builtin().Snowflake...) {
		f.Add(s)
	}
	for _, s := range []string{"", "Bridge 127.0.0.1:1", "obfs4 [::1]:2 x=y", "a 1.2.3.4:5 " + strings.Repeat("0", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		b, err := ParseBridge(line)
		if err != nil {
			checkBridgeReason(t, line, err)
			return
		}
		again, err := ParseBridge(b.String())
		if err != nil {
			t.Fatalf("%q parsed, its String %q does not: %v", line, b.String(), err)
		}
		if again.String() != b.String() {
			t.Fatalf("round trip changed %q to %q", b.String(), again.String())
		}
	})
}

// TestBuiltinBridges: the built-in data parses, says where it is from, has
// both transports, and is all public addresses.
func TestBuiltinBridges(t *testing.T) {
	b := Builtin()
	if b.Source == "" || b.Retrieved == "" {
		t.Errorf("built-in bridges without source or date: %+v", b)
	}
	if len(b.Obfs4) == 0 || len(b.Snowflake) == 0 {
		t.Fatalf("built-in bridges: %d obfs4, %d snowflake", len(b.Obfs4), len(b.Snowflake))
	}
	for tr, lines := range map[string][]string{"obfs4": b.Obfs4, "snowflake": b.Snowflake} {
		for _, l := range lines {
			p, err := ParseBridge(l)
			if err != nil {
				t.Errorf("%s: %v", l, err)
				continue
			}
			if p.Transport != tr || p.Addr.Addr().IsLoopback() || p.Fingerprint == "" {
				t.Errorf("%s: transport %q, loopback %v, fingerprint %q", l, p.Transport, p.Addr.Addr().IsLoopback(), p.Fingerprint)
			}
		}
	}
}

// TestBuiltinBridgesRefused: the built-in bridges are refused in a test
// binary, with a private network, and in any program run with
// NOOK_FORBID_PUBLIC_TOR=1; loopback bridges on a private network pass.
func TestBuiltinBridgesRefused(t *testing.T) {
	obfs4 := []TransportPlugin{{Transports: []string{"obfs4"}, Path: "/x/obfs4proxy"}}
	pub := Config{DataDir: "x", Bridges: Builtin().Obfs4, TransportPlugins: obfs4}
	if err := pub.validate(); !errors.Is(err, ErrPublicNetworkInTest) {
		t.Errorf("built-in bridges in a test: %v, want ErrPublicNetworkInTest", err)
	}
	priv := pub
	priv.PrivateNetwork = testNet
	if err := priv.validate(); !errors.Is(err, ErrPublicNetworkInTest) {
		t.Errorf("built-in bridges on a private network: %v, want ErrPublicNetworkInTest", err)
	}
	loop := Config{DataDir: "x", PrivateNetwork: testNet, TransportPlugins: obfs4,
		Bridges: []string{"obfs4 127.0.0.1:5555 0123456789ABCDEF0123456789ABCDEF01234567 cert=x iat-mode=0"}}
	if err := loop.validate(); err != nil {
		t.Errorf("a loopback bridge on a private network: %v", err)
	}

	// As a program that is not a test: only the variable forbids.
	inTest = func() bool { return false }
	defer func() { inTest = testing.Testing }()
	t.Setenv(ForbidPublicEnv, "")
	if err := pub.validate(); err != nil {
		t.Errorf("built-in bridges in a normal program: %v", err)
	}
	t.Setenv(ForbidPublicEnv, "1")
	if err := pub.validate(); !errors.Is(err, ErrPublicNetworkInTest) {
		t.Errorf("built-in bridges with %s=1: %v, want ErrPublicNetworkInTest", ForbidPublicEnv, err)
	}
}

func TestTorrcCensored(t *testing.T) {
	pn := *testNet
	pn.Proxy = "127.0.0.1:6666"
	cfg := Config{DataDir: "/d", PrivateNetwork: &pn,
		Bridges:          []string{"obfs4 127.0.0.1:5555 0123456789ABCDEF0123456789ABCDEF01234567 cert=x iat-mode=0"},
		TransportPlugins: []TransportPlugin{{Transports: []string{"obfs4"}, Path: "/b/obfs4proxy"}}}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	lines := torrc(&cfg, newPaths("/d"), "/usr/bin/tor")
	for _, want := range []string{"UseBridges 1", "ClientTransportPlugin obfs4 exec /b/obfs4proxy",
		"Socks5Proxy 127.0.0.1:6666", "OutboundBindAddressPT 127.0.0.1", "ReachableAddresses accept 127.0.0.0/8:*, reject *:*"} {
		if !hasLine(lines, want) {
			t.Errorf("torrc lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if hasLine(lines, "UseBridges 0") {
		t.Error("UseBridges 0 with bridges")
	}
	pn.Proxy = "192.0.2.1:1080"
	if err := cfg.validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("proxy off loopback: %v, want ErrConfig", err)
	}
}

func TestFindTransport(t *testing.T) {
	root := t.TempDir()
	exeDir := filepath.Join(root, "app")
	installDir := filepath.Join(root, "install")
	name := Obfs4Program
	if exeName() == "tor.exe" {
		name += ".exe"
	}
	nextToExe := filepath.Join(exeDir, BundleSubdir(), name)
	inInstall := filepath.Join(installDir, BundleSubdir(), name)
	onPath := filepath.Join(root, "bin", name)
	for _, p := range []string{nextToExe, inInstall, onPath} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755)
	}
	f := finder{
		executable: func() (string, error) { return filepath.Join(exeDir, "nook"), nil },
		lookPath:   func(string) (string, error) { return onPath, nil },
	}
	if got, _ := f.findProgram(Obfs4Program, []string{installDir}); got != nextToExe {
		t.Errorf("beside the executable: %s, want %s", got, nextToExe)
	}
	os.Remove(nextToExe)
	if got, _ := f.findProgram(Obfs4Program, []string{installDir}); got != inInstall {
		t.Errorf("in the install directory: %s, want %s", got, inInstall)
	}
	os.Remove(inInstall)
	if got, _ := f.findProgram(Obfs4Program, []string{installDir}); got != onPath {
		t.Errorf("on PATH: %s, want %s", got, onPath)
	}
	f.lookPath = func(string) (string, error) { return "", errors.New("not found") }
	_, err := f.findProgram(Obfs4Program, []string{installDir})
	if !errors.Is(err, ErrTransportNotFound) || Hint(err) == "" || strings.Contains(Hint(err), "apt") {
		t.Fatalf("nowhere: %v (hint %q), want ErrTransportNotFound with a hint that installs nothing by hand", err, Hint(err))
	}
	if ProgramFor("obfs4") != Obfs4Program || ProgramFor("snowflake") != SnowflakeProgram ||
		ProgramFor("webtunnel") != WebtunnelProgram || ProgramFor("meek_lite") != "" {
		t.Error("ProgramFor")
	}
}
