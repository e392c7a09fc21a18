package loopback

import (
	"net"
	"time"
)

// alive reports whether something accepts TCP connections at hostport on
// loopback (used to tell a live FileDirectory entry from a stale one).
func alive(hostport string) bool {
	if checkLoopback(hostport) != nil {
		return false
	}
	c, err := net.DialTimeout("tcp", hostport, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
