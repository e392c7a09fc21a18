package tortest

import (
	"os"
	"syscall"
)

// The harness targets Linux (CI); on Windows it only compiles.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func signalGroup(pid int, _ syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
