package tor

import (
	"strconv"
	"strings"
)

// parseStatusArgs parses the KEY=VALUE arguments of a STATUS_* event line
// ("NOTICE BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY=\"Connecting to a relay\""),
// where values may be quoted strings with backslash escapes. (bine's
// ParseStatusEvent splits quoted values at spaces.)
func parseStatusArgs(raw string) map[string]string {
	args := map[string]string{}
	s := raw
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return args
		}
		eq := strings.IndexByte(s, '=')
		sp := strings.IndexByte(s, ' ')
		if eq < 0 || (sp >= 0 && sp < eq) {
			// A bare word (severity, action); skip it.
			if sp < 0 {
				return args
			}
			s = s[sp:]
			continue
		}
		key := s[:eq]
		s = s[eq+1:]
		if strings.HasPrefix(s, `"`) {
			end := 1
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(s) {
				args[key] = strings.Trim(s, `"`)
				return args
			}
			if v, err := strconv.Unquote(s[:end+1]); err == nil {
				args[key] = v
			} else {
				args[key] = s[1:end]
			}
			s = s[end+1:]
			continue
		}
		if sp := strings.IndexByte(s, ' '); sp >= 0 {
			args[key], s = s[:sp], s[sp:]
		} else {
			args[key], s = s, ""
		}
	}
}
