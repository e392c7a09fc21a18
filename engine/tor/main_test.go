package tor_test

import (
	"os"
	"testing"

	"github.com/nookchat/nook/engine/internal/leaktest"
	"github.com/nookchat/nook/engine/tor/tortest"
)

// TestMain shares one private Tor network among the package's tests, tears
// it down afterwards, checks that no tor ever connected outside loopback
// and that no tor process and no goroutine is left.
func TestMain(m *testing.M) {
	os.Exit(leaktest.Check(tortest.Main(m, closePair)))
}
