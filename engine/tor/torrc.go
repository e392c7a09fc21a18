package tor

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// paths are the files of one transport, all under Config.DataDir.
type paths struct {
	root        string // Config.DataDir
	torrc       string // the torrc the engine writes at every start
	defaults    string // an empty file passed as --defaults-torrc
	data        string // tor's DataDirectory (kept: consensus cache, state)
	controlPort string // ControlPortWriteToFile
	log         string // tor's notice log
}

func newPaths(root string) paths {
	data := filepath.Join(root, "data")
	return paths{
		root:        root,
		torrc:       filepath.Join(root, "torrc"),
		defaults:    filepath.Join(root, "torrc-defaults"),
		data:        data,
		controlPort: filepath.Join(root, "control-port"),
		log:         filepath.Join(root, "notice.log"),
	}
}

// torrc returns the torrc the engine writes for cfg. The engine's own lines
// come last so that they override anything in ExtraTorrc.
func torrc(cfg *Config, p paths, exe string) []string {
	lines := []string{
		"# Written by Nook at every start; edits are lost. Add lines in Settings.",
	}
	// The user's and the network's extra lines first: the enforced lines
	// below override single-valued options.
	if pn := cfg.PrivateNetwork; pn != nil {
		lines = append(lines, pn.Options...)
	} else if geo := bundledGeoIP(exe); geo != "" {
		lines = append(lines, "GeoIPFile "+geo, "GeoIPv6File "+geo+"6")
	}
	lines = append(lines, cfg.ExtraTorrc...)
	if len(cfg.Bridges) > 0 {
		lines = append(lines, "UseBridges 1")
		for _, tp := range cfg.TransportPlugins {
			line := "ClientTransportPlugin " + strings.Join(tp.Transports, ",") + " exec " + ptProgram(tp.Path, exe, runtime.GOOS)
			for _, a := range tp.Args {
				line += " " + a
			}
			lines = append(lines, line)
		}
		for _, b := range cfg.Bridges {
			lines = append(lines, "Bridge "+strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(b), "Bridge ")))
		}
	}
	lines = append(lines,
		"DataDirectory "+quote(p.data),
		// An onion-only client: SOCKS on loopback that refuses anything but
		// .onion, with extended error codes (descriptor not found, …).
		"SocksPort 127.0.0.1:auto OnionTrafficOnly ExtendedErrors",
		"ControlPort 127.0.0.1:auto",
		"ControlPortWriteToFile "+quote(p.controlPort),
		"CookieAuthentication 1",
		"ClientOnly 1",
		"ExitRelay 0",
		"ExitPolicy reject *:*",
		"SafeLogging 1",
		// Not quoted: tor takes everything after "file" as the path,
		// spaces included, and does not unquote it (quoted, a Windows path
		// "C:\\…" names a file tor cannot open, and tor exits).
		"Log notice file "+p.log,
		// Tor exits when the engine's process is gone (checked every 15 s);
		// TAKEOWNERSHIP on the control connection makes it exit at once
		// when the connection closes.
		"__OwningControllerProcess "+strconv.Itoa(os.Getpid()),
	)
	if pn := cfg.PrivateNetwork; pn != nil {
		lines = append(lines, "TestingTorNetwork 1")
		for _, da := range pn.DirAuthorities {
			lines = append(lines, "DirAuthority "+da)
		}
		lines = append(lines, "UseDefaultFallbackDirs 0")
		if len(cfg.Bridges) == 0 {
			lines = append(lines, "UseBridges 0")
		}
		lines = append(lines,
			"OutboundBindAddress 127.0.0.1",
			"OutboundBindAddressPT 127.0.0.1",
			"ClientUseIPv6 0",
			"ReachableAddresses accept 127.0.0.0/8:*, reject *:*",
		)
		if pn.Proxy != "" {
			lines = append(lines, "Socks5Proxy "+pn.Proxy)
		}
	}
	return lines
}

// ptProgram is how a ClientTransportPlugin line names a transport
// program. Tor takes the rest of that line as it is and splits it at
// spaces: quotes and backslash escapes are not undone there (a quoted
// Windows path named a file that does not exist, and tor.exe could not
// start obfs4proxy.exe: TestWine), so the path is written as it is. On
// Windows a program beside tor.exe, where Nook ships them, is named by its
// file name alone: CreateProcess looks in tor.exe's folder first, and a
// folder with a space in its name (C:\Users\Jane Doe\…) stays out of the
// line.
func ptProgram(path, exe, goos string) string {
	if goos != "windows" {
		return path
	}
	dir := func(p string) string { return p[:max(strings.LastIndexAny(p, `\/`), 0)] }
	if exe != "" && strings.EqualFold(dir(path), dir(exe)) {
		return path[strings.LastIndexAny(path, `\/`)+1:]
	}
	return path
}

// quote quotes a torrc value (one that is the whole rest of its line) if it
// contains spaces or quotes.
func quote(s string) string {
	if !strings.ContainsAny(s, " \t\"\\#") {
		return s
	}
	return strconv.Quote(s)
}

// bundledGeoIP returns the geoip file shipped next to a bundled tor, if any.
func bundledGeoIP(exe string) string {
	geo := filepath.Join(filepath.Dir(exe), "geoip")
	if _, err := os.Stat(geo); err != nil {
		return ""
	}
	if _, err := os.Stat(geo + "6"); err != nil {
		return ""
	}
	return geo
}
