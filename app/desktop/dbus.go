package main

import (
	"net"
	"os"
	"strings"
	"time"
)

// sessionBusReachable reports whether a D-Bus session bus answers at
// DBUS_SESSION_BUS_ADDRESS. Without one, Fyne's system tray panics on quit
// (fyne-io/fyne#6403), so the tray is set up only when this is true. On
// Windows and macOS the tray needs no D-Bus.
func sessionBusReachable() bool {
	if !needsDBus {
		return true
	}
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		return false
	}
	// The address is a ;-separated list of transport:key=value,… entries.
	for _, entry := range strings.Split(addr, ";") {
		kind, params, ok := strings.Cut(entry, ":")
		if !ok || kind != "unix" {
			continue
		}
		for _, kv := range strings.Split(params, ",") {
			k, v, _ := strings.Cut(kv, "=")
			var network, path string
			switch k {
			case "path":
				network, path = "unix", v
			case "abstract":
				network, path = "unix", "@"+v
			default:
				continue
			}
			c, err := net.DialTimeout(network, path, 300*time.Millisecond)
			if err == nil {
				c.Close()
				return true
			}
		}
	}
	return false
}
