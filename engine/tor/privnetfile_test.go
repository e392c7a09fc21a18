package tor

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestPrivateNetworkFileRoundTrip(t *testing.T) {
	pn := &PrivateNetwork{
		DirAuthorities: []string{"auth orport=5000 no-v2 v3ident=AAAA 127.0.0.1:7000 BBBB"},
		Options:        []string{"TestingDirAuthVoteHSDir *", "PathsNeededToBuildCircuits 0.67"},
	}
	b, err := MarshalPrivateNetwork(pn)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePrivateNetwork(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.DirAuthorities, pn.DirAuthorities) || !slices.Equal(got.Options, pn.Options) {
		t.Fatalf("round trip: %+v, want %+v", got, pn)
	}
	for _, bad := range []*PrivateNetwork{
		nil,
		{},
		{DirAuthorities: []string{"a\nFallbackDir 192.0.2.1:80"}},
		{DirAuthorities: []string{"a"}, Options: []string{"# hidden"}},
		{DirAuthorities: []string{"a"}, Options: []string{"DirAuthority b"}},
	} {
		if _, err := MarshalPrivateNetwork(bad); !errors.Is(err, ErrPrivateNetworkFile) {
			t.Errorf("MarshalPrivateNetwork(%+v) = %v, want ErrPrivateNetworkFile", bad, err)
		}
	}
	if _, err := ParsePrivateNetwork(strings.NewReader("# nothing\nSocksPort 0\n")); !errors.Is(err, ErrPrivateNetworkFile) {
		t.Fatalf("a file without authorities: %v", err)
	}
}

// FuzzParsePrivateNetwork: whatever a file holds, parsing never panics, and
// what it accepts renders and parses back to the same settings.
func FuzzParsePrivateNetwork(f *testing.F) {
	f.Add([]byte("# c\nDirAuthority a orport=1 127.0.0.1:2 F\nTestingTorNetwork 1\n"))
	f.Add([]byte("DirAuthority \n\n#\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pn, err := ParsePrivateNetwork(bytes.NewReader(data))
		if err != nil {
			return
		}
		b, err := MarshalPrivateNetwork(pn)
		if err != nil {
			return // e.g. an authority value that is empty after trimming
		}
		again, err := ParsePrivateNetwork(bytes.NewReader(b))
		if err != nil || !slices.Equal(again.DirAuthorities, pn.DirAuthorities) || !slices.Equal(again.Options, pn.Options) {
			t.Fatalf("round trip changed %+v into %+v (%v)", pn, again, err)
		}
	})
}
