package groupclient

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

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
	// Left is set for a group the profile left whose messages it kept
	// (LeftGroups): read-only history, nothing is sent or received.
	Left bool
}

// Member is an author seen in a group.
type Member struct {
	Address identity.Address
	// Name is the display name the member last carried, or empty.
	Name string
	// Messages is the number of their messages seen.
	Messages uint64
	// Left is set when their last message was a notice that they left
	// the group.
	Left bool
}

// groupState is one group of the profile.
type groupState struct {
	rec  groupRecord
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

	mu      sync.Mutex // guards groups, servers, ctx, started, closed and every group's timeline
	groups  map[group.ID]*groupState
	servers map[[32]byte]*server
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
		groups: map[group.ID]*groupState{}, servers: map[[32]byte]*server{}}, nil
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

// Close stops every connection and waits for the client's goroutines.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	c.wg.Wait()
	return nil
}

// addLocked registers a group (already persisted) and starts its server's
// goroutines if needed. c.mu is held.
func (c *Client) addLocked(r *groupRecord) (*groupState, error) {
	g, err := group.New(r.key, r.bundle.SigningKey)
	if err != nil {
		return nil, err
	}
	if gs, ok := c.groups[g.ID()]; ok {
		return gs, nil
	}
	gs := &groupState{rec: *r, g: g, conv: g.ID().Conversation(), tlb: c.st.Bucket(timelineBucket(g.ID()))}
	gs.tl, err = group.LoadTimeline(gs.tlb, group.TimelineOptions{Known: c.knownFunc(gs.conv)})
	if err != nil {
		return nil, fmt.Errorf("groupclient: load timeline: %w", err)
	}
	gs.head = gs.tl.Head()
	if gs.left, err = c.loadLeftMembers(g.ID()); err != nil {
		return nil, err
	}
	c.groups[g.ID()] = gs
	srv := c.serverLocked(r.bundle)
	if c.started && !c.closed {
		srv.startPosterLocked()
		srv.startSubscriberLocked()
	}
	srv.wakePoster()
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
		m, err := c.st.GetMessage(id.Model())
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
	return c.JoinGroup(inv)
}

// JoinGroup joins the group of an invite. Joining a group again returns
// it unchanged. Joining a group left earlier (history kept) makes it a
// group of the profile again, with its history.
func (c *Client) JoinGroup(inv *invite.GroupInvite) (GroupInfo, error) {
	r := &groupRecord{name: inv.Name(), key: inv.Key(), bundle: *inv.Bundle()}
	if err := r.bundle.Verify(); err != nil {
		return GroupInfo{}, err
	}
	g, err := group.New(r.key, r.bundle.SigningKey)
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
		return gs.info(), nil
	}
	v, err := r.encode()
	if err != nil {
		return GroupInfo{}, err
	}
	err = c.bucket.Update(func(tx *store.BucketTx) error {
		if err := tx.Delete(leftKey(g.ID())); err != nil {
			return err
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
	return gs.info(), nil
}

func (gs *groupState) info() GroupInfo {
	return GroupInfo{ID: gs.g.ID(), Conversation: gs.conv, Name: gs.rec.name, Server: gs.rec.bundle.Address}
}

// Groups returns the profile's groups, ordered by name.
func (c *Client) Groups() []GroupInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]GroupInfo, 0, len(c.groups))
	for _, gs := range c.groups {
		out = append(out, gs.info())
	}
	slices.SortFunc(out, func(a, b GroupInfo) int {
		if n := strings.Compare(a.Name, b.Name); n != 0 {
			return n
		}
		return strings.Compare(a.ID.String(), b.ID.String())
	})
	return out
}

// Invite returns the invite text (NOOK:G1:…) of a group. It holds the
// group key: whoever has it can read and post.
func (c *Client) Invite(id group.ID) (string, error) {
	gs, err := c.group(id)
	if err != nil {
		return "", err
	}
	inv, err := invite.NewGroupInvite(gs.rec.name, gs.rec.key, &gs.rec.bundle)
	if err != nil {
		return "", err
	}
	return inv.Encode(), nil
}

// Members returns the authors seen in a group (the profile included once
// it has posted and its message came back), with the display names they
// last carried and whether they announced that they left. For a group
// left with its history kept, it returns the members as they were then.
func (c *Client) Members(id group.ID) ([]Member, error) {
	c.mu.Lock()
	gs, ok := c.groups[id]
	var (
		authors map[identity.Address]uint64
		left    map[identity.Address]uint64
	)
	if ok {
		authors = gs.tl.Authors()
		left = maps.Clone(gs.left)
	}
	c.mu.Unlock()
	if !ok {
		var err error
		if authors, left, err = c.leftGroupMembers(id); err != nil {
			return nil, err
		}
	}
	out := make([]Member, 0, len(authors))
	for addr, n := range authors {
		_, gone := left[addr]
		m := Member{Address: addr, Messages: n, Left: gone}
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

// groupsOn returns the groups hosted by the server with the given key.
// c.mu is held.
func (c *Client) groupsOnLocked(server [ed25519.PublicKeySize]byte) []*groupState {
	var out []*groupState
	for _, gs := range c.groups {
		if gs.rec.bundle.SigningKey == server {
			out = append(out, gs)
		}
	}
	return out
}
