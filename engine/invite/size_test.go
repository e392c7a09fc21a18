package invite

import (
	"sort"
	"testing"
)

func TestSizes(t *testing.T) {
	invs := testInvites(t)
	var names []string
	for n := range invs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		text := invs[n].Encode()
		v, m, err := QRSize(text)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-17s %3d chars  QR version %2d (%d×%d modules)  %s", n, len(text), v, m, m, text)
	}
}
