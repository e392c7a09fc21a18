package groupclient

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

var (
	// ErrUnknownGroup is returned by Post, Members, Invite and Leave for a
	// group the profile does not belong to (Members and Leave accept a
	// group left with its history kept).
	ErrUnknownGroup = errors.New("groupclient: no such group")
	// ErrUnknownMessage is returned by Post for a reply to a message that
	// is not a stored message of the group.
	ErrUnknownMessage = errors.New("groupclient: quoted message not found in the group")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("groupclient: closed")
)

// GroupInfo describes a group the profile belongs to.
type GroupInfo struct {
	ID           group.ID
	Conversation model.ConversationID
	Name         string
	// Server is the onion address of the group's server.
	Server identity.Address
	// ServerFingerprint is a short fingerprint of the server's bundle
	// (BundleFingerprint): members who compare it know that the server
	// handed them all the same address and token key.
	ServerFingerprint string
	// ServerConflict is set when another group of the profile on a server
	// with the same signing key has another onion address or token key: the
	// operator hands out different bundles, which lets it tell the groups'
	// blobs apart (a model.GroupWarning of kind "server bundles differ" said
	// so when it was found).
	ServerConflict bool
	// Left is set for a group the profile left whose messages it kept
	// (LeftGroups): read-only history, nothing is sent or received.
	Left bool
	// Epoch is the group's newest epoch this profile holds (0 until its
	// key is first renewed); Role the profile's role in it.
	Epoch uint32
	Role  model.GroupRole
	// Servers are the servers the group lives on, its own first (Server),
	// and what the client knows of each (docs/groups.md, "A group on two
	// servers").
	Servers []ServerState
}

// ServerState is what the client knows of one of a group's servers.
type ServerState struct {
	Address     identity.Address
	Fingerprint string // BundleFingerprint
	SigningKey  [32]byte
	// Connected is set while the client's subscription to it is up.
	Connected bool
	// UnreachableSince is when the client last failed to reach it after
	// reaching it (or since it started trying), zero while it is
	// reachable.
	UnreachableSince time.Time
	// CaughtUp is when the client last read everything it held, zero if
	// not since the client started.
	CaughtUp time.Time
	// LostHistory is when it last said it no longer held blobs it had
	// (restarted empty, or restored from a backup), zero if never since
	// the client started.
	LostHistory time.Time
}

// BundleFingerprint returns a short fingerprint of a server bundle's onion
// address, signing key and token key (not its creation time, which a
// server may sign again): 20 lower-case base32 characters in groups of 4,
// the first 100 bits of SHA-256("nook server fingerprint v1\x00" ‖ onion
// key ‖ signing key ‖ token key).
func BundleFingerprint(b *invite.Bundle) string {
	h := sha256.New()
	h.Write([]byte("nook server fingerprint v1\x00"))
	h.Write(b.Address.PublicKey())
	h.Write(b.SigningKey[:])
	h.Write(b.TokenKey[:])
	enc := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:13]))[:20]
	var out strings.Builder
	for i := 0; i < len(enc); i += 4 {
		if i > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(enc[i : i+4])
	}
	return out.String()
}

// sameBundle reports whether two bundles of one signing key agree on what
// matters: the onion address and the token key.
func sameBundle(a, b *invite.Bundle) bool { return a.Address == b.Address && a.TokenKey == b.TokenKey }

// conflictLocked reports whether another group on gs's server (same
// signing key) has another address or token key. c.mu is held.
func (c *Client) conflictLocked(gs *groupState) bool {
	for _, b := range gs.bundles() {
		for _, o := range c.groupsOnLocked(b.SigningKey) {
			for _, ob := range o.bundles() {
				if ob.SigningKey == b.SigningKey && !sameBundle(&ob, &b) {
					return true
				}
			}
		}
	}
	return false
}

// Member is an author seen in a group.
type Member struct {
	Address identity.Address
	// Name is the display name the member last carried, or empty.
	Name string
	// Messages is the number of their messages seen (join and leave
	// notices not counted).
	Messages uint64
	// Left is set when their last message was a notice that they left
	// the group.
	Left bool
	// IsContact and NameCollides are set by the engine (engine.GroupMembers),
	// which knows the profile's contacts; the group client leaves them
	// false. IsContact: the member is an accepted contact (the app shows
	// the contact's own name). NameCollides: the member is not a contact and
	// carries a name that a contact, the profile itself or another member
	// also goes by: someone may be passing as them.
	IsContact    bool
	NameCollides bool
	// Self is set for the profile itself.
	Self bool
	// Contact is the onion address of the profile's contact this member
	// is, when their contact tags say so (or their key is that contact's
	// onion key: a membership from before per-group keys); empty
	// otherwise. Only that contact can tell.
	Contact identity.Address
	// Role is the member's role in the group's newest epoch (RoleMember
	// for a group left); Removed is set when an admin removed them.
	Role    model.GroupRole
	Removed bool
}

// groupState is one group of the profile.
type groupState struct {
	rec groupRecord
	// self signs the profile's messages in the group: its per-group key
	// (or, for a membership from before per-group keys, the profile's
	// onion key).
	self *identity.Identity
	g    *group.Group
	conv model.ConversationID
	tl   *group.Timeline // guarded by Client.mu
	// head is the last message of the group this client saw: observed
	// from the server or posted itself (the Prev of its next post);
	// guarded by Client.mu.
	head group.MessageID
	tlb  *store.Bucket
	// left holds the members whose last message said they left, with the
	// sequence number of that notice; guarded by Client.mu.
	left map[identity.Address]uint64
	// epochs are the group's epochs, oldest first (epochs[0].g is g);
	// partsSeen, per rotation salt, the parts seen without a key for this
	// profile. Both guarded by Client.mu.
	epochs    []*epochState
	partsSeen map[[16]byte]uint16
	// readmitted holds the removed members seen writing in an epoch
	// after their removal (invited again), with that epoch.
	readmitted map[group.PublicKey]uint32
	// backfill, when not 0, is the server's cursor when the group was
	// joined on a server already in use: the blobs up to it were stored
	// for the other groups only and are read again for this one. The
	// group's posts wait until that is done, so that its history comes
	// before them. Guarded by Client.mu.
	backfill uint64
	// pending holds, for a group on several servers, the findings that
	// another server may still answer (withheld.go); guarded by
	// Client.mu. pendingDirty: changed since last stored.
	pending      []*pendingFinding
	pendingDirty bool
	// limitArmed: a wait for the limit of the findings held back is
	// armed (sayAtMaxLocked); guarded by Client.mu.
	limitArmed bool
	// serversAt is the version of the last list of servers followed
	// (servers.go); guarded by Client.mu.
	serversAt serversVersion
}

// Client is a profile's group client. Its methods are safe for concurrent
// use.
type Client struct {
	cfg    Config
	st     *store.Store
	bucket *store.Bucket

	// leaveMu serialises Leave and JoinGroup (and the cleanups Start
	// finishes), so that a group is never joined while its leaving is
	// half done. It is taken before mu.
	leaveMu sync.Mutex

	mu      sync.Mutex // guards groups, servers, sending, ctx, started, closed and every group's timeline
	groups  map[group.ID]*groupState
	servers map[[32]byte]*server
	// sending counts, per queued post, the posters sending it now (from
	// its last sealing to the server's answer): a post being sent may be
	// on a server whatever the stored marks say (retract.go).
	sending map[model.MessageID]int
	ctx     context.Context
	cancel  context.CancelFunc
	started bool
	closed  bool
	wg      sync.WaitGroup
}

// New returns a client; it starts nothing. Errors wrap ErrConfig.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, st: cfg.Store, bucket: cfg.Store.Bucket(bucketName),
		groups: map[group.ID]*groupState{}, servers: map[[32]byte]*server{},
		sending: map[model.MessageID]int{}}, nil
}

// Start finishes the leaving of groups that a crash interrupted, loads the
// profile's groups and starts connecting to their servers, and to the
// servers of groups left whose leave notice is still to be posted. It
// does not wait for the network, so it takes no context: Close stops what
// it started.
func (c *Client) Start() error {
	c.leaveMu.Lock()
	defer c.leaveMu.Unlock()
	if err := c.start(); err != nil {
		return err
	}
	if err := c.finishLeaves(); err != nil {
		return fmt.Errorf("groupclient: finish leaving: %w", err)
	}
	return nil
}

func (c *Client) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	if c.started {
		return nil
	}
	var recs []*groupRecord
	err := c.bucket.Iterate([]byte("g"), func(k, v []byte) error {
		r, err := decodeGroupRecord(v)
		if err != nil {
			return err
		}
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("groupclient: load groups: %w", err)
	}
	notices, err := c.pendingNotices(nil)
	if err != nil {
		return fmt.Errorf("groupclient: load leave notices: %w", err)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.started = true
	for _, r := range recs {
		if _, err := c.addLocked(r); err != nil {
			return err
		}
	}
	for _, n := range notices {
		srv := c.serverLocked(n.bundle)
		srv.startPosterLocked()
		srv.wakePoster()
	}
	return nil
}

// Close stops every connection, waits for the client's goroutines and
// wipes the group keys it holds (best effort, see docs/security.md).
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	c.wg.Wait()
	// Wipe the group keys held in memory (best effort: copies made by the
	// runtime, or in invite texts shown, are out of reach).
	c.mu.Lock()
	for _, gs := range c.groups {
		gs.wipeEpochs()
		clear(gs.rec.key[:])
	}
	c.mu.Unlock()
	return nil
}

// addLocked registers a group (already persisted) and starts its server's
// goroutines if needed. c.mu is held.
func (c *Client) addLocked(r *groupRecord) (*groupState, error) {
	g, err := r.newGroup()
	if err != nil {
		return nil, err
	}
	if gs, ok := c.groups[g.ID()]; ok {
		return gs, nil
	}
	gs := &groupState{rec: *r, g: g, conv: g.ID().Conversation(), tlb: c.st.Bucket(timelineBucket(g.ID())), self: c.cfg.Self}
	if r.signer != ([32]byte{}) {
		if gs.self, err = identity.FromSeed(r.signer[:]); err != nil {
			return nil, err
		}
	}
	gs.tl, err = group.LoadTimeline(gs.tlb, group.TimelineOptions{Known: c.knownFunc(gs.conv)})
	if err != nil {
		return nil, fmt.Errorf("groupclient: load timeline: %w", err)
	}
	gs.head = gs.tl.Head()
	if gs.left, err = c.loadLeftMembers(g.ID()); err != nil {
		return nil, err
	}
	if err := c.loadPending(gs); err != nil {
		return nil, fmt.Errorf("groupclient: load findings held back: %w", err)
	}
	if len(gs.pending) > 0 {
		c.sayLaterLocked(gs)
		c.sayAtMaxLocked(gs, c.cfg.Now())
	}
	switch v, err := c.bucket.Get(backfillKey(g.ID())); {
	case err == nil:
		if gs.backfill, err = parseU64(v); err != nil {
			return nil, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if gs.serversAt, err = c.loadServersVersion(g.ID()); err != nil {
		return nil, err
	}
	if gs.partsSeen, err = c.loadPartsSeen(g.ID()); err != nil {
		return nil, err
	}
	if gs.readmitted, err = c.loadReadmitted(g.ID()); err != nil {
		return nil, err
	}
	if err := c.loadEpochs(gs); err != nil {
		return nil, fmt.Errorf("groupclient: load epochs: %w", err)
	}
	if err := c.migrateOwner(gs); err != nil {
		return nil, fmt.Errorf("groupclient: owner of a group made before epochs: %w", err)
	}
	if c.conflictLocked(gs) {
		c.cfg.Emit(model.NewGroupWarning(gs.conv, string(r.bundle.Address), "", "server bundles differ", model.Say("groupwarning.server_bundles_differ")))
	}
	c.groups[g.ID()] = gs
	c.startServersLocked(gs)
	return gs, nil
}

// serverLocked returns the client's state for the server of bundle,
// making it on first use. c.mu is held.
func (c *Client) serverLocked(b invite.Bundle) *server {
	srv, ok := c.servers[b.SigningKey]
	if !ok {
		srv = newServer(c, b)
		c.servers[b.SigningKey] = srv
	}
	return srv
}

// knownFunc answers a timeline's question "was this message delivered by
// the server before" from the store: a received message, or one of ours
// that came back (delivered).
func (c *Client) knownFunc(conv model.ConversationID) func(group.MessageID) bool {
	return func(id group.MessageID) bool {
		m, err := c.st.GetMessage(conv, id.Model())
		return err == nil && m.Conversation == conv &&
			(m.Status == model.StatusReceived || m.Status == model.StatusDelivered)
	}
}

// CreateGroup creates a group with a random key on the server of bundle
// and joins it. name is the group's name (invite.MaxNameRunes).
func (c *Client) CreateGroup(name string, bundle *invite.Bundle) (GroupInfo, error) {
	var key [group.KeySize]byte
	if _, err := io.ReadFull(c.cfg.Rand, key[:]); err != nil {
		return GroupInfo{}, fmt.Errorf("groupclient: group key: %w", err)
	}
	inv, err := invite.NewGroupInvite(name, key, bundle)
	if err != nil {
		return GroupInfo{}, err
	}
	return c.join(inv, group.PublicKey{}, true)
}

// JoinGroup joins the group of an invite and queues a join notice (a
// group.KindJoined message, stored here as a model.KindNote "joined" once
// it came back from the server). On a server the profile already follows
// for another group, the blobs the server holds are read again for the
// new group (its history, its members' join notices), and its posts wait
// until that is done.
// Joining a group again returns it unchanged. Joining a group left
// earlier (history kept) makes it a group of the profile again, with its
// history.
func (c *Client) JoinGroup(inv *invite.GroupInvite) (GroupInfo, error) {
	owner, _ := inv.Owner()
	return c.join(inv, owner, false)
}

// join joins the group of inv, whose owner is known (its creator, or from
// a G2 invite) or zero; created says the group was just created here (it
// has no history to come before the join notice).
func (c *Client) join(inv *invite.GroupInvite, owner group.PublicKey, created bool) (GroupInfo, error) {
	r := &groupRecord{name: inv.Name(), key: inv.Key(), bundle: *inv.Bundle(), owner: owner, base: inv.Epoch()}
	for _, b := range inv.Bundles()[1:] {
		r.more = append(r.more, *b)
	}
	// A per-group signing key, so that the others learn no onion address
	// from the group (docs/groups.md, "Per-group identities").
	if _, err := io.ReadFull(c.cfg.Rand, r.signer[:]); err != nil {
		return GroupInfo{}, fmt.Errorf("groupclient: group signing key: %w", err)
	}
	defer clear(r.signer[:])
	if created {
		signer, err := identity.FromSeed(r.signer[:])
		if err != nil {
			return GroupInfo{}, err
		}
		r.owner = group.KeyOf(signer.Address())
	}
	if id, ok := inv.GroupID(); ok {
		r.id = id
	} else {
		r.id = group.DeriveID(r.key, r.bundle.SigningKey)
	}
	if err := r.bundle.Verify(); err != nil {
		return GroupInfo{}, err
	}
	g, err := r.newGroup()
	if err != nil {
		return GroupInfo{}, err
	}
	c.leaveMu.Lock()
	defer c.leaveMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return GroupInfo{}, ErrClosed
	}
	if gs, ok := c.groups[g.ID()]; ok {
		return c.infoLocked(gs), nil
	}
	v, err := r.encode()
	if err != nil {
		return GroupInfo{}, err
	}
	// On a server already in use, the cursor is past the group's history:
	// it is read again for this group (backfill).
	var cursor uint64
	switch cv, err := c.bucket.Get(cursorKey(r.bundle.SigningKey)); {
	case err == nil:
		if cursor, err = parseU64(cv); err != nil {
			return GroupInfo{}, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return GroupInfo{}, err
	}
	err = c.bucket.Update(func(tx *store.BucketTx) error {
		if err := tx.Delete(leftKey(g.ID())); err != nil {
			return err
		}
		// A new signing key numbers its messages from 1 (a group left
		// and joined again is joined under a new key).
		if err := tx.Delete(seqKey(g.ID())); err != nil {
			return err
		}
		if signer, err := identity.FromSeed(r.signer[:]); err != nil {
			return err
		} else if err := tx.Put(mineKey(g.ID()), signer.PublicKey()); err != nil {
			return err
		}
		if cursor > 0 {
			if err := tx.Put(backfillKey(g.ID()), u64(cursor)); err != nil {
				return err
			}
		}
		return tx.Put(groupKey(g.ID()), v)
	})
	if err != nil {
		return GroupInfo{}, fmt.Errorf("groupclient: store group: %w", err)
	}
	gs, err := c.addLocked(r)
	if err != nil {
		return GroupInfo{}, err
	}
	if gs.backfill > 0 {
		c.servers[r.bundle.SigningKey].kickSubscriber()
	}
	// Tell the others: a join notice, posted like a message, shown to
	// them (and here) as a note, which also makes this profile a member
	// they count before it writes.
	if c.cfg.NoJoinNotice {
		return c.infoLocked(gs), nil
	}
	notice := group.Message{Kind: group.KindJoined, Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: gs.head}
	// A group joined from an invite stores it when it comes back from the
	// server, after the history the server holds; a group created here
	// has none and stores it at once.
	var local *model.Message
	if created {
		local = &model.Message{Kind: model.KindNote, Body: model.NoteJoined}
	}
	if _, err := c.queuePostLocked(gs, &notice, local); err != nil {
		return c.infoLocked(gs), fmt.Errorf("groupclient: joined, but the join notice was not queued: %w", err)
	}
	if err := c.queueKnownToLocked(gs); err != nil {
		return c.infoLocked(gs), fmt.Errorf("groupclient: joined, but the contact tags were not queued: %w", err)
	}
	return c.infoLocked(gs), nil
}

// infoLocked describes gs. c.mu is held.
func (c *Client) infoLocked(gs *groupState) GroupInfo {
	return GroupInfo{ID: gs.g.ID(), Conversation: gs.conv, Name: gs.rec.name, Server: gs.rec.bundle.Address,
		ServerFingerprint: BundleFingerprint(&gs.rec.bundle), ServerConflict: c.conflictLocked(gs),
		Epoch: gs.cur().n, Role: gs.roleOf(group.KeyOf(gs.self.Address())), Servers: c.serverStatesLocked(gs)}
}

// Groups returns the profile's groups, ordered by name.
func (c *Client) Groups() []GroupInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]GroupInfo, 0, len(c.groups))
	for _, gs := range c.groups {
		out = append(out, c.infoLocked(gs))
	}
	slices.SortFunc(out, func(a, b GroupInfo) int {
		if n := strings.Compare(a.Name, b.Name); n != 0 {
			return n
		}
		return strings.Compare(a.ID.String(), b.ID.String())
	})
	return out
}

// Invite returns the invite text of a group: NOOK:G3:… (the first key and
// the owner) while the group is in its first epoch, NOOK:G2:… (the newest
// epoch's key, the group ID and the owner) after a rotation. A member who
// joined from a G1 invite does not know the owner and hands on what it
// has, a G1 invite, in the first epoch (ErrOwnerUnknown after it). The
// text holds a group key: whoever has it can read and post, until the
// next rotation revokes it.
func (c *Client) Invite(id group.ID) (string, error) {
	gs, err := c.group(id)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	cur, owner, curKey, firstKey := gs.cur(), gs.rec.owner, gs.cur().key, gs.rec.key
	var bundles []*invite.Bundle
	for _, b := range gs.bundles() {
		bundles = append(bundles, &b)
	}
	c.mu.Unlock()
	defer clear(curKey[:])
	defer clear(firstKey[:])
	var inv *invite.GroupInvite
	switch {
	case cur.n == 0 && owner == (group.PublicKey{}):
		inv, err = invite.NewGroupInvite(gs.rec.name, firstKey, &gs.rec.bundle)
	case owner == (group.PublicKey{}):
		return "", ErrOwnerUnknown
	case cur.n == 0 || len(bundles) > 1:
		key := curKey
		if cur.n == 0 {
			key = firstKey
		}
		inv, err = invite.NewGroupInviteOwned(gs.rec.name, cur.n, key, gs.g.ID(), owner, bundles)
	default:
		inv, err = invite.NewGroupInviteEpoch(gs.rec.name, cur.n, curKey, gs.g.ID(), owner, &gs.rec.bundle)
	}
	if err != nil {
		return "", err
	}
	return inv.Encode(), nil
}

// Members returns the authors seen in a group (every member whose join
// notice or message arrived, the profile included once its own came
// back), with the display names they
// last carried and whether they announced that they left. For a group
// left with its history kept, it returns the members as they were then.
func (c *Client) Members(id group.ID) ([]Member, error) {
	c.mu.Lock()
	gs, ok := c.groups[id]
	var (
		authors map[identity.Address]uint64
		left    map[identity.Address]uint64
		roles   = map[identity.Address]model.GroupRole{}
		removed = map[identity.Address]bool{}
		self    identity.Address
	)
	if ok {
		self = gs.self.Address()
		authors = gs.tl.Authors()
		left = maps.Clone(gs.left)
		for addr := range authors {
			k := group.KeyOf(addr)
			roles[addr] = gs.roleOf(k)
			removed[addr] = gs.isRemoved(k)
		}
	}
	c.mu.Unlock()
	if !ok {
		var err error
		if authors, left, err = c.leftGroupMembers(id); err != nil {
			return nil, err
		}
		if v, err := c.bucket.Get(mineKey(id)); err == nil && len(v) == 32 {
			self = identity.AddressFromPublicKey(v)
		}
	}
	certified, err := c.certified(id, slices.Collect(maps.Keys(authors)))
	if err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(authors))
	for addr, n := range authors {
		_, gone := left[addr]
		m := Member{Address: addr, Messages: n, Left: gone, Role: roles[addr], Removed: removed[addr],
			Self: addr == self || addr == c.cfg.Self.Address(), Contact: certified[addr]}
		if v, err := c.bucket.Get(nameKey(id, addr.PublicKey())); err == nil {
			m.Name = string(v)
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(string(a.Address), string(b.Address)) })
	return out, nil
}

func (c *Client) group(id group.ID) (*groupState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gs, ok := c.groups[id]
	if !ok {
		return nil, ErrUnknownGroup
	}
	return gs, nil
}

// groupsOnLocked returns the groups living on the server with the given
// key (the group's own server or one of its others).
// c.mu is held.
func (c *Client) groupsOnLocked(server [ed25519.PublicKeySize]byte) []*groupState {
	var out []*groupState
	for _, gs := range c.groups {
		if gs.on(server) {
			out = append(out, gs)
		}
	}
	return out
}
