//go:build linux

package windowspkg

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallerLanguages: the installer speaks English and every
// translation NSIS has a language for, its own strings taken from the
// catalogs (common.sh l10n_nsis; a string a translation lacks in
// English), "$" and quotes escaped, and nook.nsi builds with them.
func TestInstallerLanguages(t *testing.T) {
	for _, tool := range []string{"makensis", "jq", "convert"} {
		if _, err := exec.LookPath(tool); err != nil {
			requirePackaging(t, tool+" is not installed")
		}
	}
	cats := t.TempDir()
	en, err := os.ReadFile(filepath.Join(root, "app/i18n/catalogs/en.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"en.json":    string(en),
		"en-XA.json": `{"installer.shortcut_comment": {"other": "[!! pseudo !!]"}}`,
		"de.json": `{"installer.shortcut_comment": {"other": "{{.Name}}-Messenger"},
			"installer.delete_profiles": {"other": "Auch meine Profile löschen"},
			"installer.uninstall_program": {"other": "Das Programm, sein Tor und die Verknüpfungen (kostet $0 \"nichts\")."}}`,
		"zh-Hans.json": `{"installer.delete_profiles": {"other": "同时删除我的个人资料"}}`,
		"xx.json":      `{"installer.delete_profiles": {"other": "a language NSIS does not have"}}`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(cats, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	langFile := filepath.Join(work, "lang.nsh")
	sh := exec.Command("sh", "-c", `. "$root/packaging/linux/common.sh" && l10n_nsis "$1"`, "sh", langFile)
	sh.Env = append(os.Environ(), "root="+root, "NOOK_CATALOGS="+cats)
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	b, _ := os.ReadFile(langFile)
	lang := string(b)
	for _, want := range []string{
		`!insertmacro MUI_LANGUAGE "English"`, `!insertmacro MUI_LANGUAGE "German"`, `!insertmacro MUI_LANGUAGE "SimpChinese"`,
		`LangString Shortcut ${LANG_GERMAN} "${NAME}-Messenger"`,
		`LangString UnProfilesName ${LANG_SIMPCHINESE} "同时删除我的个人资料"`,
		`LangString UnProgram ${LANG_GERMAN} "Das Programm, sein Tor und die Verknüpfungen (kostet $$0 $\"nichts$\")."`,
		`LangString UnProgram ${LANG_SIMPCHINESE} "The program, its Tor and the shortcuts."`,
		`LangString UnProfiles ${LANG_ENGLISH} "Deletes every ${NAME} profile on this computer`,
	} {
		if !strings.Contains(lang, want) {
			t.Errorf("lang.nsh lacks %s:\n%s", want, lang)
		}
	}
	if strings.Contains(lang, "pseudo") || strings.Contains(lang, "does not have") {
		t.Errorf("lang.nsh has the pseudo-locale or a language NSIS lacks:\n%s", lang)
	}

	// nook.nsi builds with it (a stand-in program, no tor).
	src := filepath.Join(work, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"nook.exe", "THIRD-PARTY-LICENSES.txt"} {
		if err := os.WriteFile(filepath.Join(src, f), []byte("stand-in"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ico := filepath.Join(work, "nook.ico")
	if out, err := exec.Command("convert", filepath.Join(root, "assets/icon.png"), "-resize", "48x48", ico).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, out)
	}
	out := filepath.Join(work, "setup.exe")
	mk := exec.Command("makensis", "-V2", "-NOCD", "-DLANGFILE="+langFile, "-DNAME=Nook", "-DID=chat.nook.desktop",
		"-DPKG=nook", "-DVERSION=0.1.0", "-DVERSION4=0.1.0.1", "-DSRC="+src, "-DICON="+ico, "-DOUTFILE="+out, "-DTOR=0",
		"-XSetCompressor /SOLID /FINAL zlib", "nook.nsi")
	mk.Dir = filepath.Join(root, "packaging/windows")
	if b, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("makensis: %v: %s", err, b)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("no installer: %v", err)
	}
}
