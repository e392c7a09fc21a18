package store

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

var update = flag.Bool("update", false, "rewrite the seed corpus under testdata/fuzz")

// Record kinds for FuzzRecords.
const (
	fuzzContact = iota
	fuzzMessage
	fuzzConv
	fuzzPointer
	fuzzSeq
	fuzzKinds
)

func recordSeeds() [][]byte {
	t0 := time.Date(2025, 5, 6, 7, 8, 9, 10, time.UTC)
	return [][]byte{
		encodeContact(model.Contact{Nickname: "n", DisplayName: "d", State: model.ContactAccepted, Verified: true, Added: t0}),
		encodeMessage(model.Message{ID: model.MessageID{1}, Author: "a", Outgoing: true, Sent: t0, Received: t0,
			Body: "body", ReplyTo: model.MessageID{2}, Status: model.StatusFailed, FailReason: "r"}),
		encodeConvInfo(ConversationInfo{LastSeq: 9, Messages: 9, LastActivity: t0}),
		encodePointer("conv", 42),
		encodeSeq(7),
		// The optional trailing fields, in the same order of kinds (i %
		// fuzzKinds): a contact's verification fields, a message's kind, a
		// conversation's unread count.
		encodeContact(model.Contact{State: model.ContactAccepted, Verified: true, Verification: model.VerifiedSafetyCode,
			InviteConfirmed: true, Added: t0}),
		encodeMessage(model.Message{ID: model.MessageID{3}, Kind: model.KindGroupInvite, Author: "a", Sent: t0, Received: t0,
			Body: "NOOK:G1:…", Status: model.StatusReceived}),
		encodeConvInfo(ConversationInfo{LastSeq: 9, Messages: 9, LastActivity: t0, Unread: 4}),
		encodePointer("other", 1),
		encodeSeq(1 << 40),
		// Kind 10 is a contact whose badge keeps the name it was given
		// under; 11 to 14 a plain message, a conversation's info, a pointer
		// and a sequence again.
		encodeContact(model.Contact{DisplayName: "Bob", State: model.ContactAccepted, Verified: true,
			Verification: model.VerifiedSafetyCode, VerifiedName: "Mallory", Added: t0}),
		encodeMessage(model.Message{ID: model.MessageID{4}, Author: "b", Sent: t0, Received: t0, Body: "b",
			Status: model.StatusReceived}),
		encodeConvInfo(ConversationInfo{LastSeq: 1, Messages: 1, LastActivity: t0}),
		encodePointer("c", 1),
		encodeSeq(1),
		// 15: a contact's timer without the verification fields.
		encodeContact(model.Contact{State: model.ContactAccepted, Added: t0, Disappear: time.Hour, DisappearSet: t0}),
		// 16: a text with reactions.
		encodeMessage(model.Message{ID: model.MessageID{5}, Author: "b", Sent: t0, Received: t0, Body: "b",
			Status: model.StatusReceived, Reactions: []model.Reaction{{Author: "a", Emoji: "👍"}, {Author: "b", Emoji: "🇩🇪"}}}),
		// 17 to 20: a message, an info, a pointer, a sequence; 21: a
		// pending contact whose request was delivered.
		encodeMessage(model.Message{ID: model.MessageID{5}, Author: "c", Sent: t0, Received: t0, Body: "c",
			Status: model.StatusReceived}),
		encodeConvInfo(ConversationInfo{LastSeq: 2, Messages: 1, LastActivity: t0}),
		encodePointer("d", 2),
		encodeSeq(2),
		encodeContact(model.Contact{State: model.ContactPending, RequestDelivered: true, Added: t0}),
		// 22 to 25: an info, a pointer, a sequence, a contact; 26 and
		// 31: an edited text, with and without reactions.
		encodeConvInfo(ConversationInfo{LastSeq: 3, Messages: 2, LastActivity: t0}),
		encodePointer("e", 3),
		encodeSeq(3),
		encodeContact(model.Contact{State: model.ContactAccepted, Added: t0}),
		encodeMessage(model.Message{ID: model.MessageID{6}, Author: "b", Sent: t0, Received: t0, Body: "edited",
			Status: model.StatusReceived, Edited: t0.Add(time.Minute)}),
		encodeConvInfo(ConversationInfo{LastSeq: 4, Messages: 3, LastActivity: t0}),
		encodePointer("f", 4),
		encodeSeq(4),
		encodeContact(model.Contact{State: model.ContactAccepted, Added: t0, Nickname: "e"}),
		encodeMessage(model.Message{ID: model.MessageID{7}, Author: "a", Outgoing: true, Sent: t0, Received: t0, Body: "edited",
			Status: model.StatusDelivered, Reactions: []model.Reaction{{Author: "b", Emoji: "👍"}}, Edited: t0.Add(time.Hour)}),
	}
}

// FuzzRecords feeds arbitrary bytes to the record decoders: they must never
// panic, and what they accept must encode back to a record that decodes to
// the same value.
func FuzzRecords(f *testing.F) {
	for i, seed := range recordSeeds() {
		f.Add(byte(i%fuzzKinds), seed)
	}
	f.Fuzz(func(t *testing.T, kind byte, b []byte) {
		switch kind % fuzzKinds {
		case fuzzContact:
			c, err := decodeContact("addr", b)
			if err != nil {
				return
			}
			again, err := decodeContact("addr", encodeContact(c))
			if err != nil || !contactEqual(c, again) {
				t.Fatalf("contact round trip: %+v → %+v, %v", c, again, err)
			}
		case fuzzMessage:
			m, err := decodeMessage("c", 1, b)
			if err != nil {
				return
			}
			enc := encodeMessage(m)
			again, err := decodeMessage("c", 1, enc)
			if err != nil || !bytes.Equal(encodeMessage(again), enc) {
				t.Fatalf("message round trip: %+v → %+v, %v", m, again, err)
			}
		case fuzzConv:
			c, err := decodeConvInfo("c", b)
			if err != nil {
				return
			}
			enc := encodeConvInfo(c)
			again, err := decodeConvInfo("c", enc)
			if err != nil || !bytes.Equal(encodeConvInfo(again), enc) {
				t.Fatalf("conversation round trip: %+v → %+v, %v", c, again, err)
			}
		case fuzzPointer:
			conv, n, err := decodePointer(b)
			if err != nil {
				return
			}
			conv2, n2, err := decodePointer(encodePointer(conv, n))
			if err != nil || conv2 != conv || n2 != n {
				t.Fatalf("pointer round trip: %q %d → %q %d, %v", conv, n, conv2, n2, err)
			}
		case fuzzSeq:
			n, err := decodeSeq(b)
			if err != nil {
				return
			}
			if n2, err := decodeSeq(encodeSeq(n)); err != nil || n2 != n {
				t.Fatalf("index round trip: %d → %d, %v", n, n2, err)
			}
		}
		if _, _, err := parseSeqKey(b); err == nil && len(b) < 11 {
			t.Fatalf("parseSeqKey accepted %d bytes", len(b))
		}
	})
}

// TestWriteFuzzCorpus rewrites testdata/fuzz/FuzzRecords with -update.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzRecords")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, seed := range recordSeeds() {
		body := fmt.Sprintf("go test fuzz v1\nbyte(%q)\n[]byte(%q)\n", byte(i%fuzzKinds), seed)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
