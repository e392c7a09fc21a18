//go:build linux

package main

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/tor"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// samplePrivateNetwork has the shape of tortest.Network.Client().
var samplePrivateNetwork = &tor.PrivateNetwork{
	DirAuthorities: []string{
		"auth0 orport=44721 no-v2 v3ident=7187EF05D96B2EB2174661B38EA74500D1B32561 127.0.0.1:35479 FF0AC6857407A24402795A26FD03BF6D1BE35358",
	},
	Options: []string{
		"PathsNeededToBuildCircuits 0.67",
		"TestingDirAuthVoteGuard *",
		"TestingDirAuthVoteHSDir *",
		"V3AuthNIntervalsValid 2",
		"GeoIPFile /tmp/nook-demo/tornet/empty",
		"GeoIPv6File /tmp/nook-demo/tornet/empty",
	},
}

// parseAsTheApps reads a settings file by the rule app/desktop
// (readPrivateNetwork in privnet.go) and app/server (readPrivateNetwork in
// serve.go) follow; both are unexported in their main packages: trimmed
// lines, blank lines and '#' comments skipped, "DirAuthority " lines are
// authorities, every other line an option.
func parseAsTheApps(t *testing.T, b []byte) *tor.PrivateNetwork {
	t.Helper()
	pn := &tor.PrivateNetwork{}
	sc := bufio.NewScanner(bytes.NewReader(b))
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
		t.Fatal(err)
	}
	return pn
}

// TestPrivateNetworkFileGolden pins the file format the apps read.
func TestPrivateNetworkFileGolden(t *testing.T) {
	got, err := privateNetworkFile(samplePrivateNetwork)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "private-network.torrc.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("settings file differs from %s (run with -update if intended):\n%s", golden, got)
	}
}

// TestPrivateNetworkFileRoundTrip: what the demo writes, the apps read back
// unchanged, through the file on disk.
func TestPrivateNetworkFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "private-network.torrc")
	if err := writePrivateNetwork(path, samplePrivateNetwork); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := parseAsTheApps(t, b); !reflect.DeepEqual(got, samplePrivateNetwork) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, samplePrivateNetwork)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v; want 0600", fi.Mode(), err)
	}
}

// TestPrivateNetworkFileRefuses: values that would not survive as one line
// are refused, not written.
func TestPrivateNetworkFileRefuses(t *testing.T) {
	for name, pn := range map[string]*tor.PrivateNetwork{
		"nil":               nil,
		"no authority":      {Options: []string{"V3AuthNIntervalsValid 2"}},
		"line break":        {DirAuthorities: []string{"a 127.0.0.1:1 X\nFallbackDir 192.0.2.1:80"}},
		"comment":           {DirAuthorities: []string{"a 127.0.0.1:1 X"}, Options: []string{"# x"}},
		"empty option":      {DirAuthorities: []string{"a 127.0.0.1:1 X"}, Options: []string{" "}},
		"authority as opt":  {DirAuthorities: []string{"a 127.0.0.1:1 X"}, Options: []string{"DirAuthority b 127.0.0.1:2 Y"}},
		"carriage return":   {DirAuthorities: []string{"a 127.0.0.1:1 X"}, Options: []string{"A 1\rB 2"}},
		"nul byte":          {DirAuthorities: []string{"a 127.0.0.1:1 X\x00"}},
		"empty authorities": {DirAuthorities: []string{}},
	} {
		if b, err := privateNetworkFile(pn); err == nil {
			t.Errorf("%s: wrote %q", name, b)
		}
	}
}

func TestParseSS(t *testing.T) {
	out := []byte(`ESTAB 0 0 127.0.0.1:41234 127.0.0.1:9001 users:(("tor",pid=100,fd=12))
ESTAB 0 0 [::ffff:127.0.0.1]:5000 [::ffff:127.0.0.1]:5001 users:(("tor",pid=100,fd=13))
ESTAB 0 0 10.0.0.2:41000 192.0.2.7:443 users:(("tor",pid=101,fd=9))
ESTAB 0 0 10.0.0.2:41001 198.51.100.1:443 users:(("tor",pid=999,fd=9))
ESTAB 0 0 10.0.0.2:41002 198.51.100.2:443 users:(("firefox",pid=100,fd=9))
`)
	n, bad := parseSS(out, map[int]bool{100: true, 101: true})
	if n != 3 || len(bad) != 1 || !strings.Contains(bad[0], "192.0.2.7") {
		t.Errorf("n=%d bad=%q; want 3 connections, the one to 192.0.2.7 outside", n, bad)
	}
}
