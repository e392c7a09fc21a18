package group

import (
	"fmt"
	"testing"
)

// BenchmarkRotation measures what a rotation costs the admin (making the
// key, the wraps and the parts, and sealing each part) and one member
// (opening its part, finding its wrap), for groups of 50 and 200 members
// (docs/groups.md, "Cost").
func BenchmarkRotation(b *testing.B) {
	g := testGroup(b, "bench")
	admin := testIdentity(b, "rosa")
	for _, n := range []int{50, 200} {
		ids, keys := members(b, "member", n-1)
		owner := KeyOf(admin.Address())
		b.Run(fmt.Sprintf("admin/%d", n), func(b *testing.B) {
			for b.Loop() {
				_, parts, err := NewRotation(nil, g.ID(), admin, 1, ReasonRemoval, owner, nil, nil, keys)
				if err != nil {
					b.Fatal(err)
				}
				for i, p := range parts {
					if _, err := g.Seal(nil, admin, &Message{Seq: uint64(i + 1), Sent: t0, Kind: KindRotate, Rotation: p}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		_, parts, err := NewRotation(nil, g.ID(), admin, 1, ReasonRemoval, owner, nil, nil, keys)
		if err != nil {
			b.Fatal(err)
		}
		var blobs [][]byte
		for i, p := range parts {
			blob, err := g.Seal(nil, admin, &Message{Seq: uint64(i + 1), Sent: t0, Kind: KindRotate, Rotation: p})
			if err != nil {
				b.Fatal(err)
			}
			blobs = append(blobs, blob)
		}
		last := ids[len(ids)-1]
		b.Run(fmt.Sprintf("member/%d", n), func(b *testing.B) {
			for b.Loop() {
				found := false
				for _, blob := range blobs {
					m, err := g.Open(blob)
					if err != nil {
						b.Fatal(err)
					}
					if _, ok := m.Rotation.Unwrap(g.ID(), owner, last); ok {
						found = true
					}
				}
				if !found {
					b.Fatal("no key")
				}
			}
		})
	}
}
