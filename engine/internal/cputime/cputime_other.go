//go:build !unix && !windows

package cputime

import "time"

func process() (user, system time.Duration, ok bool) { return 0, 0, false }
