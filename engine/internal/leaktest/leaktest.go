// Package leaktest ends a test binary with a check that its tests left no
// goroutine running, for TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(leaktest.Check(m.Run())) }
package leaktest

import (
	"fmt"
	"os"

	"go.uber.org/goleak"
)

// Check returns code, the exit code of the tests, or 1 when the tests
// passed but left goroutines running (it prints them on stderr).
func Check(code int) int {
	if code != 0 {
		return code
	}
	if err := goleak.Find(); err != nil {
		fmt.Fprintf(os.Stderr, "goroutines left behind: %v\n", err)
		return 1
	}
	return 0
}
