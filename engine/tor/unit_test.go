package tor

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
)

func TestStartRefusesPublicNetworkInTests(t *testing.T) {
	tr := New(Config{DataDir: t.TempDir()})
	defer tr.Close()
	if err := tr.Start(context.Background()); !errors.Is(err, ErrPublicNetworkInTest) {
		t.Fatalf("Start without PrivateNetwork in a test: %v, want ErrPublicNetworkInTest", err)
	}
}

var testNet = &PrivateNetwork{DirAuthorities: []string{
	"auth0 orport=5000 no-v2 v3ident=711AF70D0A9E7072E9737705226408F789321A46 127.0.0.1:5001 CF85ABDCC1DA8732E4F980EEA9310A31878E1F48",
}}

func TestValidate(t *testing.T) {
	bad := map[string]Config{
		"no data dir":          {PrivateNetwork: testNet},
		"public authority":     {DataDir: "x", PrivateNetwork: &PrivateNetwork{DirAuthorities: []string{"moria1 orport=9201 v3ident=D586D18309DED4CD6D57C18FDB97EFA96D330566 128.31.0.39:9231 1A25C6358DB91342AA51720A5038B72742732498"}}},
		"no authority":         {DataDir: "x", PrivateNetwork: &PrivateNetwork{}},
		"fallback in extra":    {DataDir: "x", PrivateNetwork: testNet, ExtraTorrc: []string{"FallbackDir 1.2.3.4:80 orport=443 id=AAAA"}},
		"authority in options": {DataDir: "x", PrivateNetwork: &PrivateNetwork{DirAuthorities: testNet.DirAuthorities, Options: []string{"DirAuthority x 1.2.3.4:80 AAAA"}}},
		"bridges on private":   {DataDir: "x", PrivateNetwork: testNet, Bridges: []string{"obfs4 192.0.2.1:443 AAAA cert=x iat-mode=0"}},
		"newline":              {DataDir: "x", ExtraTorrc: []string{"Log debug stdout\nDirAuthority evil"}},
		"plugin without path":  {DataDir: "x", TransportPlugins: []TransportPlugin{{Transports: []string{"obfs4"}}}},
	}
	for name, cfg := range bad {
		if err := cfg.validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: validate = %v, want ErrConfig", name, err)
		}
	}
	good := Config{DataDir: "x", PrivateNetwork: testNet, ExtraTorrc: []string{"Log info file /tmp/x"}}
	if err := good.validate(); err != nil {
		t.Errorf("valid private config: %v", err)
	}
}

func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestTorrcPrivate(t *testing.T) {
	cfg := Config{DataDir: "/d", PrivateNetwork: testNet, ExtraTorrc: []string{"NumEntryGuards 2"}}
	lines := torrc(&cfg, newPaths("/d"), "/usr/bin/tor")
	for _, want := range []string{
		"TestingTorNetwork 1", "DirAuthority " + testNet.DirAuthorities[0], "UseDefaultFallbackDirs 0",
		"OutboundBindAddress 127.0.0.1", "ClientOnly 1", "CookieAuthentication 1",
		"SocksPort 127.0.0.1:auto OnionTrafficOnly ExtendedErrors", "ControlPort 127.0.0.1:auto",
		"NumEntryGuards 2",
	} {
		if !hasLine(lines, want) {
			t.Errorf("torrc lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	// The enforced lines come after the user's.
	if strings.Index(strings.Join(lines, "\n"), "NumEntryGuards") > strings.Index(strings.Join(lines, "\n"), "TestingTorNetwork") {
		t.Error("extra lines must precede the enforced ones")
	}
}

func TestTorrcPublicWithBridges(t *testing.T) {
	cfg := Config{
		DataDir:          "/d",
		Bridges:          []string{"obfs4 192.0.2.1:443 AAAA cert=x iat-mode=0", "Bridge snowflake 192.0.2.3:80 BBBB"},
		TransportPlugins: []TransportPlugin{{Transports: []string{"obfs4", "snowflake"}, Path: "/opt/pt/lyrebird"}},
	}
	lines := torrc(&cfg, newPaths("/d"), "/usr/bin/tor")
	for _, want := range []string{
		"UseBridges 1", "ClientTransportPlugin obfs4,snowflake exec /opt/pt/lyrebird",
		"Bridge obfs4 192.0.2.1:443 AAAA cert=x iat-mode=0", "Bridge snowflake 192.0.2.3:80 BBBB",
	} {
		if !hasLine(lines, want) {
			t.Errorf("torrc lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "TestingTorNetwork") || strings.HasPrefix(l, "DirAuthority") {
			t.Errorf("public torrc has %q", l)
		}
	}
}

func TestFindBinary(t *testing.T) {
	root := t.TempDir()
	exeDir := filepath.Join(root, "app")
	bundled := filepath.Join(exeDir, BundleSubdir(), exeName())
	configured := filepath.Join(root, "custom", "tor")
	onPath := filepath.Join(root, "bin", "tor")
	for _, p := range []string{bundled, configured, onPath} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755)
	}
	f := finder{
		executable: func() (string, error) { return filepath.Join(exeDir, "nook"), nil },
		lookPath:   func(string) (string, error) { return onPath, nil },
	}
	if got, _ := f.find(configured, nil); got != bundled {
		t.Errorf("with a bundle: %s, want %s", got, bundled)
	}
	os.Remove(bundled)
	if got, _ := f.find(configured, nil); got != configured {
		t.Errorf("without a bundle: %s, want the configured %s", got, configured)
	}
	if got, _ := f.find("", nil); got != onPath {
		t.Errorf("nothing configured: %s, want PATH's %s", got, onPath)
	}
	f.lookPath = func(string) (string, error) { return "", errors.New("not found") }
	_, err := f.find("", nil)
	if !errors.Is(err, ErrTorNotFound) || Hint(err) == "" {
		t.Fatalf("nothing anywhere: %v (hint %q), want ErrTorNotFound with a hint", err, Hint(err))
	}
	if strings.Contains(err.Error(), Hint(err)) {
		t.Error("the hint must not be part of the error text")
	}
}

// fakeSOCKS answers one SOCKS5 request with reply code rep. It requires
// username/password authentication, as Nook's isolation tokens use.
func fakeSOCKS(t *testing.T, rep byte) (addr string, gotHost chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	gotHost = make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 600)
		io.ReadFull(c, buf[:3])
		if !bytes.Equal(buf[:3], []byte{5, 1, 2}) {
			c.Write([]byte{5, 0xff})
			return
		}
		c.Write([]byte{5, 2})
		io.ReadFull(c, buf[:2]) // version, username length
		ulen := int(buf[1])
		io.ReadFull(c, buf[:ulen+1]) // username, password length
		io.ReadFull(c, buf[:int(buf[ulen])])
		c.Write([]byte{1, 0})
		io.ReadFull(c, buf[:5])
		n := int(buf[4])
		io.ReadFull(c, buf[:n+2])
		gotHost <- string(buf[:n])
		c.Write([]byte{5, rep, 0, 1, 0, 0, 0, 0, 0, 0})
		if rep == 0 {
			io.Copy(c, c)
		}
	}()
	return ln.Addr().String(), gotHost
}

func TestSOCKSReplies(t *testing.T) {
	for _, tc := range []struct {
		rep         byte
		unreachable bool
	}{
		{SOCKSDescNotFound, true}, {SOCKSIntroFailed, true}, {SOCKSHostUnreachable, true},
		{SOCKSTTLExpired, true}, {SOCKSIntroTimedOut, true}, {SOCKSBadAddress, false}, {SOCKSNotAllowed, false},
	} {
		addr, _ := fakeSOCKS(t, tc.rep)
		_, err := socksDial(context.Background(), addr, "x.onion", 1)
		var se *SOCKSError
		if !errors.As(err, &se) || se.Code != tc.rep {
			t.Errorf("reply 0x%02X: %v, want a *SOCKSError", tc.rep, err)
		}
		if errors.Is(err, transport.ErrUnreachable) != tc.unreachable {
			t.Errorf("reply 0x%02X: errors.Is(ErrUnreachable) = %v", tc.rep, !tc.unreachable)
		}
	}
	addr, host := fakeSOCKS(t, 0)
	c, err := socksDial(context.Background(), addr, "abc.onion", 7326)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if h := <-host; h != "abc.onion" {
		t.Errorf("proxy got host %q", h)
	}
	c.Write([]byte("ping"))
	b := make([]byte, 4)
	io.ReadFull(c, b)
	if !bytes.Equal(b, []byte("ping")) {
		t.Errorf("echo %q", b)
	}
}

func FuzzSOCKSReply(f *testing.F) {
	f.Add([]byte{5, 2, 1, 0, 5, 0, 0, 1, 1, 2, 3, 4, 0, 80})
	f.Add([]byte{5, 2, 1, 0, 5, 0xF0, 0, 1})
	f.Add([]byte{5, 2, 1, 0, 5, 0, 0, 3, 255})
	f.Add([]byte{5, 0, 5, 0, 0, 3, 255})
	f.Fuzz(func(t *testing.T, reply []byte) {
		rw := struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(reply), io.Discard}
		socksHandshake(rw, "abc.onion", 1, "isolation") // must not panic
	})
}

func TestParseStatusArgs(t *testing.T) {
	got := parseStatusArgs(`NOTICE BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a \"relay\"" HOST=x`)
	want := map[string]string{"PROGRESS": "5", "TAG": "conn", "SUMMARY": `Connecting to a "relay"`, "HOST": "x"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	parseStatusArgs(`WARN BOOTSTRAP SUMMARY="unterminated`) // must not panic
}

func FuzzParseStatusArgs(f *testing.F) {
	f.Add(`NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"`)
	f.Add(`A="\`)
	f.Fuzz(func(t *testing.T, s string) { parseStatusArgs(s) })
}

// A "tor" that exits at once: the supervisor retries with back-off, then
// reports StateFailed, and WaitReady returns ErrFailed. (A shell script, not
// tor: nothing touches any network.)
func TestSupervisorGivesUp(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-tor")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var states []State
	tr := New(Config{
		DataDir: filepath.Join(dir, "tor"), TorPath: fake, PrivateNetwork: testNet,
		RestartBackoff: time.Millisecond, MaxRestartBackoff: 5 * time.Millisecond, MaxFailures: 2,
		OnStatus: func(s Status) { mu.Lock(); states = append(states, s.State); mu.Unlock() },
	})
	if err := tr.Start(context.Background()); err != nil {
		if errors.Is(err, ErrTorNotFound) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := tr.WaitReady(ctx)
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("WaitReady: %v, want ErrFailed", err)
	}
	if !strings.Contains(err.Error(), "tor exited at start") {
		t.Errorf("reason not reported: %v", err)
	}
	id, _ := identity.Generate(nil)
	if _, err := tr.Listen(ctx, id); !errors.Is(err, ErrFailed) {
		t.Errorf("Listen on a failed transport: %v, want ErrFailed", err)
	}
	if _, err := tr.Dial(ctx, id.Address()); !errors.Is(err, ErrFailed) {
		t.Errorf("Dial on a failed transport: %v, want ErrFailed", err)
	}
	tr.Close()
	mu.Lock()
	defer mu.Unlock()
	want := []State{StateStarting, StateRestarting, StateRestarting, StateFailed, StateStopped}
	if !slices.Equal(states, want) {
		t.Errorf("states %v, want %v", states, want)
	}
}

// TestPTProgram: a ClientTransportPlugin line names the program as it is
// (tor undoes no quoting there); on Windows one beside tor.exe by its file
// name alone, so that a folder name with a space in it does not split the
// line.
func TestPTProgram(t *testing.T) {
	for _, c := range []struct{ path, exe, goos, want string }{
		{"/usr/lib/nook/tor-bundles/linux-amd64/obfs4proxy", "/usr/lib/nook/tor-bundles/linux-amd64/tor", "linux", "/usr/lib/nook/tor-bundles/linux-amd64/obfs4proxy"},
		{`C:\Users\Jane Doe\AppData\Local\Programs\Nook\tor-bundles\windows-amd64\obfs4proxy.exe`,
			`C:\Users\Jane Doe\AppData\Local\Programs\Nook\tor-bundles\windows-amd64\tor.exe`, "windows", "obfs4proxy.exe"},
		{`c:\nook\TOR-BUNDLES\windows-amd64\snowflake-client.exe`, `C:\nook\tor-bundles\windows-amd64\tor.exe`, "windows", "snowflake-client.exe"},
		{`C:\elsewhere\obfs4proxy.exe`, `C:\nook\tor-bundles\windows-amd64\tor.exe`, "windows", `C:\elsewhere\obfs4proxy.exe`},
	} {
		if got := ptProgram(c.path, c.exe, c.goos); got != c.want {
			t.Errorf("ptProgram(%q, %q, %s) = %q, want %q", c.path, c.exe, c.goos, got, c.want)
		}
	}
}
