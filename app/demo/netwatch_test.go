//go:build linux

package main

import (
	"strings"
	"testing"
)

func TestParseSS(t *testing.T) {
	out := []byte(`ESTAB 0 0 127.0.0.1:41234 127.0.0.1:9001 users:(("tor",pid=100,fd=12))
ESTAB 0 0 [::ffff:127.0.0.1]:5000 [::ffff:127.0.0.1]:5001 users:(("tor",pid=100,fd=13))
ESTAB 0 0 10.0.0.2:41000 192.0.2.7:443 users:(("tor",pid=101,fd=9))
ESTAB 0 0 10.0.0.2:41001 198.51.100.1:443 users:(("tor",pid=999,fd=9))
ESTAB 0 0 10.0.0.2:41002 198.51.100.2:443 users:(("firefox",pid=100,fd=9))
`)
	n, bad := parseSS(out, map[int]bool{100: true, 101: true})
	if n != 3 || len(bad) != 1 || !strings.Contains(bad[0], "192.0.2.7") {
		t.Errorf("n=%d bad=%q; want 3 connections, the one to 192.0.2.7 outside", n, bad)
	}
}
