package files

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	cases := map[string]string{
		"report.pdf":                 "report.pdf",
		"../../etc/passwd":           "passwd",
		`..\..\Windows\system32.dll`: "system32.dll",
		"/absolute/path.txt":         "path.txt",
		"..":                         "file",
		".":                          "file",
		"":                           "file",
		"...":                        "file",
		".bashrc":                    "bashrc",
		"name. . ":                   "name",
		"CON":                        "_CON",
		"con.txt":                    "_con.txt",
		"Lpt1.tar.gz":                "_Lpt1.tar.gz",
		"COM¹.txt":                   "_COM¹.txt",
		"NUL .txt":                   "_NUL .txt",
		"console.txt":                "console.txt",
		"COM10":                      "COM10",
		"a<b>c:d\"e|f?g*h":           "a_b_c_d_e_f_g_h",
		"evil\u202egpj.exe":          "evilgpj.exe",
		"in\u2066voice\u2069.pdf":    "invoice.pdf",
		"zero\u200bwidth\ufeff.txt":  "zerowidth.txt",
		"line\nbreak\r\x00\x7f.txt":  "linebreak.txt",
		"c1\u0085char.txt":           "c1char.txt",
		"\u202e":                     "file",
		"bad\xffutf8.txt":            "bad_utf8.txt",
		"Ünïcødé 写真.jpg":             "Ünïcødé 写真.jpg",
		"tag\U000E0041s.txt":         "tags.txt",
		"filler\u3164.txt":           "filler.txt",
	}
	for in, want := range cases {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeNameLength(t *testing.T) {
	long := strings.Repeat("é", 300) + ".jpeg"
	got := SafeName(long)
	if len(got) > MaxSafeName || !utf8.ValidString(got) || !strings.HasSuffix(got, ".jpeg") {
		t.Fatalf("SafeName(long) = %q (%d bytes)", got, len(got))
	}
	noExt := SafeName(strings.Repeat("x", 1000))
	if len(noExt) != MaxSafeName {
		t.Fatalf("SafeName of 1000 x: %d bytes", len(noExt))
	}
}

// checkSafe fails if name could climb out of a folder, name a device or
// hide characters.
func checkSafe(t *testing.T, in, name string) {
	t.Helper()
	if name == "" || name == "." || name == ".." || len(name) > MaxSafeName || !utf8.ValidString(name) {
		t.Fatalf("SafeName(%q) = %q", in, name)
	}
	if strings.ContainsAny(name, "/\\<>:\"|?*") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		t.Fatalf("SafeName(%q) = %q holds a forbidden character or edge", in, name)
	}
	for _, r := range name {
		if removed(r) {
			t.Fatalf("SafeName(%q) = %q holds %U", in, name, r)
		}
	}
	if reserved(name) {
		t.Fatalf("SafeName(%q) = %q is a reserved device name", in, name)
	}
	if SafeName(name) != name {
		t.Fatalf("SafeName is not idempotent on %q: %q", name, SafeName(name))
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"a.txt", "../x", "CON.txt", "\u202eexe.txt", "..", " .", "a\x00b", strings.Repeat("ß", 200) + ".png", "COM1 ", "_CON"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { checkSafe(t, in, SafeName(in)) })
}
