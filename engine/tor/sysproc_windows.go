package tor

import (
	"os/exec"
	"syscall"
)

// sysProcAttr starts tor in its own process group without a console window.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP, HideWindow: true}
}

// Windows has no SIGTERM for console-less processes; TAKEOWNERSHIP makes
// tor exit when the control connection closes, and kill ends it otherwise.
func terminate(cmd *exec.Cmd) { cmd.Process.Kill() }
func kill(cmd *exec.Cmd)      { cmd.Process.Kill() }
