package linuxpkg

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestL10n: the desktop entry and the AppStream metainfo carry the
// translated generic name, comment, keywords and summary of every catalog
// in app/i18n/catalogs (common.sh's l10n_desktop and l10n_metainfo, which
// package.sh runs), named by the locales those formats use (pt_BR,
// zh_CN), the pseudo-locale left out, and both files still validate.
func TestL10n(t *testing.T) {
	needTools(t, "jq", "desktop-file-validate", "appstreamcli")
	cats := t.TempDir()
	en, err := os.ReadFile(filepath.Join(root, "app/i18n/catalogs/en.json"))
	if err != nil {
		t.Fatal(err)
	}
	var src map[string]map[string]string
	if err := json.Unmarshal(en, &src); err != nil {
		t.Fatal(err)
	}
	write := func(name string, c map[string]map[string]string) {
		b, _ := json.Marshal(c)
		if err := os.WriteFile(filepath.Join(cats, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("en.json", src)
	write("en-XA.json", map[string]map[string]string{"package.summary": {"other": "[!! pseudo !!]"}})
	write("pt-BR.json", map[string]map[string]string{
		"package.generic_name": {"other": "Mensageiro privado"},
		"package.comment":      {"other": "Converse sem números de telefone nem contas; tudo passa pelo Tor"},
		"package.keywords":     {"other": "chat;mensagens;tor;onion;privacidade;"},
		"package.summary":      {"other": "Mensageiro privado & seguro: cada pessoa é um endereço onion do Tor"},
	})
	write("zh-Hans.json", map[string]map[string]string{
		"package.generic_name": {"other": "私密通讯"},
		"package.comment":      {"other": "无需电话号码或账户；一切都经过 Tor"},
		"package.keywords":     {"other": "聊天;tor;onion;隐私;"},
		"package.summary":      {"other": "人人都是 Tor 洋葱地址的私密通讯软件"},
	})

	dir := t.TempDir()
	fill := func(in, out string) {
		b, err := os.ReadFile(filepath.Join(root, "packaging/linux", in))
		if err != nil {
			t.Fatal(err)
		}
		r := strings.NewReplacer("@ID@", appID, "@NAME@", "Nook", "@PKG@", pkgName, "@VERSION@", "0.1.0",
			"@DATE@", "2026-01-01", "@HOMEPAGE@", "https://example.org", "@EXEC@", "nook",
			"@GENERIC_NAME@", src["package.generic_name"]["other"], "@COMMENT@", src["package.comment"]["other"],
			"@KEYWORDS@", src["package.keywords"]["other"], "@SUMMARY@", src["package.summary"]["other"])
		if err := os.WriteFile(filepath.Join(dir, out), []byte(r.Replace(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fill("app.desktop.in", appID+".desktop")
	fill("metainfo.xml.in", appID+".metainfo.xml")
	sh := exec.Command("sh", "-c", `. "$root/packaging/linux/common.sh" && l10n_desktop "$1" && l10n_metainfo "$2"`, "sh",
		filepath.Join(dir, appID+".desktop"), filepath.Join(dir, appID+".metainfo.xml"))
	sh.Env = append(os.Environ(), "root="+root, "NOOK_CATALOGS="+cats)
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	desktop, _ := os.ReadFile(filepath.Join(dir, appID+".desktop"))
	meta, _ := os.ReadFile(filepath.Join(dir, appID+".metainfo.xml"))
	for _, want := range []string{"GenericName[pt_BR]=Mensageiro privado", "Comment[zh_CN]=无需电话号码或账户；一切都经过 Tor",
		"Keywords[pt_BR]=chat;mensagens;tor;onion;privacidade;", "Comment=" + src["package.comment"]["other"]} {
		if !strings.Contains(string(desktop), want+"\n") {
			t.Errorf("the desktop entry lacks %q:\n%s", want, desktop)
		}
	}
	for _, want := range []string{`<summary xml:lang="pt_BR">Mensageiro privado &amp; seguro: cada pessoa é um endereço onion do Tor</summary>`,
		`<summary xml:lang="zh_CN">人人都是 Tor 洋葱地址的私密通讯软件</summary>`} {
		if !strings.Contains(string(meta), want) {
			t.Errorf("the metainfo lacks %q:\n%s", want, meta)
		}
	}
	if strings.Contains(string(desktop)+string(meta), "pseudo") {
		t.Error("the pseudo-locale reached a package")
	}
	if out, err := exec.Command("desktop-file-validate", filepath.Join(dir, appID+".desktop")).CombinedOutput(); err != nil {
		t.Errorf("desktop-file-validate: %v: %s", err, out)
	}
	if out, err := exec.Command("appstreamcli", "validate", "--no-net", "--pedantic", filepath.Join(dir, appID+".metainfo.xml")).CombinedOutput(); err != nil {
		t.Errorf("appstreamcli validate: %v: %s", err, out)
	}
}
