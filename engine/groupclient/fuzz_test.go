package groupclient

import (
	"bytes"
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
	rec := groupRecord{name: "book club", key: [32]byte{7}, bundle: b}
	enc, err := rec.encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc)
	f.Add(enc[:len(enc)-len(rec.name)])
	f.Add([]byte{recordVersion})
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := decodeGroupRecord(in)
		if err != nil {
			return
		}
		again, err := r.encode()
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if !bytes.Equal(again, in) {
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
