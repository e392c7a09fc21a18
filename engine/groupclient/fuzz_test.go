package groupclient

import (
	"bytes"
	"testing"
	"time"

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
