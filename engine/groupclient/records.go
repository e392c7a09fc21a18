package groupclient

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
)

// The client's records live in one store bucket (bucketName):
//
//	"g" ‖ group ID [32]            → version 1 ‖ key [32] ‖ bundle [invite.BundleSize] ‖ name
//	"s" ‖ group ID [32]            → the profile's last sequence number in the group, u64
//	"n" ‖ group ID [32] ‖ author [32] → the display name the author last carried
//	"i" ‖ model ID [16]            → the full group message ID [32]
//	"q" ‖ model ID [16]            → the sealed blob of a queued post
//	"c" ‖ server key [32]          → the subscription cursor, u64
//	"w" ‖ server key [32]          → the token wallet (tokens.Wallet encoding)
//
// and each group's timeline in a bucket of its own (timelineBucket).
const bucketName = "groupclient"

const recordVersion = 1

// ErrCorrupt is returned (wrapped) for stored records that cannot be decoded.
var ErrCorrupt = errors.New("groupclient: damaged record")

func timelineBucket(id group.ID) string { return "grouptl:" + id.String() }

func key(kind byte, parts ...[]byte) []byte {
	k := []byte{kind}
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func groupKey(id group.ID) []byte               { return key('g', id[:]) }
func seqKey(id group.ID) []byte                 { return key('s', id[:]) }
func nameKey(id group.ID, author []byte) []byte { return key('n', id[:], author) }
func indexKey(id model.MessageID) []byte        { return key('i', id[:]) }
func queueKey(id model.MessageID) []byte        { return key('q', id[:]) }
func cursorKey(server [32]byte) []byte          { return key('c', server[:]) }
func walletKey(server [32]byte) []byte          { return key('w', server[:]) }

// groupRecord is a group as stored.
type groupRecord struct {
	name   string
	key    [group.KeySize]byte
	bundle invite.Bundle
}

func (r *groupRecord) encode() ([]byte, error) {
	b := []byte{recordVersion}
	b = append(b, r.key[:]...)
	b, err := r.bundle.AppendBinary(b)
	if err != nil {
		return nil, err
	}
	return append(b, r.name...), nil
}

func decodeGroupRecord(b []byte) (*groupRecord, error) {
	if len(b) < 1+group.KeySize+invite.BundleSize || b[0] != recordVersion {
		return nil, fmt.Errorf("%w: group record", ErrCorrupt)
	}
	r := &groupRecord{name: string(b[1+group.KeySize+invite.BundleSize:])}
	copy(r.key[:], b[1:])
	bundle, err := invite.ParseBundle(b[1+group.KeySize : 1+group.KeySize+invite.BundleSize])
	if err != nil {
		return nil, fmt.Errorf("%w: group record bundle: %w", ErrCorrupt, err)
	}
	r.bundle = *bundle
	return r, nil
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func parseU64(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: counter", ErrCorrupt)
	}
	return binary.BigEndian.Uint64(b), nil
}
