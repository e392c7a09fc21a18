package groupclient

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
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
	// ErrUnknownGroup is returned by Post, Members and Invite for a group
	// the profile does not belong to.
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
}

// Member is an author seen in a group.
type Member struct {
	Address identity.Address
	// Name is the display name the member last carried, or empty.
	Name string
	// Messages is the number of their messages seen.
	Messages uint64
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
}

// Client is a profile's group client. Its methods are safe for concurrent
// use.
type Client struct {
	cfg    Config
	st     *store.Store
	bucket *store.Bucket

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

// Start loads the profile's groups and starts connecting to their servers.
func (c *Client) Start(ctx context.Context) error {
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
	c.ctx, c.cancel = context.WithCancel(context.WithoutCancel(ctx))
	c.started = true
	for _, r := range recs {
		if _, err := c.addLocked(r); err != nil {
			return err
		}
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
	c.groups[g.ID()] = gs
	srv, ok := c.servers[r.bundle.SigningKey]
	if !ok {
		srv = newServer(c, r.bundle)
		c.servers[r.bundle.SigningKey] = srv
		if c.started && !c.closed {
			srv.start(c.ctx, &c.wg)
		}
	}
	srv.wakePoster()
	return gs, nil
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
// it unchanged.
func (c *Client) JoinGroup(inv *invite.GroupInvite) (GroupInfo, error) {
	r := &groupRecord{name: inv.Name(), key: inv.Key(), bundle: *inv.Bundle()}
	if err := r.bundle.Verify(); err != nil {
		return GroupInfo{}, err
	}
	g, err := group.New(r.key, r.bundle.SigningKey)
	if err != nil {
		return GroupInfo{}, err
	}
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
	if err := c.bucket.Put(groupKey(g.ID()), v); err != nil {
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
// last carried.
func (c *Client) Members(id group.ID) ([]Member, error) {
	c.mu.Lock()
	gs, ok := c.groups[id]
	var authors map[identity.Address]uint64
	if ok {
		authors = gs.tl.Authors()
	}
	c.mu.Unlock()
	if !ok {
		return nil, ErrUnknownGroup
	}
	out := make([]Member, 0, len(authors))
	for addr, n := range authors {
		m := Member{Address: addr, Messages: n}
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
