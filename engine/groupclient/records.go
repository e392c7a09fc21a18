package groupclient

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
)

// The client's records live in one store bucket (bucketName):
//
//	"g" ‖ group ID [32]            → version 4 ‖ key [32] ‖ bundle [invite.BundleSize] ‖ owner [32]
//	                                 ‖ base u32 ‖ group ID [32] ‖ signer [32]
//	                                 ‖ n u8 ‖ n × bundle [invite.BundleSize] ‖ name
//	                                 (bundle: the group's own server, whose key derives its ID; the n
//	                                 others: the further servers it lives on, at most
//	                                 invite.MaxGroupServers − 1, servers.go);
//	                                 (key: the key of epoch base, the first the profile holds, from its
//	                                 invite; owner: the owner's signing key, zeros while unknown;
//	                                 signer: the seed of the profile's per-group signing key, zeros for
//	                                 a membership that signs with the profile's onion key);
//	                                 version 3 (before a group could live on several servers): the
//	                                 same without n and the further bundles;
//	                                 version 2 (before per-group keys): version 3 without signer, which
//	                                 is then the onion key;
//	                                 version 1 (before epochs): key [32] ‖ bundle ‖ name, epoch 0, owner migrated
//	"k" ‖ group ID [32] ‖ author [32] → the body of the author's newest contact tags (group.KindKnownTo)
//	"m" ‖ group ID [32]            → the profile's per-group public key [32], kept after leaving
//	                                 (with the history) so that its own messages stay its own
//	"t" ‖ group ID [32] ‖ SHA-256(contact address)[:8] → empty: a contact the profile's own
//	                                 newest tags in the group include (identities.go)
//	"e" ‖ group ID [32] ‖ epoch u32 → an epoch after the first (epochs.go)
//	"a" ‖ group ID [32] ‖ author [32] → epoch u32: a removed member seen writing in that epoch
//	                                 or a later one, so invited again (epochs.go)
//	"r" ‖ group ID [32] ‖ salt [16]  → u16: the parts of a rotation seen without a key for the
//	                                 profile, one bit each (epochs.go)
//	"s" ‖ group ID [32]            → the profile's last sequence number in the group, u64
//	"n" ‖ group ID [32] ‖ author [32] → the display name the author last carried
//	"i" ‖ model ID [16]            → the full group message ID [32]
//	"q" ‖ model ID [16]            → the sealed blob of a queued post [protocol.BlobSize]
//	                                 ‖ the posting token reserved for it when it was queued
//	                                 [tokens.TokenSize], if any (tokens.go: reserveToken);
//	                                 written before: the blob alone
//	"y" ‖ server key [32] ‖ model ID [16] → empty: a queued post of a group on several servers is
//	                                 on that server; it leaves the queue once on every one (servers.go)
//	"c" ‖ server key [32]          → the subscription cursor, u64
//	"w" ‖ server key [32]          → the token wallet (tokens.Wallet encoding)
//	"x" ‖ group ID [32] ‖ author [32] → seq u64 of the author's leave notice, while it is
//	                                 their last message
//	"l" ‖ group ID [32]            → a group left with its history kept: version 1 ‖
//	                                 address length u8 ‖ server address ‖ name
//	"f" ‖ server key [32] ‖ group ID [32] → the profile's leave notice, still to be posted:
//	                                 version 2 ‖ bundle [invite.BundleSize] ‖ n × sealed blob
//	                                 (1 ≤ n ≤ maxNoticeCopies: the same notice sealed n times,
//	                                 each copy sent at most once but the last); version 1
//	                                 (written before) holds one blob
//	"b" ‖ group ID [32]            → u64: the server's cursor when the group was joined
//	                                 on a server already in use; the blobs up to it
//	                                 are read again for this group (backfill)
//	"v" ‖ group ID [32]            → the last list of servers accepted: version 1 ‖ epoch u32 ‖
//	                                 sent (Unix nanoseconds, i64) of its KindServers message; a
//	                                 list is followed only if newer (servers.go); none before
//	"p" ‖ group ID [32]            → a leaving whose cleanup is not finished: version 1 ‖
//	                                 mode u8 (1 keep history, 2 delete it) ‖ n × model ID [16]
//	                                 (the posts that were queued)
//
// and each group's timeline in a bucket of its own (timelineBucket), which
// also holds, under "w", the findings held back for a group on several
// servers (withheld.go, savePending).
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

func groupKey(id group.ID) []byte                     { return key('g', id[:]) }
func seqKey(id group.ID) []byte                       { return key('s', id[:]) }
func nameKey(id group.ID, author []byte) []byte       { return key('n', id[:], author) }
func indexKey(id model.MessageID) []byte              { return key('i', id[:]) }
func queueKey(id model.MessageID) []byte              { return key('q', id[:]) }
func cursorKey(server [32]byte) []byte                { return key('c', server[:]) }
func walletKey(server [32]byte) []byte                { return key('w', server[:]) }
func leftMemberKey(id group.ID, author []byte) []byte { return key('x', id[:], author) }
func leftKey(id group.ID) []byte                      { return key('l', id[:]) }
func noticeKey(server [32]byte, id group.ID) []byte   { return key('f', server[:], id[:]) }
func cleanupKey(id group.ID) []byte                   { return key('p', id[:]) }
func backfillKey(id group.ID) []byte                  { return key('b', id[:]) }
func mineKey(id group.ID) []byte                      { return key('m', id[:]) }
func knownToKey(id group.ID, author []byte) []byte    { return key('k', id[:], author) }
func serversAtKey(id group.ID) []byte                 { return key('v', id[:]) }

// groupRecordVersion is the layout of "g" records this client writes;
// version 1 (before epochs) is still read.
const groupRecordVersion = 4

// groupRecord is a group as stored.
type groupRecord struct {
	name   string
	key    [group.KeySize]byte // the key of epoch base (the invite's)
	bundle invite.Bundle
	owner  group.PublicKey // zero while unknown
	base   uint32          // the first epoch the profile holds
	id     group.ID        // the group ID
	// signer is the seed of the profile's per-group signing key; zero
	// for a membership from before per-group keys, which goes on
	// signing with the profile's onion key (docs/groups.md,
	// "Per-group identities").
	signer [32]byte
	// more are the bundles of the further servers the group lives on
	// (docs/groups.md, "A group on two servers"), none for a group on
	// its own server only.
	more []invite.Bundle
	// v1: read from a version 1 record (made before epochs), whose owner
	// is migrated once (migrateOwner).
	v1 bool
}

// newGroup returns the group of r's first epoch.
func (r *groupRecord) newGroup() (*group.Group, error) {
	if r.base == 0 {
		return group.New(r.key, r.bundle.SigningKey)
	}
	return group.NewEpoch(r.id, r.base, r.key)
}

func (r *groupRecord) encode() ([]byte, error) {
	b := []byte{groupRecordVersion}
	b = append(b, r.key[:]...)
	b, err := r.bundle.AppendBinary(b)
	if err != nil {
		return nil, err
	}
	b = append(b, r.owner[:]...)
	b = binary.BigEndian.AppendUint32(b, r.base)
	b = append(b, r.id[:]...)
	b = append(b, r.signer[:]...)
	if len(r.more) >= invite.MaxGroupServers {
		return nil, fmt.Errorf("%w: group record with %d servers", ErrCorrupt, 1+len(r.more))
	}
	b = append(b, byte(len(r.more)))
	for i := range r.more {
		if b, err = r.more[i].AppendBinary(b); err != nil {
			return nil, err
		}
	}
	return append(b, r.name...), nil
}

func decodeGroupRecord(b []byte) (*groupRecord, error) {
	const fixed = 1 + group.KeySize + invite.BundleSize
	const fixed2 = fixed + 32 + 4 + 32
	const fixed3 = fixed2 + 32
	if len(b) < fixed || b[0] < recordVersion || b[0] > groupRecordVersion ||
		b[0] == 2 && len(b) < fixed2 || b[0] >= 3 && len(b) < fixed3 || b[0] == 4 && len(b) < fixed3+1 {
		return nil, fmt.Errorf("%w: group record", ErrCorrupt)
	}
	r := &groupRecord{name: string(b[fixed:])}
	if b[0] >= 2 {
		r.owner = group.PublicKey(b[fixed:])
		r.base = binary.BigEndian.Uint32(b[fixed+32:])
		r.id = group.ID(b[fixed+36:])
		r.name = string(b[fixed2:])
	}
	if b[0] >= 3 {
		r.signer = [32]byte(b[fixed2:])
		r.name = string(b[fixed3:])
	}
	if b[0] == 4 {
		n := int(b[fixed3])
		rest := b[fixed3+1:]
		if n >= invite.MaxGroupServers || len(rest) < n*invite.BundleSize {
			return nil, fmt.Errorf("%w: group record servers", ErrCorrupt)
		}
		for i := range n {
			more, err := invite.ParseBundle(rest[i*invite.BundleSize : (i+1)*invite.BundleSize])
			if err != nil {
				return nil, fmt.Errorf("%w: group record bundle: %w", ErrCorrupt, err)
			}
			r.more = append(r.more, *more)
		}
		r.name = string(rest[n*invite.BundleSize:])
	}
	copy(r.key[:], b[1:])
	bundle, err := invite.ParseBundle(b[1+group.KeySize : 1+group.KeySize+invite.BundleSize])
	if err != nil {
		return nil, fmt.Errorf("%w: group record bundle: %w", ErrCorrupt, err)
	}
	r.bundle = *bundle
	seen := map[[32]byte]bool{r.bundle.SigningKey: true}
	for _, m := range r.more {
		if seen[m.SigningKey] {
			return nil, fmt.Errorf("%w: group record names a server twice", ErrCorrupt)
		}
		seen[m.SigningKey] = true
	}
	switch derived := group.DeriveID(r.key, r.bundle.SigningKey); {
	case b[0] == recordVersion:
		r.id, r.v1 = derived, true
	case r.base == 0 && r.id != derived:
		return nil, fmt.Errorf("%w: group record of another group", ErrCorrupt)
	}
	return r, nil
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func parseU64(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: counter", ErrCorrupt)
	}
	return binary.BigEndian.Uint64(b), nil
}

// leftRecord is a group left with its history kept.
type leftRecord struct {
	server identity.Address
	name   string
}

func (r *leftRecord) encode() []byte {
	b := []byte{recordVersion, byte(len(r.server))}
	b = append(b, r.server...)
	return append(b, r.name...)
}

func decodeLeftRecord(b []byte) (*leftRecord, error) {
	if len(b) < 2 || b[0] != recordVersion || len(b) < 2+int(b[1]) {
		return nil, fmt.Errorf("%w: left group record", ErrCorrupt)
	}
	return &leftRecord{server: identity.Address(b[2 : 2+int(b[1])]), name: string(b[2+int(b[1]):])}, nil
}

// noticeVersion is the layout version of "f" records this client writes;
// version 1 (one copy) is still read.
const noticeVersion = 2

// noticeCopies is the number of copies of a leave notice sealed when
// leaving: a resend (after a lost answer or a refused token) takes a copy
// not sent before, since the group key that could seal another is
// forgotten. maxNoticeCopies bounds what a record may hold.
const (
	noticeCopies    = 4
	maxNoticeCopies = 16
)

// noticeRecord is a leave notice waiting to be posted: the same signed
// notice sealed into one or more blobs.
type noticeRecord struct {
	group  group.ID
	bundle invite.Bundle
	blobs  [][]byte
}

func (r *noticeRecord) encode() ([]byte, error) {
	if len(r.blobs) == 0 || len(r.blobs) > maxNoticeCopies {
		return nil, fmt.Errorf("%w: leave notice with %d copies", ErrCorrupt, len(r.blobs))
	}
	b, err := r.bundle.AppendBinary([]byte{noticeVersion})
	if err != nil {
		return nil, err
	}
	for _, blob := range r.blobs {
		b = append(b, blob...)
	}
	return b, nil
}

func decodeNoticeRecord(id group.ID, b []byte) (*noticeRecord, error) {
	if len(b) < 1+invite.BundleSize+group.BlobSize {
		return nil, fmt.Errorf("%w: leave notice", ErrCorrupt)
	}
	blobs := b[1+invite.BundleSize:]
	n := len(blobs) / group.BlobSize
	switch {
	case len(blobs)%group.BlobSize != 0,
		b[0] == 1 && n != 1,
		b[0] == noticeVersion && n > maxNoticeCopies,
		b[0] != 1 && b[0] != noticeVersion:
		return nil, fmt.Errorf("%w: leave notice", ErrCorrupt)
	}
	bundle, err := invite.ParseBundle(b[1 : 1+invite.BundleSize])
	if err != nil {
		return nil, fmt.Errorf("%w: leave notice bundle: %w", ErrCorrupt, err)
	}
	r := &noticeRecord{group: id, bundle: *bundle}
	for i := range n {
		r.blobs = append(r.blobs, blobs[i*group.BlobSize:(i+1)*group.BlobSize])
	}
	return r, nil
}

// Cleanup modes of a "p" record.
const (
	cleanupKeep   byte = 1 // mark the dropped posts failed
	cleanupDelete byte = 2 // delete the conversation and everything about the group
)

// cleanupRecord is the unfinished part of a leaving.
type cleanupRecord struct {
	mode   byte
	queued []model.MessageID
}

func (r *cleanupRecord) encode() []byte {
	b := []byte{recordVersion, r.mode}
	for _, id := range r.queued {
		b = append(b, id[:]...)
	}
	return b
}

func decodeCleanupRecord(b []byte) (*cleanupRecord, error) {
	var id model.MessageID
	if len(b) < 2 || b[0] != recordVersion || (b[1] != cleanupKeep && b[1] != cleanupDelete) || (len(b)-2)%len(id) != 0 {
		return nil, fmt.Errorf("%w: leave cleanup record", ErrCorrupt)
	}
	r := &cleanupRecord{mode: b[1]}
	for p := b[2:]; len(p) > 0; p = p[len(id):] {
		r.queued = append(r.queued, model.MessageID(p[:len(id)]))
	}
	return r, nil
}
