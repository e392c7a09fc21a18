package store

import (
	"encoding/binary"
	"fmt"

	"github.com/nookchat/nook/engine/model"
)

// Key kinds: the first byte of every key (see the package documentation).
const (
	kindMeta     = 'm'
	kindContact  = 'c'
	kindMessage  = 'M'
	kindMsgIndex = 'i'
	kindConv     = 'C'
	kindOutbox   = 'o'
	kindOutIndex = 'O'
	kindSetting  = 's'
	kindBucket   = 'b'
	kindIDConv   = 'I'
)

// maxName bounds conversation IDs, contact addresses, setting, bucket and
// bucket key names; Badger keys must stay small.
const maxName = 1024

func metaKey(name string) []byte { return append([]byte{kindMeta}, name...) }

func checkName(what, s string) error {
	if len(s) == 0 {
		return fmt.Errorf("%w: empty %s", ErrInvalid, what)
	}
	if len(s) > maxName {
		return fmt.Errorf("%w: %s longer than %d bytes", ErrInvalid, what, maxName)
	}
	return nil
}

// appendName appends a 2-byte length and s.
func appendName(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// convKey is kind | conv: the prefix of all records of one kind for conv.
func convKey(kind byte, conv model.ConversationID) []byte {
	k := make([]byte, 1, 3+len(conv)+8)
	k[0] = kind
	return appendName(k, string(conv))
}

// seqKey is kind | conv | n (big-endian, so keys sort by n).
func seqKey(kind byte, conv model.ConversationID, n uint64) []byte {
	return binary.BigEndian.AppendUint64(convKey(kind, conv), n)
}

// parseSeqKey splits a key made by seqKey.
func parseSeqKey(k []byte) (model.ConversationID, uint64, error) {
	if len(k) < 3 {
		return "", 0, fmt.Errorf("%w: short key", ErrCorrupt)
	}
	n := int(binary.BigEndian.Uint16(k[1:3]))
	if len(k) != 3+n+8 {
		return "", 0, fmt.Errorf("%w: bad key length", ErrCorrupt)
	}
	return model.ConversationID(k[3 : 3+n]), binary.BigEndian.Uint64(k[3+n:]), nil
}

func idKey(kind byte, id model.MessageID) []byte { return append([]byte{kind}, id[:]...) }

// msgIndexKey is i | conv | id: the index entry of conv's message id. The
// index is per conversation: a message ID chosen by one sender cannot
// shadow a message of another conversation.
func msgIndexKey(conv model.ConversationID, id model.MessageID) []byte {
	return append(convKey(kindMsgIndex, conv), id[:]...)
}

// idConvKey is I | id | conv: conv holds a message id. Its prefix I | id
// lists the conversations that hold a message of that ID (ConversationsWith).
func idConvKey(id model.MessageID, conv model.ConversationID) []byte {
	return append(idKey(kindIDConv, id), conv...)
}

// encodeSeq and decodeSeq are the value of a message index entry.
func encodeSeq(seq uint64) []byte {
	var e enc
	e.byte(recordVersion)
	e.uvarint(seq)
	return e.b
}

func decodeSeq(b []byte) (uint64, error) {
	d := dec{b: b, what: "index"}
	d.version()
	n := d.uvarint()
	return n, d.done()
}

// A pointer is the value of an index entry: a conversation and a number
// (a message's Seq, an outbox position).
func encodePointer(conv model.ConversationID, n uint64) []byte {
	var e enc
	e.byte(recordVersion)
	e.string(string(conv))
	e.uvarint(n)
	return e.b
}

func decodePointer(b []byte) (model.ConversationID, uint64, error) {
	d := dec{b: b, what: "index"}
	d.version()
	conv := d.string()
	n := d.uvarint()
	if err := d.done(); err != nil {
		return "", 0, err
	}
	if checkName("conversation", conv) != nil {
		return "", 0, fmt.Errorf("%w: index record: bad conversation", ErrCorrupt)
	}
	return model.ConversationID(conv), n, nil
}

func bucketPrefix(name string) []byte { return appendName([]byte{kindBucket}, name) }
