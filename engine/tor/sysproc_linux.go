package tor

import (
	"os/exec"
	"syscall"
)

// sysProcAttr puts tor in its own process group (so signals to the app's
// group do not reach it and it can be stopped as a group) and has the
// kernel kill it if the engine dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func terminate(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
func kill(cmd *exec.Cmd)      { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
