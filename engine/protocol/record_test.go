package protocol

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

func mid(b byte) model.MessageID {
	var id model.MessageID
	for i := range id {
		id[i] = b + byte(i)
	}
	return id
}

var sent = time.Date(2026, 3, 1, 12, 30, 45, 123_000_000, time.UTC)

// validRecords holds one or more records of every type, at and near limits.
func validRecords() []Record {
	return []Record{
		&Text{ID: mid(1), Sent: sent, Body: "hello"},
		&Text{ID: mid(1), Sent: sent, ReplyTo: mid(9), Body: "re: ünïcödé ✓ 🦆\nline two"},
		&Text{ID: mid(2), Sent: sent, Body: ""},
		&Text{ID: mid(3), Sent: sent, Body: strings.Repeat("x", MaxBody)},
		&Ack{IDs: []model.MessageID{mid(1)}},
		&Ack{IDs: make([]model.MessageID, MaxAckIDs)},
		&ContactRequest{DisplayName: "Alice"},
		&ContactRequest{DisplayName: strings.Repeat("é", MaxNameRunes), Proof: bytes.Repeat([]byte{7}, MaxProof)},
		&ContactRequest{},
		&ContactAccept{DisplayName: "Bob 🐝"},
		&ContactReject{},
		&ProfileGet{Attr: AttrDisplayName},
		&ProfileAttr{Attr: AttrDisplayName, Value: []byte("Carol")},
		&ProfileAttr{Attr: AttrPicture, Value: bytes.Repeat([]byte{0xff}, MaxAttrValue)},
		&GroupInvite{ID: mid(6), Sent: sent, Invite: []byte("NOOK:G1:invite")},
		&GroupInvite{ID: mid(6), Sent: sent, Disappear: time.Hour, Invite: bytes.Repeat([]byte{1}, MaxGroupInvite)},
		&FileOffer{ID: mid(4), Sent: sent, Size: MaxFileSize, ChunkSize: 60 << 10, SHA256: [32]byte{1, 2}, Root: [32]byte{3}, MediaType: "image/jpeg", Name: "holiday photo.jpg"},
		&FileOffer{ID: mid(4), Sent: sent, Disappear: time.Hour, Size: 1, ChunkSize: MaxChunkSize, Name: strings.Repeat("n", MaxFileNameSize)},
		&FileRequest{ID: mid(4), First: 1<<32 - 1, Count: MaxRequestChunks},
		&FileRequest{ID: mid(4), Count: 1},
		&FileChunk{ID: mid(4), Index: 7, Proof: [][32]byte{{1}, {2}}, Data: []byte("chunk")},
		&FileChunk{ID: mid(4), Proof: make([][32]byte, MaxProofDepth), Data: bytes.Repeat([]byte{9}, MaxChunkSize)},
		&FileStop{ID: mid(4), Reason: StopTooLarge, Limit: 1 << 30},
		&FileStop{ID: mid(4), Reason: StopCancelled},
		&FileDone{ID: mid(4)},
		&Ping{Nonce: 42},
		&Pong{Nonce: 1<<64 - 1},
		&Unknown{RecordType: 0xee, Version: 1, Body: []byte("future")},
		&Unknown{RecordType: TypeText, Version: 3, Body: []byte("text v3")},
		&Text{ID: mid(5), Sent: sent, Body: "gone in a day", Disappear: 24 * time.Hour},
		&Text{ID: mid(5), Sent: sent, Body: "gone in a year", Disappear: model.MaxDisappear},
		&Disappear{Timer: 7 * 24 * time.Hour, Set: sent},
		&Disappear{Set: sent},
		&InviteConfirm{MAC: [ConfirmSize]byte{1, 2, 3, 31: 0xff}},
		&Reaction{ID: mid(7), Target: mid(1), Sent: sent, Emoji: "👍"},
		&Reaction{ID: mid(7), Target: mid(1), Sent: sent, Emoji: "👩🏻\u200d❤\ufe0f\u200d💋\u200d👨🏼"},
		&Reaction{ID: mid(8), Target: mid(1), Sent: sent},
		&Edit{ID: mid(9), Target: mid(1), Sent: sent, Body: "see you at noon"},
		&Change{ID: mid(10), Target: mid(1), Sent: sent, Change: model.ChangeEdit, Payload: []byte("see you at one")},
		&Change{ID: mid(11), Target: mid(1), Sent: sent, Change: model.ChangeReaction, Payload: []byte("👍")},
		&Change{ID: mid(12), Target: mid(1), Sent: sent, Change: 0xfe, Payload: []byte{0, 1, 2}},
		&RequestReceived{},
		&FileFetch{ID: mid(4), Proof: [32]byte{1, 31: 2}},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, r := range validRecords() {
		t.Run(r.Type().String(), func(t *testing.T) { checkRoundTrip(t, r, normalise) })
	}
}

// checkRoundTrip checks that r decodes to itself (up to norm) and that
// decoding then encoding gives back the same bytes.
func checkRoundTrip(t *testing.T, r Record, norm func(Record) Record) {
	t.Helper()
	b, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(norm(got), norm(r)) {
		t.Fatalf("round trip changed the record:\n got %+v\nwant %+v", got, r)
	}
	again, err := Encode(got)
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("re-encoding differs (%v)", err)
	}
}

// normalise maps the nil and empty forms of byte slices to one form.
func normalise(r Record) Record {
	switch r := r.(type) {
	case *ContactRequest:
		c := *r
		if len(c.Proof) == 0 {
			c.Proof = nil
		}
		return &c
	}
	return r
}

// TestEncoding pins the byte layout of docs/protocol.md §5.
func TestEncoding(t *testing.T) {
	tests := []struct {
		r    Record
		want string
	}{
		{&Ping{Nonce: 0x0102030405060708}, "0a01 0102030405060708"},
		{&ContactReject{}, "0501"},
		{&RequestReceived{}, "0f01"},
		{&ProfileGet{Attr: AttrDisplayName}, "0601 01"},
		{&Ack{IDs: []model.MessageID{mid(0)}}, "0201 0001 000102030405060708090a0b0c0d0e0f"},
		{&ContactAccept{DisplayName: "Bo"}, "0401 0002 426f"},
		{&Text{ID: mid(0), Sent: time.UnixMilli(1000).UTC(), Body: "hi"},
			"0101 000102030405060708090a0b0c0d0e0f 00000000000003e8 00000000000000000000000000000000 00000002 6869"},
		{&Text{ID: mid(0), Sent: time.UnixMilli(1000).UTC(), Body: "hi", Disappear: time.Hour},
			"0102 000102030405060708090a0b0c0d0e0f 00000000000003e8 00000000000000000000000000000000 00000002 6869 00000e10"},
		{&Disappear{Timer: time.Minute, Set: time.UnixMilli(1000).UTC()}, "0c01 0000003c 00000000000003e8"},
		{&InviteConfirm{MAC: [ConfirmSize]byte{0: 0xaa, 31: 0xbb}}, "0d01 aa000000000000000000000000000000000000000000000000000000000000bb"},
		{&FileOffer{ID: mid(0), Sent: time.UnixMilli(1000).UTC(), Disappear: time.Minute, Size: 5, ChunkSize: 1024, SHA256: [32]byte{0: 0xaa}, Root: [32]byte{31: 0xbb}, MediaType: "a/b", Name: "x"},
			"0902 000102030405060708090a0b0c0d0e0f 00000000000003e8 0000003c 0000000000000005 00000400 " +
				"aa00000000000000000000000000000000000000000000000000000000000000 00000000000000000000000000000000000000000000000000000000000000bb 03 612f62 0001 78"},
		{&FileRequest{ID: mid(0), First: 2, Count: 3}, "4001 000102030405060708090a0b0c0d0e0f 00000002 0003"},
		{&FileChunk{ID: mid(0), Index: 1, Proof: [][32]byte{{0: 0xcc}}, Data: []byte("z")},
			"4101 000102030405060708090a0b0c0d0e0f 00000001 01 cc00000000000000000000000000000000000000000000000000000000000000 00000001 7a"},
		{&FileStop{ID: mid(0), Reason: StopTooLarge, Limit: 1024}, "4201 000102030405060708090a0b0c0d0e0f 02 0000000000000400"},
		{&FileDone{ID: mid(0)}, "4301 000102030405060708090a0b0c0d0e0f"},
		{&FileFetch{ID: mid(0), Proof: [32]byte{0: 0xdd}}, "4401 000102030405060708090a0b0c0d0e0f dd00000000000000000000000000000000000000000000000000000000000000"},
		{&Reaction{ID: mid(0), Target: mid(0), Sent: time.UnixMilli(1000).UTC(), Emoji: "👍"},
			"0e01 000102030405060708090a0b0c0d0e0f 000102030405060708090a0b0c0d0e0f 00000000000003e8 0004 f09f918d"},
		{&Reaction{ID: mid(0), Target: mid(0), Sent: time.UnixMilli(1000).UTC()},
			"0e01 000102030405060708090a0b0c0d0e0f 000102030405060708090a0b0c0d0e0f 00000000000003e8 0000"},
		{&Edit{ID: mid(0), Target: mid(0), Sent: time.UnixMilli(1000).UTC(), Body: "hi"},
			"1001 000102030405060708090a0b0c0d0e0f 000102030405060708090a0b0c0d0e0f 00000000000003e8 00000002 6869"},
		{&Change{ID: mid(0), Target: mid(0), Sent: time.UnixMilli(1000).UTC(), Change: model.ChangeEdit, Payload: []byte("hi")},
			"1101 000102030405060708090a0b0c0d0e0f 000102030405060708090a0b0c0d0e0f 00000000000003e8 02 00000002 6869"},
	}
	for _, tt := range tests {
		b, err := Encode(tt.r)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hex.EncodeToString(b), strings.ReplaceAll(tt.want, " ", ""); got != want {
			t.Errorf("%s: got %s, want %s", tt.r.Type(), got, want)
		}
	}
}

func TestEncodeRefusesInvalid(t *testing.T) {
	bad := []Record{
		nil,
		&Text{Body: strings.Repeat("x", MaxBody+1)},
		&Text{Body: "\xff"},
		&Text{Body: "x", Disappear: model.MaxDisappear + time.Second},
		&Text{Body: "x", Disappear: -time.Second},
		&Text{Body: "x", Disappear: 1500 * time.Millisecond},
		&Disappear{Timer: model.MaxDisappear + time.Second},
		&Ack{},
		&Ack{IDs: make([]model.MessageID, MaxAckIDs+1)},
		&ContactRequest{DisplayName: strings.Repeat("a", MaxNameRunes+1)},
		&ContactRequest{DisplayName: "line\nbreak"},
		&ContactRequest{Proof: make([]byte, MaxProof+1)},
		&ContactAccept{DisplayName: "\u0085"},
		&ProfileAttr{Attr: AttrDisplayName, Value: []byte("\x00")},
		&ProfileAttr{Attr: 9, Value: make([]byte, MaxAttrValue+1)},
		&GroupInvite{Invite: make([]byte, MaxGroupInvite+1)},
		&GroupInvite{ID: mid(6)},
		&GroupInvite{Invite: []byte("x"), Disappear: model.MaxDisappear + time.Second},
		&Reaction{Emoji: "ok"},
		&Edit{},
		&Edit{Body: "\xff"},
		&Edit{Body: strings.Repeat("a", MaxBody+1)},
		&Change{Change: model.ChangeEdit},
		&Change{Change: model.ChangeReaction, Payload: []byte("ok")},
		&Change{Change: 0xfe, Payload: make([]byte, model.MaxChangePayload+1)},
		&Reaction{Emoji: "👍👍"},
		&Reaction{Emoji: "👍\u202e"},
		&Reaction{Emoji: "👍\U000e0041"},
		&Reaction{Emoji: strings.Repeat("👍\u200d", 12) + "👍"},
		&FileOffer{Size: 1, ChunkSize: MinChunkSize, Name: "../etc/passwd"},
		&FileOffer{Size: 1, ChunkSize: MinChunkSize, Name: ".."},
		&FileOffer{Size: 1, ChunkSize: MinChunkSize, Name: ""},
		&FileOffer{Size: 1, ChunkSize: MinChunkSize, Name: strings.Repeat("n", MaxFileNameSize+1)},
		&FileOffer{Size: 0, ChunkSize: MinChunkSize, Name: "a"},
		&FileOffer{Size: MaxFileSize + 1, ChunkSize: MinChunkSize, Name: "a"},
		&FileOffer{Size: 1, ChunkSize: MinChunkSize + 1, Name: "a"},
		&FileOffer{Size: 1, ChunkSize: MaxChunkSize + 1024, Name: "a"},
		&FileOffer{Size: 1, ChunkSize: MinChunkSize, MediaType: "Image/JPEG", Name: "a"},
		&FileRequest{Count: 0},
		&FileRequest{Count: MaxRequestChunks + 1},
		&FileChunk{},
		&FileChunk{Data: make([]byte, MaxChunkSize+1)},
		&FileChunk{Data: []byte{1}, Proof: make([][32]byte, MaxProofDepth+1)},
		&FileStop{},
		&FileStop{Reason: StopUnavailable + 1},
		&FileStop{Reason: StopCancelled, Limit: 1},
	}
	checkRefused(t, bad)
}

// checkRefused checks that Encode refuses every record of bad.
func checkRefused(t *testing.T, bad []Record) {
	t.Helper()
	for i, r := range bad {
		if _, err := Encode(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%d (%T): got %v, want ErrInvalid", i, r, err)
		}
	}
}

// mustEncode encodes a valid record.
func mustEncode(t *testing.T, r Record) []byte {
	t.Helper()
	b, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeMalformed(t *testing.T) {
	enc := func(r Record) []byte { return mustEncode(t, r) }
	text := enc(&Text{ID: mid(1), Sent: sent, Body: "hello"})
	offer := enc(&FileOffer{ID: mid(1), Sent: sent, Size: 5, ChunkSize: MinChunkSize, Name: "ab"})
	tests := map[string][]byte{
		"empty":              {},
		"header only type":   {0x01},
		"text truncated":     text[:len(text)-1],
		"text trailing":      append(bytes.Clone(text), 0),
		"text bad utf8":      append(append(bytes.Clone(text[:len(text)-9]), 0, 0, 0, 5), "he\xffo!"...),
		"text body too long": append(bytes.Clone(text[:len(text)-9]), 0, 1, 0, 1),
		"huge length":        append(bytes.Clone(text[:len(text)-9]), 0xff, 0xff, 0xff, 0xff),
		"ack zero":           {0x02, 0x01, 0x00, 0x00},
		"text v2 zero timer": append(append([]byte{0x01, 0x02}, text[2:]...), 0, 0, 0, 0),
		"text v2 too long":   append(append([]byte{0x01, 0x02}, text[2:]...), 0x02, 0, 0, 0),
		"text v2 no timer":   append([]byte{0x01, 0x02}, text[2:]...),
		"disappear too long": {0x0c, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"ack too many":       {0x02, 0x01, 0x04, 0x01},
		"ack short":          {0x02, 0x01, 0x00, 0x02, 1, 2, 3},
		"name control":       {0x04, 0x01, 0x00, 0x01, '\n'},
		"reject with body":   {0x05, 0x01, 0x00},
		"received with body": {0x0f, 0x01, 0x00},
		"ping short":         {0x0a, 0x01, 1, 2, 3},
		"confirm short":      append([]byte{0x0d, 0x01}, make([]byte, ConfirmSize-1)...),
		"confirm trailing":   append([]byte{0x0d, 0x01}, make([]byte, ConfirmSize+1)...),
		"file slash":         append(bytes.Clone(offer[:len(offer)-4]), 0, 2, 'a', '/'),
		"file zero size":     append(append(bytes.Clone(offer[:2+16+8+4]), 0, 0, 0, 0, 0, 0, 0, 0), offer[2+16+8+4+8:]...),
		"file odd chunk":     append(append(bytes.Clone(offer[:2+16+8+4+8]), 0, 0, 4, 1), offer[2+16+8+4+8+4:]...),
		"request zero":       {0x40, 0x01, 15: 0, 21: 0},
		"chunk deep proof":   append([]byte{0x41, 0x01}, append(make([]byte, 20), 33)...),
		"chunk empty":        append([]byte{0x41, 0x01}, make([]byte, 16+4+1+4)...),
		"chunk huge":         append(append([]byte{0x41, 0x01}, make([]byte, 16+4+1)...), 0, 3, 0, 1),
		"stop reason 0":      append([]byte{0x42, 0x01}, make([]byte, 16+1+8)...),
		"stop limit":         append(append([]byte{0x42, 0x01}, make([]byte, 16)...), 3, 0, 0, 0, 0, 0, 0, 0, 1),
		"offer layout 1":     {0x09, 0x02, 1},
		"fetch short":        append([]byte{0x44, 0x01}, make([]byte, 16+31)...),
		"fetch trailing":     append([]byte{0x44, 0x01}, make([]byte, 16+33)...),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := Decode(b)
			if !errors.Is(err, ErrMalformed) || r != nil {
				t.Fatalf("got %v, %v; want ErrMalformed", r, err)
			}
		})
	}
}

func TestDecodeUnknown(t *testing.T) {
	for _, b := range [][]byte{{0x00, 0x01}, {0xff, 0x07, 1, 2, 3}, {byte(TypeText), 3, 9, 9}, {byte(TypePing), 0}, {byte(TypePing), 2, 1}} {
		r, err := Decode(b)
		if err != nil {
			t.Fatalf("%x: %v", b, err)
		}
		u, ok := r.(*Unknown)
		if !ok || u.RecordType != Type(b[0]) || u.Version != b[1] || !bytes.Equal(u.Body, b[2:]) {
			t.Fatalf("%x decoded to %#v", b, r)
		}
	}
}

func TestDecodeDoesNotAlias(t *testing.T) {
	b, _ := Encode(&GroupInvite{ID: mid(1), Invite: []byte("abc")})
	r, _ := Decode(b)
	clear(b)
	if string(r.(*GroupInvite).Invite) != "abc" {
		t.Fatal("decoded record aliases the input")
	}
}

// TestGroupInviteLayout1: the first layout of GroupInvite (the invite
// alone, never sent by Nook) decodes as an Unknown, which receivers
// ignore; layout 2 is the one read.
func TestGroupInviteLayout1(t *testing.T) {
	r, err := Decode([]byte{byte(TypeGroupInvite), LayoutV1, 0, 0, 0, 3, 'a', 'b', 'c'})
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := r.(*Unknown); !ok || u.Version != LayoutV1 {
		t.Fatalf("decoded %#v", r)
	}
	if _, err := Decode([]byte{byte(TypeGroupInvite), 2, 1}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a truncated layout 2: %v", err)
	}
}

// TestReactionMalformed: a Reaction whose emoji is not one emoji, or
// longer than model.MaxEmojiBytes, is malformed.
func TestReactionMalformed(t *testing.T) {
	head := append([]byte{byte(TypeReaction), LayoutV1}, make([]byte, 16+16+8)...)
	for _, emoji := range []string{"ok", "👍 ", "\u202e👍", "👍\U000e0041", strings.Repeat("👍", 13)} {
		b := append(append(bytes.Clone(head), 0, byte(len(emoji))), emoji...)
		if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("emoji %q: %v, want ErrMalformed", emoji, err)
		}
	}
	if _, err := Decode(append(bytes.Clone(head), 0, 4, 0xf0, 0x9f, 0x91, 0x8d)); err != nil {
		t.Fatalf("a valid reaction: %v", err)
	}
}

// TestChangeMalformed: a Change whose payload its type's rule refuses,
// or one longer than its limit, is malformed; one of a type this version
// does not know decodes, to be acknowledged and dropped.
func TestChangeMalformed(t *testing.T) {
	head := append([]byte{byte(TypeChange), LayoutV1}, make([]byte, 16+16+8)...)
	change := func(typ model.ChangeType, payload string) []byte {
		b := append(bytes.Clone(head), byte(typ), 0, 0, 0, byte(len(payload)))
		return append(b, payload...)
	}
	for _, b := range [][]byte{
		change(model.ChangeReaction, "ok"),
		change(model.ChangeReaction, "👍\u202e"),
		change(model.ChangeEdit, ""),
		change(model.ChangeEdit, "\xff"),
		append(bytes.Clone(head), byte(model.ChangeEdit), 0, 1, 0, 1), // 65 537 bytes announced
		append(bytes.Clone(head), byte(model.ChangeEdit), 0, 0),       // truncated length
		append(change(model.ChangeEdit, "hi"), 0),                     // trailing byte
	} {
		if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("% x: %v, want ErrMalformed", b, err)
		}
	}
	r, err := Decode(change(0xfe, "later"))
	if err != nil {
		t.Fatalf("a change of an unknown type: %v", err)
	}
	if c, ok := r.(*Change); !ok || c.Change != 0xfe || string(c.Payload) != "later" {
		t.Fatalf("a change of an unknown type decoded as %#v", r)
	}
}
