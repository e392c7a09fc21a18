package tor_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/nookchat/nook/engine/tor/tortest"
)

// TestMain shares one private Tor network among the package's tests, tears
// it down afterwards, checks that no tor ever connected outside loopback
// and that no tor process and no goroutine is left.
func TestMain(m *testing.M) {
	code := tortest.Main(m, closePair)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
