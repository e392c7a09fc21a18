package linuxpkg

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	}
	for _, f := range want {
		st, err := os.Stat(filepath.Join(prefix, f))
		if err != nil {
			t.Errorf("after install.sh: %v", err)
			continue
		}
		if (strings.HasPrefix(f, "bin/") || strings.HasSuffix(f, "/tor") || f == "lib/"+pkgName+"/"+pkgName) && st.Mode()&0o111 == 0 {
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
// differs from the manifest's, an incomplete bundle, and (when asked for a
// release) a missing one. It fails before building anything.
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
	os.WriteFile(filepath.Join(bundles, platform(), "tor"), []byte("#!/bin/sh\necho not tor\n"), 0o755)
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
	if m, _ := filepath.Glob(filepath.Join(dist, "*")); len(m) > 0 {
		t.Errorf("refused builds left %v", m)
	}
}
