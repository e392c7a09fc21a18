package linuxpkg

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/packaging/internal/pkgtest"
)

// TestTarball unpacks the .tar.xz, installs it for a user whose home is a
// temporary folder, checks the files and the desktop entry's absolute Exec,
// upgrades in place, then uninstalls and checks that only the profiles are
// left. It needs no root.
func TestTarball(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the packages; skipped in -short mode")
	}
	needTools(t, "tar", "xz")
	pk := buildPackages(t)
	tarball := glob1(t, filepath.Join(pk.dist, pkgName+"-*-linux-*.tar.xz"))
	if strings.Contains(tarball, "without-tor") == pk.bundled {
		t.Errorf("%s: the name does not say whether tor is inside (bundled=%v)", tarball, pk.bundled)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	unpacked := filepath.Join(tmp, "unpacked")
	os.MkdirAll(unpacked, 0o755)
	run(t, ctx, nil, "tar", "-xJf", tarball, "-C", unpacked)
	dir := glob1(t, filepath.Join(unpacked, pkgName+"-*"))
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME=")
	// A profile from an earlier install, which nothing may delete.
	profile := filepath.Join(home, ".config", "Nook", "profiles", "p1")
	os.MkdirAll(profile, 0o700)

	prefix := filepath.Join(home, ".local")
	out := run(t, ctx, env, "sh", filepath.Join(dir, "install.sh"))
	t.Logf("install.sh: %s", out)
	want := []string{
		"bin/" + pkgName,
		"lib/" + pkgName + "/" + pkgName,
		"lib/" + pkgName + "/uninstall.sh",
		"share/applications/" + appID + ".desktop",
		"share/metainfo/" + appID + ".metainfo.xml",
		"share/icons/hicolor/48x48/apps/" + appID + ".png",
		"share/icons/hicolor/512x512/apps/" + appID + ".png",
	}
	if pk.bundled {
		want = append(want, "lib/"+pkgName+"/tor-bundles/"+platform()+"/tor")
		for _, n := range transports {
			want = append(want, "lib/"+pkgName+"/tor-bundles/"+platform()+"/"+n)
		}
	}
	for _, f := range want {
		st, err := os.Stat(filepath.Join(prefix, f))
		if err != nil {
			t.Errorf("after install.sh: %v", err)
			continue
		}
		if (strings.HasPrefix(f, "bin/") || strings.Contains(f, "/tor-bundles/") || f == "lib/"+pkgName+"/"+pkgName) && st.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", f)
		}
	}
	real, err := filepath.EvalSymlinks(filepath.Join(prefix, "bin", pkgName))
	if err != nil || filepath.Dir(real) != filepath.Join(prefix, "lib", pkgName) {
		t.Errorf("bin/%s resolves to %s (%v), want the folder with tor-bundles/", pkgName, real, err)
	}
	entry := readDesktop(t, filepath.Join(prefix, "share/applications", appID+".desktop"))
	if entry["Exec"] != filepath.Join(prefix, "bin", pkgName) {
		t.Errorf("installed Exec=%s, want the absolute %s", entry["Exec"], filepath.Join(prefix, "bin", pkgName))
	}
	if _, err := exec.LookPath("desktop-file-validate"); err == nil {
		run(t, ctx, nil, "desktop-file-validate", filepath.Join(prefix, "share/applications", appID+".desktop"))
	}

	// Again: an upgrade in place.
	run(t, ctx, env, "sh", filepath.Join(dir, "install.sh"))

	out = run(t, ctx, env, "sh", filepath.Join(prefix, "lib", pkgName, "uninstall.sh"))
	t.Logf("uninstall.sh: %s", out)
	for _, f := range append(want, "lib/"+pkgName) {
		if _, err := os.Lstat(filepath.Join(prefix, f)); err == nil {
			t.Errorf("after uninstall.sh: %s is still there", f)
		}
	}
	if _, err := os.Stat(profile); err != nil {
		t.Errorf("uninstall.sh deleted the profiles: %v", err)
	}

	// --prefix, then --delete-profiles.
	other := filepath.Join(tmp, "opt")
	run(t, ctx, env, "sh", filepath.Join(dir, "install.sh"), "--prefix", other)
	if _, err := os.Stat(filepath.Join(other, "bin", pkgName)); err != nil {
		t.Error(err)
	}
	run(t, ctx, env, "sh", filepath.Join(other, "lib", pkgName, "uninstall.sh"), "--prefix", other, "--delete-profiles")
	if _, err := os.Stat(filepath.Join(home, ".config", "Nook")); err == nil {
		t.Error("--delete-profiles left the profiles")
	}
	if _, err := os.Lstat(filepath.Join(other, "bin", pkgName)); err == nil {
		t.Error("uninstall.sh --prefix left bin/nook")
	}
}

// TestRefusesTamperedTor: package.sh must refuse a bundled tor whose SHA-256
// differs from the manifest's, an incomplete bundle, (when asked for a
// release) a missing one, and a tor without the pluggable transports or
// with ones whose SHA-256 differs from transports.json's. It fails before building anything.
func TestRefusesTamperedTor(t *testing.T) {
	needTools(t, "dpkg-deb", "jq", "convert", "xz", "sh")
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "nook")
	if b, err := os.ReadFile("/bin/true"); err != nil {
		t.Skip(err)
	} else {
		os.WriteFile(bin, b, 0o755)
	}
	bundles := filepath.Join(tmp, "bundles")
	os.MkdirAll(filepath.Join(bundles, platform()), 0o755)
	for _, f := range readManifest(t).Platforms[platform()].Files {
		os.WriteFile(filepath.Join(bundles, platform(), f), []byte("#!/bin/sh\necho not tor\n"), 0o755)
	}
	dist := filepath.Join(tmp, "dist")
	pkg := func(extra ...string) (string, error) {
		cmd := exec.Command("sh", filepath.Join(root, "packaging/linux/package.sh"))
		cmd.Env = append(append(os.Environ(), "NOOK_BIN="+bin, "DIST="+dist, "NOOK_TOR_BUNDLES="+bundles), extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := pkg(); err == nil || !strings.Contains(out, "refusing "+platform()+"/tor") || !strings.Contains(out, "manifest.json says") {
		t.Errorf("a tampered tor was not refused: %v\n%s", err, out)
	}
	if out, err := pkg("NOOK_TOR_BUNDLES="+filepath.Join(tmp, "none"), "NOOK_REQUIRE_TOR_BUNDLE=1"); err == nil || !strings.Contains(out, "no Tor bundle") {
		t.Errorf("NOOK_REQUIRE_TOR_BUNDLE=1 without a bundle did not fail: %v\n%s", err, out)
	}

	// A tor the manifest accepts (a copy of the manifest pins the fake
	// tor's files) with missing, then tampered pluggable transports.
	m := map[string]any{}
	b, err := os.ReadFile(filepath.Join(root, "tor-bundles", "manifest.json"))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, f := range readManifest(t).Platforms[platform()].Files {
		sums[f] = pkgtest.FileSHA(t, filepath.Join(bundles, platform(), f))
	}
	m["platforms"].(map[string]any)[platform()].(map[string]any)["sha256"] = sums
	fake := filepath.Join(tmp, "manifest.json")
	if b, err = json.Marshal(m); err == nil {
		err = os.WriteFile(fake, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	if out, err := pkg("NOOK_TOR_MANIFEST=" + fake); err == nil || !strings.Contains(out, "no obfs4proxy in") {
		t.Errorf("a bundle without the pluggable transports was not refused: %v\n%s", err, out)
	}
	for _, n := range transports {
		os.WriteFile(filepath.Join(bundles, platform(), n), []byte("#!/bin/sh\necho not "+n+"\n"), 0o755)
	}
	if out, err := pkg("NOOK_TOR_MANIFEST=" + fake); err == nil || !strings.Contains(out, "refusing "+platform()+"/obfs4proxy") || !strings.Contains(out, "transports.json says") {
		t.Errorf("a tampered obfs4proxy was not refused: %v\n%s", err, out)
	}
	if m, _ := filepath.Glob(filepath.Join(dist, "*")); len(m) > 0 {
		t.Errorf("refused builds left %v", m)
	}
}

// TestTarballTor starts the tor shipped in the tarball, from the unpacked
// tarball, as an engine/tor client of a private Tor network on 127.0.0.1
// (the network's own nodes are Debian's tor: the shipped tor is built
// without the relay and authority modules), waits until it has
// bootstrapped, and checks that none of the tors ever held a connection
// outside 127.0.0.0/8. The shipped tor is static: it must start on any
// Linux, whatever libraries are installed.
func TestTarballTor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the packages and a private Tor network; skipped in -short mode")
	}
	needTools(t, "tar", "xz")
	tortest.Require(t)
	pk := buildPackages(t)
	if !pk.bundled {
		t.Fatal("the tarball carries no tor")
	}
	tarball := glob1(t, filepath.Join(pk.dist, pkgName+"-*-linux-*.tar.xz"))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	run(t, ctx, nil, "tar", "-xJf", tarball, "-C", tmp)
	dir := glob1(t, filepath.Join(tmp, pkgName+"-*"))
	torBin := filepath.Join(dir, "lib", pkgName, "tor-bundles", platform(), "tor")
	if got, want := pkgtest.FileSHA(t, torBin), readManifest(t).Platforms[platform()].SHA256["tor"]; got != want {
		t.Fatalf("the tarball's tor has SHA-256 %s, the manifest says %s", got, want)
	}
	if out, err := exec.Command("file", "-b", torBin).Output(); err == nil && !strings.Contains(string(out), "statically linked") {
		t.Errorf("the tarball's tor is not static: %s", out)
	}
	// The pluggable transports beside it: the pinned bytes, and they run
	// from the unpacked tarball (static Go programs: any Linux).
	checkTransports(t, filepath.Dir(torBin))

	mon := tortest.StartMonitor(100 * time.Millisecond)
	net, err := tortest.Start(ctx, tortest.Options{Logf: t.Logf})
	if err != nil {
		mon.Stop()
		t.Fatal(err)
	}
	start := time.Now()
	client := tor.New(tor.Config{
		DataDir:        filepath.Join(tmp, "client"),
		TorPath:        torBin,
		PrivateNetwork: net.Client(),
		StopGrace:      3 * time.Second,
	})
	err = client.Start(ctx)
	if err == nil {
		err = client.WaitReady(ctx)
	}
	if err == nil {
		t.Logf("the tarball's tor bootstrapped in the private network in %v", time.Since(start).Round(time.Millisecond))
	}
	client.Close()
	net.Close()
	mon.Stop()
	if err != nil {
		t.Fatalf("the tarball's tor in the private network: %v", err)
	}
	samples, maxTors, bad, merr := mon.Result()
	t.Logf("socket watch: %d samples, up to %d tors at once", samples, maxTors)
	if merr != nil {
		t.Error(merr)
	}
	if len(bad) > 0 {
		t.Errorf("connections outside 127.0.0.0/8: %v", bad)
	}
	if left := tortest.TorChildren(); len(left) > 0 {
		t.Errorf("tor processes still running: %v", left)
	}
}
