package cputime

import (
	"syscall"
	"time"
)

func process() (user, system time.Duration, ok bool) {
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return 0, 0, false
	}
	var created, exited, kernel, usr syscall.Filetime
	if err := syscall.GetProcessTimes(h, &created, &exited, &kernel, &usr); err != nil {
		return 0, 0, false
	}
	ticks := func(f syscall.Filetime) time.Duration {
		return time.Duration(int64(f.HighDateTime)<<32|int64(f.LowDateTime)) * 100 // 100 ns ticks
	}
	return ticks(usr), ticks(kernel), true
}
