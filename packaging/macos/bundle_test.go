package macospkg

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var root = func() string {
	r, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return r
}()

// fyneApp reads FyneApp.toml's [Details] the simple way the scripts do.
func fyneApp(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	re := regexp.MustCompile(`^\s*(\w+)\s*=\s*"?([^"]*?)"?\s*$`)
	for _, line := range strings.Split(string(b), "\n") {
		if s := re.FindStringSubmatch(line); s != nil {
			m[s[1]] = s[2]
		}
	}
	return m
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			msg := "MACOS DRY RUN NOT RUN: " + tool + " is not installed"
			if os.Getenv("NOOK_REQUIRE_PACKAGING") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// fakeBundle writes fake tor files for platform and a copy of the manifest
// that pins their SHA-256 (the real darwin entries are pinned on a build
// machine with network). It returns the bundles folder and the manifest.
func fakeBundle(t *testing.T, dir string, platforms ...string) (string, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "tor-bundles", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	bundles := filepath.Join(dir, "bundles")
	for _, p := range platforms {
		plat := m["platforms"].(map[string]any)[p].(map[string]any)
		sums := map[string]any{}
		for _, f := range plat["files"].([]any) {
			name := f.(string)
			content := []byte(fmt.Sprintf("fake %s for %s\n", name, p))
			mode := os.FileMode(0o644)
			if name == "tor" {
				content = append([]byte("#!/bin/sh\n"), content...)
				mode = 0o755
			}
			os.MkdirAll(filepath.Join(bundles, p), 0o755)
			if err := os.WriteFile(filepath.Join(bundles, p, name), content, mode); err != nil {
				t.Fatal(err)
			}
			s := sha256.Sum256(content)
			sums[name] = hex.EncodeToString(s[:])
		}
		plat["sha256"] = sums
	}
	out, _ := json.Marshal(m)
	manifest := filepath.Join(dir, "manifest.json")
	os.WriteFile(manifest, out, 0o644)
	return bundles, manifest
}

func dryRun(t *testing.T, out string, env ...string) (string, error) {
	cmd := exec.Command("sh", filepath.Join(root, "packaging/macos/package.sh"), "--dry-run", out)
	cmd.Env = append(os.Environ(), env...)
	b, err := cmd.CombinedOutput()
	return string(b), err
}

// TestDryRun lays out Nook.app for arm64 and universal Macs and checks it.
func TestDryRun(t *testing.T) {
	needTools(t, "sh", "jq", "convert")
	app := fyneApp(t)
	for _, arch := range []string{"arm64", "universal"} {
		t.Run(arch, func(t *testing.T) {
			tmp := t.TempDir()
			arches := []string{arch}
			if arch == "universal" {
				arches = []string{"amd64", "arm64"}
			}
			var plats []string
			for _, a := range arches {
				plats = append(plats, "darwin-"+a)
			}
			bundles, manifest := fakeBundle(t, tmp, plats...)
			bin := filepath.Join(tmp, "nook-bin")
			os.WriteFile(bin, []byte("\xcf\xfa\xed\xfe fake Mach-O"), 0o755)
			out := filepath.Join(tmp, "out")
			log, err := dryRun(t, out, "ARCH="+arch, "NOOK_BIN="+bin, "NOOK_TOR_BUNDLES="+bundles, "NOOK_TOR_MANIFEST="+manifest)
			if err != nil {
				t.Fatalf("dry run: %v\n%s", err, log)
			}
			contents := filepath.Join(out, app["Name"]+".app", "Contents")

			plist := readPlist(t, filepath.Join(contents, "Info.plist"))
			want := map[string]any{
				"CFBundleIdentifier":         app["ID"],
				"CFBundleName":               app["Name"],
				"CFBundleShortVersionString": app["Version"],
				"CFBundleVersion":            app["Build"],
				"CFBundlePackageType":        "APPL",
				"CFBundleExecutable":         "nook",
				"CFBundleIconFile":           "nook.icns",
				"NSHighResolutionCapable":    true,
			}
			for k, v := range want {
				if plist[k] != v {
					t.Errorf("Info.plist %s = %v, want %v", k, plist[k], v)
				}
			}
			if v, _ := plist["LSMinimumSystemVersion"].(string); !regexp.MustCompile(`^\d+\.\d+$`).MatchString(v) {
				t.Errorf("LSMinimumSystemVersion = %q", v)
			}
			if _, err := exec.LookPath("plistutil"); err == nil {
				// libplist reads it and writes it as a binary plist.
				c := exec.Command("plistutil", "-i", filepath.Join(contents, "Info.plist"), "-f", "bin", "-o", filepath.Join(tmp, "Info.bin"))
				if b, err := c.CombinedOutput(); err != nil {
					t.Errorf("plistutil: %v %s", err, b)
				}
			}

			if b, _ := os.ReadFile(filepath.Join(contents, "PkgInfo")); string(b) != "APPL????" {
				t.Errorf("PkgInfo = %q", b)
			}
			executable(t, filepath.Join(contents, "MacOS", plist["CFBundleExecutable"].(string)))
			checkIcns(t, filepath.Join(contents, "Resources", plist["CFBundleIconFile"].(string)))
			for _, p := range plats {
				for _, f := range []string{"tor", "geoip", "geoip6"} {
					path := filepath.Join(contents, "Resources", "tor-bundles", p, f)
					if f == "tor" {
						executable(t, path)
					} else if _, err := os.Stat(path); err != nil {
						t.Error(err)
					}
				}
			}
			lic, _ := os.ReadFile(filepath.Join(contents, "Resources", "THIRD-PARTY-LICENSES.txt"))
			if !bytes.Contains(lic, []byte("3-clause BSD")) {
				t.Error("THIRD-PARTY-LICENSES.txt lacks tor's license")
			}
		})
	}
}

// TestDryRunRefuses: a tor whose SHA-256 is not the manifest's, and a
// universal app with only one architecture's tor, are refused; a real build
// off a Mac says where to build it.
func TestDryRunRefuses(t *testing.T) {
	needTools(t, "sh", "jq", "convert")
	tmp := t.TempDir()
	bundles, manifest := fakeBundle(t, tmp, "darwin-arm64")
	os.WriteFile(filepath.Join(bundles, "darwin-arm64", "tor"), []byte("#!/bin/sh\necho tampered\n"), 0o755)
	log, err := dryRun(t, filepath.Join(tmp, "a"), "ARCH=arm64", "NOOK_TOR_BUNDLES="+bundles, "NOOK_TOR_MANIFEST="+manifest)
	if err == nil || !strings.Contains(log, "refusing darwin-arm64/tor") {
		t.Errorf("a tampered tor was not refused: %v\n%s", err, log)
	}

	bundles, manifest = fakeBundle(t, filepath.Join(tmp, "b"), "darwin-arm64")
	log, err = dryRun(t, filepath.Join(tmp, "b", "out"), "ARCH=universal", "NOOK_TOR_BUNDLES="+bundles, "NOOK_TOR_MANIFEST="+manifest)
	if err == nil || !strings.Contains(log, "both darwin-amd64 and darwin-arm64") {
		t.Errorf("a universal app with one tor was not refused: %v\n%s", err, log)
	}

	if out, err := exec.Command("uname", "-s").Output(); err == nil && strings.TrimSpace(string(out)) != "Darwin" {
		b, err := exec.Command("sh", filepath.Join(root, "packaging/macos/package.sh")).CombinedOutput()
		if err == nil || !strings.Contains(string(b), "built on a Mac") {
			t.Errorf("a real build off a Mac: %v\n%s", err, b)
		}
	}
}

func executable(t *testing.T, p string) {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Error(err)
		return
	}
	if !st.Mode().IsRegular() || st.Mode()&0o111 != 0o111 {
		t.Errorf("%s: mode %v, want an executable file", p, st.Mode())
	}
}

// readPlist parses an XML property list whose root is a dict of strings,
// booleans and arrays of strings, rejecting anything malformed.
func readPlist(t *testing.T, p string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"`)) {
		t.Error("Info.plist lacks the plist DOCTYPE")
	}
	type node struct {
		XMLName xml.Name
		Content string `xml:",chardata"`
		Nodes   []node `xml:",any"`
	}
	var doc struct {
		XMLName xml.Name `xml:"plist"`
		Version string   `xml:"version,attr"`
		Dict    node     `xml:"dict"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("Info.plist is not XML: %v", err)
	}
	if doc.Version != "1.0" || doc.Dict.XMLName.Local != "dict" {
		t.Fatalf("Info.plist: not a plist 1.0 with a dict root")
	}
	m := map[string]any{}
	n := doc.Dict.Nodes
	if len(n)%2 != 0 {
		t.Fatalf("Info.plist: %d children in the dict, want key/value pairs", len(n))
	}
	for i := 0; i < len(n); i += 2 {
		if n[i].XMLName.Local != "key" {
			t.Fatalf("Info.plist: <%s> where a <key> belongs", n[i].XMLName.Local)
		}
		k := n[i].Content
		if _, dup := m[k]; dup {
			t.Errorf("Info.plist: key %s twice", k)
		}
		switch v := n[i+1]; v.XMLName.Local {
		case "string":
			m[k] = v.Content
		case "true":
			m[k] = true
		case "false":
			m[k] = false
		case "array":
			var a []string
			for _, e := range v.Nodes {
				if e.XMLName.Local != "string" {
					t.Fatalf("Info.plist: %s holds <%s>", k, e.XMLName.Local)
				}
				a = append(a, e.Content)
			}
			m[k] = a
		default:
			t.Fatalf("Info.plist: %s has a <%s> value", k, v.XMLName.Local)
		}
	}
	return m
}

// checkIcns checks the .icns container and that every entry is a PNG of the
// size its type says.
func checkIcns(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8 || string(b[:4]) != "icns" || int(binary.BigEndian.Uint32(b[4:8])) != len(b) {
		t.Fatalf("%s: not an icns file of its own length", p)
	}
	sizes := map[string]int{"icp4": 16, "icp5": 32, "ic07": 128, "ic08": 256, "ic09": 512, "ic11": 32, "ic12": 64, "ic13": 256, "ic14": 512}
	seen := 0
	for off := 8; off < len(b); {
		if off+8 > len(b) {
			t.Fatalf("%s: truncated entry at %d", p, off)
		}
		typ, n := string(b[off:off+4]), int(binary.BigEndian.Uint32(b[off+4:off+8]))
		if n < 8 || off+n > len(b) {
			t.Fatalf("%s: entry %s has length %d", p, typ, n)
		}
		cfg, err := png.DecodeConfig(io.NewSectionReader(bytes.NewReader(b), int64(off+8), int64(n-8)))
		if want, ok := sizes[typ]; !ok || err != nil || cfg.Width != want || cfg.Height != want {
			t.Errorf("%s: entry %s: %dx%d %v", p, typ, cfg.Width, cfg.Height, err)
		}
		seen++
		off += n
	}
	if seen != len(sizes) {
		t.Errorf("%s: %d entries, want %d", p, seen, len(sizes))
	}
}
