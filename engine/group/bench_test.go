package group

import (
	"testing"
)

// Trial decryption: a member's client sees every blob on the server and must
// reject the blobs of other groups. BenchmarkTrialReject/tag is what it pays
// with tags (one HMAC per group); /aead is what a failed authenticated
// decryption of the same blob would cost without them. Measured numbers are
// in the package's README section of docs/groups.md and the commit message.
func BenchmarkTrialReject(b *testing.B) {
	ours := testGroup(b, "ours")
	foreign := testGroup(b, "foreign")
	m := Message{Seq: 1, Sent: t0, Kind: KindText, Text: "not for you"}
	blob, err := foreign.Seal(nil, testIdentity(b, "x"), &m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("tag", func(b *testing.B) {
		b.SetBytes(BlobSize)
		for b.Loop() {
			if _, err := ours.Open(blob); err != ErrNotOurs {
				b.Fatal(err)
			}
		}
	})
	b.Run("aead", func(b *testing.B) {
		b.SetBytes(BlobSize)
		for b.Loop() {
			if ours.openAEAD(blob) == nil {
				b.Fatal("opened a foreign blob")
			}
		}
	})
}

// BenchmarkOpenVerify opens and verifies one of the group's own blobs.
func BenchmarkOpenVerify(b *testing.B) {
	g := testGroup(b, "ours")
	m := Message{Seq: 1, Sent: t0, Kind: KindText, Text: "a message of ordinary length, a sentence or two."}
	blob, err := g.Seal(nil, testIdentity(b, "x"), &m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(BlobSize)
	for b.Loop() {
		if _, err := g.Open(blob); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeal signs, pads and seals one message.
func BenchmarkSeal(b *testing.B) {
	g := testGroup(b, "ours")
	id := testIdentity(b, "x")
	b.SetBytes(BlobSize)
	for b.Loop() {
		m := Message{Seq: 1, Sent: t0, Kind: KindText, Text: "a message of ordinary length, a sentence or two."}
		if _, err := g.Seal(nil, id, &m); err != nil {
			b.Fatal(err)
		}
	}
}
