package tor

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// The pluggable-transport programs Nook ships beside tor
// (tor-bundles/<goos>-<goarch>/, built by tor-bundles/transports.sh), with
// the transports each provides.
const (
	// Obfs4Program provides obfs4 (Debian's obfs4proxy source).
	Obfs4Program = "obfs4proxy"
	// SnowflakeProgram provides snowflake (the snowflake/v2 client).
	SnowflakeProgram = "snowflake-client"
	// WebtunnelProgram provides webtunnel (the webtunnel module's client).
	// Tor Browser ships no built-in webtunnel bridges: people use their
	// own (My bridges).
	WebtunnelProgram = "webtunnel-client"
)

// ProgramFor returns the program that provides a transport ("obfs4",
// "snowflake", "webtunnel"), or "" when Nook ships none for it.
func ProgramFor(transport string) string {
	switch transport {
	case "obfs4":
		return Obfs4Program
	case "snowflake":
		return SnowflakeProgram
	case "webtunnel":
		return WebtunnelProgram
	}
	return ""
}

// ErrTransportNotFound is returned (wrapped in an *Error with a hint) by
// FindTransport when a pluggable-transport program is not installed.
var ErrTransportNotFound = fmt.Errorf("pluggable transport program not found")

// FindTransport returns the path of a pluggable-transport program
// (Obfs4Program, SnowflakeProgram, WebtunnelProgram), looked up like the
// bundled tor: in tor-bundles/<goos>-<goarch>/ next to the executable (on
// macOS also in the .app's Resources), then in each of bundleDirs, and
// last on PATH (where Debian's obfs4proxy and snowflake-client packages
// put them, for people running Nook built from source).
func FindTransport(program string, bundleDirs []string) (string, error) {
	return defaultFinder.findProgram(program, bundleDirs)
}

func (f finder) findProgram(program string, bundleDirs []string) (string, error) {
	name := program
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	var tried []string
	for _, d := range f.bundleDirs(bundleDirs) {
		p := filepath.Join(d, BundleSubdir(), name)
		tried = append(tried, p)
		if isExecutable(p) {
			return p, nil
		}
	}
	tried = append(tried, name+" on PATH")
	if p, err := f.lookPath(name); err == nil {
		return p, nil
	}
	return "", &Error{
		Err:      fmt.Errorf("%w: %s (tried %s)", ErrTransportNotFound, program, strings.Join(tried, ", ")),
		Hint:     strings.ReplaceAll(hintTransportNotFound, "{{.Program}}", program),
		HintKey:  "transport_not_found_hint",
		HintArgs: map[string]any{"Program": program},
	}
}

const hintTransportNotFound = "Part of Nook is missing from this computer ({{.Program}}, which connects through bridges). " +
	"Install Nook again to restore it."
