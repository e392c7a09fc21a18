package tor

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Bridge is one parsed bridge line: "[transport] IP:port [fingerprint]
// [key=value …]".
type Bridge struct {
	// Transport is the pluggable transport ("obfs4", "snowflake"), or ""
	// for a plain bridge.
	Transport string
	Addr      netip.AddrPort
	// Fingerprint is the bridge's identity (40 hexadecimal digits), or "".
	Fingerprint string
	// Args are the transport's key=value settings, in order.
	Args []string
}

// ErrBridgeLine is returned (wrapped, with what is wrong in plain words) by
// ParseBridge for a malformed line.
var ErrBridgeLine = errors.New("not a valid bridge line")

// BridgeLineError is ParseBridge's error: ErrBridgeLine, with what is wrong
// (Reason, a key of BridgeReasons, which a frontend translates by) and the
// part of the line concerned (Part, "" when none).
type BridgeLineError struct {
	Reason string
	Part   string
}

// BridgeReasons are the English of BridgeLineError's reasons, clauses
// whose {{.Part}} is the part of the line concerned in quotes.
var BridgeReasons = map[string]string{
	"too_long":          "it is too long",
	"line_break":        "it contains a line break",
	"transport_name":    "{{.Part}} is not a transport name",
	"no_address":        "the address is missing",
	"address":           "{{.Part}} is not an IP address with a port",
	"fingerprint":       "{{.Part}} is not a fingerprint (40 hexadecimal digits)",
	"setting":           "{{.Part}} is not a key=value setting",
	"settings_no_name":  "settings without a transport name",
	"unknown_transport": "it uses {{.Part}}, which Nook cannot use (ask for obfs4, snowflake or webtunnel bridges)",
}

// BridgeError returns a BridgeLineError.
func BridgeError(reason, part string) error { return &BridgeLineError{Reason: reason, Part: part} }

func (e *BridgeLineError) Error() string { return ErrBridgeLine.Error() + ": " + e.English() }
func (e *BridgeLineError) Unwrap() error { return ErrBridgeLine }

// Args fill the placeholders of the reason: Part, quoted.
func (e *BridgeLineError) Args() map[string]any {
	return map[string]any{"Part": strconv.Quote(e.Part)}
}

// English is what is wrong, in English.
func (e *BridgeLineError) English() string {
	return strings.ReplaceAll(BridgeReasons[e.Reason], "{{.Part}}", strconv.Quote(e.Part))
}

var (
	transportName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	fingerprintRE = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)
)

// maxBridgeLine bounds a bridge line; snowflake's are about 500 bytes.
const maxBridgeLine = 4096

// ParseBridge checks the shape of a bridge line as people paste it (an
// optional leading "Bridge " is dropped) and returns it parsed. Errors wrap
// ErrBridgeLine and say what is wrong.
func ParseBridge(line string) (Bridge, error) {
	var b Bridge
	if len(line) > maxBridgeLine {
		return b, BridgeError("too_long", "")
	}
	if strings.ContainsAny(line, "\r\n\x00") {
		return b, BridgeError("line_break", "")
	}
	f := strings.Fields(line)
	if len(f) > 0 && f[0] == "Bridge" {
		f = f[1:]
	}
	if len(f) > 0 && !strings.Contains(f[0], ":") {
		if !transportName.MatchString(f[0]) {
			return b, BridgeError("transport_name", f[0])
		}
		b.Transport, f = f[0], f[1:]
	}
	if len(f) == 0 {
		return b, BridgeError("no_address", "")
	}
	ap, err := netip.ParseAddrPort(f[0])
	if err != nil || ap.Port() == 0 || ap.Addr().Zone() != "" {
		return b, BridgeError("address", f[0])
	}
	b.Addr = ap
	rest := f[1:]
	if len(rest) > 0 && !strings.Contains(rest[0], "=") {
		if !fingerprintRE.MatchString(rest[0]) {
			return b, BridgeError("fingerprint", rest[0])
		}
		b.Fingerprint, rest = strings.ToUpper(rest[0]), rest[1:]
	}
	for _, kv := range rest {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return b, BridgeError("setting", kv)
		}
	}
	if b.Transport == "" && len(rest) > 0 {
		return b, BridgeError("settings_no_name", "")
	}
	b.Args = rest
	return b, nil
}

// String returns the bridge line as tor takes it (without "Bridge ").
func (b Bridge) String() string {
	f := make([]string, 0, 3+len(b.Args))
	if b.Transport != "" {
		f = append(f, b.Transport)
	}
	f = append(f, b.Addr.String())
	if b.Fingerprint != "" {
		f = append(f, b.Fingerprint)
	}
	return strings.Join(append(f, b.Args...), " ")
}

// BuiltinBridges are the default bridges Tor Browser ships, with where they
// were copied from and when (builtin_bridges.json).
type BuiltinBridges struct {
	Source    string   `json:"source"`
	Retrieved string   `json:"retrieved"`
	Obfs4     []string `json:"obfs4"`
	Snowflake []string `json:"snowflake"`
}

//go:embed builtin_bridges.json
var builtinJSON []byte

// Builtin returns the built-in bridges. They are public addresses: tests
// never use them, and the engine refuses them where the public network is
// forbidden (see PublicForbidden).
func Builtin() BuiltinBridges {
	var b BuiltinBridges
	if err := json.Unmarshal(builtinJSON, &b); err != nil {
		panic("tor: builtin_bridges.json: " + err.Error())
	}
	return b
}

// PublicForbidden reports whether this process must never reach the
// public Tor network: a test binary, or NOOK_FORBID_PUBLIC_TOR=1.
func PublicForbidden() bool {
	return inTest() || os.Getenv(ForbidPublicEnv) == "1"
}

// inTest is testing.Testing, replaceable by this package's tests to check
// the environment variable alone.
var inTest = testing.Testing

// checkBridges parses every bridge line; where the public network is
// forbidden, or with a private network, every bridge must be on loopback.
func checkBridges(lines []string, loopbackOnly bool) error {
	for _, l := range lines {
		b, err := ParseBridge(l)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
		if loopbackOnly && !b.Addr.Addr().IsLoopback() {
			return fmt.Errorf("%w: %w: bridge %s is not on loopback", ErrConfig, ErrPublicNetworkInTest, b.Addr)
		}
	}
	return nil
}
