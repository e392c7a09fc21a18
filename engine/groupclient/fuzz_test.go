package groupclient

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/invite"
)

// FuzzGroupRecord decodes stored group records (a damaged or tampered
// store must give ErrCorrupt, never a panic) and checks decode→encode
// round-trips.
func FuzzGroupRecord(f *testing.F) {
	id := seedIdentity(f, "server")
	b := invite.Bundle{Version: invite.BundleVersion, Address: id.Address(), TokenKey: [32]byte{1}, Created: time.Unix(1700000000, 0)}
	if err := b.Sign(id); err != nil {
		f.Fatal(err)
	}
	rec := groupRecord{name: "book club", key: [32]byte{7}, bundle: b, owner: group.KeyOf(seedIdentity(f, "alice").Address())}
	enc, err := rec.encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add(enc[:len(enc)-len(rec.name)])
	// Version 3 with a per-group signing key; version 2 (before them).
	withSigner := rec
	withSigner.signer = [32]byte{5}
	if enc3, err := withSigner.encode(); err == nil {
		f.Add(enc3)
	}
	fixed2 := 1 + group.KeySize + invite.BundleSize + 32 + 4 + 32
	f.Add(append(append([]byte{2}, enc[1:fixed2]...), rec.name...))
	f.Add([]byte{recordVersion})
	// Version 4 on two servers; version 3 (before them).
	other := seedIdentity(f, "second server")
	b2 := invite.Bundle{Version: invite.BundleVersion, Address: other.Address(), TokenKey: [32]byte{1}, Created: time.Unix(1700000000, 0)}
	if err := b2.Sign(other); err != nil {
		f.Fatal(err)
	}
	two := withSigner
	two.more = []invite.Bundle{b2}
	if enc4, err := two.encode(); err == nil {
		f.Add(enc4)
	}
	fixed3 := fixed2 + 32
	if enc3, err := withSigner.encode(); err == nil {
		f.Add(append(append([]byte{3}, enc3[1:fixed3]...), rec.name...))
	}
	// Version 1 (before epochs): no owner.
	v1 := append([]byte{recordVersion}, enc[1:1+group.KeySize+invite.BundleSize]...)
	f.Add(append(v1, rec.name...))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := decodeGroupRecord(in)
		if err != nil {
			return
		}
		again, err := r.encode()
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if in[0] == recordVersion {
			// Written again in version 2, with no owner.
			r2, err := decodeGroupRecord(again)
			if err != nil || r2.owner != (group.PublicKey{}) || r2.name != r.name || r2.key != r.key || !bytes.Equal(again[1:1+group.KeySize+invite.BundleSize], in[1:1+group.KeySize+invite.BundleSize]) {
				t.Fatalf("version 1 %x -> %x (%v)", in, again, err)
			}
			return
		}
		fixed3 := fixed2 + 32
		if in[0] == 2 {
			// Written again in version 4, signing with the onion key, on one server.
			want := append(append(append([]byte{4}, in[1:fixed2]...), make([]byte, 33)...), in[fixed2:]...)
			if r.signer != ([32]byte{}) || !bytes.Equal(again, want) {
				t.Fatalf("version 2 %x -> %x", in, again)
			}
			return
		}
		if in[0] == 3 {
			// Written again in version 4, on one server.
			want := append(append(append([]byte{4}, in[1:fixed3]...), 0), in[fixed3:]...)
			if len(r.more) != 0 || !bytes.Equal(again, want) {
				t.Fatalf("version 3 %x -> %x", in, again)
			}
			return
		}
		if !bytes.Equal(again, in) {
			t.Fatalf("round trip %x -> %x", in, again)
		}
	})
}

// FuzzEpochRecord decodes stored epochs: a damaged store gives
// ErrCorrupt, never a panic, and what decodes encodes to the same bytes.
func FuzzEpochRecord(f *testing.F) {
	e := &epochState{n: 1, key: [32]byte{9}, salt: [16]byte{3}, by: group.KeyOf(seedIdentity(f, "alice").Address()),
		reason: group.ReasonRemoval, seen: true, admins: []group.PublicKey{group.KeyOf(seedIdentity(f, "bob").Address())},
		removed: []group.PublicKey{group.KeyOf(seedIdentity(f, "dave").Address())}}
	enc := e.encode()
	f.Add(enc)
	f.Add(enc[:len(enc)-1])
	e.admins, e.removed, e.seen = nil, nil, false
	f.Add(e.encode())
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := decodeEpochRecord(group.ID{1}, 1, in)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if again := got.encode(); !bytes.Equal(again, in) {
			t.Fatalf("round trip %x -> %x", in, again)
		}
	})
}

// FuzzNoticeRecord decodes stored leave notices (versions 1 and 2): a
// damaged store gives ErrCorrupt, never a panic, and what decodes encodes
// again (in the current version) to a record that decodes the same.
func FuzzNoticeRecord(f *testing.F) {
	if v1, err := os.ReadFile("testdata/notice-v1.bin"); err == nil {
		f.Add(v1)
		v2 := append([]byte{noticeVersion}, v1[1:]...)
		f.Add(v2)
		f.Add(append(bytes.Clone(v2), v1[len(v1)-group.BlobSize:]...))
		f.Add(v1[:len(v1)-1])
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		n, err := decodeNoticeRecord(group.ID{}, in)
		if err != nil {
			return
		}
		again, err := n.encode()
		if err != nil {
			t.Fatalf("decoded notice does not encode: %v", err)
		}
		n2, err := decodeNoticeRecord(group.ID{}, again)
		if err != nil || len(n2.blobs) != len(n.blobs) || !bytes.Equal(again[1:], in[1:]) {
			t.Fatalf("round trip %x -> %x (%v)", in, again, err)
		}
	})
}
