package groupclient

import (
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// Files in groups (docs/files.md §8). The client carries the
// announcements (group.KindFileOffer) and tells the profile's file side
// what arrived through Config.FileOffered and Config.FileHolder; the
// files themselves travel between members, never through the server.

// PostFile announces a file in a group: a message of kind
// group.KindFileOffer (role offer), stored as a model.KindFile message
// whose body is the file's name and queued like a post. It returns the
// stored message, whose ID names the file.
func (c *Client) PostFile(id group.ID, f *group.FileOffer) (model.Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gs, err := c.openLocked(id)
	if err != nil {
		return model.Message{}, err
	}
	fo := *f
	fo.Role = group.FileRoleOffer
	m := group.Message{Kind: group.KindFileOffer, File: &fo, Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: gs.head}
	return c.queuePostLocked(gs, &m, &model.Message{Kind: model.KindFile, Body: fo.Name})
}

// PostHolder tells the group that the profile holds the file of the
// stored file message offer, verified, and serves it at source: a holder
// note (group.KindFileOffer, role holder), queued like a post and stored
// as no message.
func (c *Client) PostHolder(id group.ID, offer model.MessageID, source identity.Address) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	gs, err := c.openLocked(id)
	if err != nil {
		return err
	}
	full, err := c.fullID(gs, offer)
	if err != nil {
		return err
	}
	m := group.Message{Kind: group.KindFileOffer, File: &group.FileOffer{Role: group.FileRoleHolder, Offer: full, Source: source},
		Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: gs.head}
	_, err = c.queuePostLocked(gs, &m, nil)
	return err
}

// fileEffect is an announcement or holder note of another member, told
// to Config.FileOffered or FileHolder once its batch is stored.
type fileEffect struct {
	conv   model.ConversationID
	id     model.MessageID // the offer's stored ID
	author identity.Address
	sent   time.Time
	file   *group.FileOffer
}

// observeFile notes a file announcement or holder note of m; it reports
// whether m is a message to store (an announcement: a model.KindFile
// message named by the file). A holder note of a member the profile
// blocked (Config.Blocked, through the member's contact tags) is dropped:
// the profile does not dial a source they name. c.mu is held.
func (c *Client) observeFile(gs *groupState, m *group.Message, fx *effects) bool {
	if m.File.Role == group.FileRoleHolder {
		if m.Author != gs.self.Address() && !c.blockedMember(gs.g.ID(), m.Author) {
			fx.files = append(fx.files, fileEffect{gs.conv, m.File.Offer.Model(), m.Author, m.Sent, m.File})
		}
		return false
	}
	if m.Author != gs.self.Address() {
		fx.files = append(fx.files, fileEffect{gs.conv, m.ID.Model(), m.Author, m.Sent, m.File})
	}
	return true
}

// tellFiles hands the batch's announcements of files stored (added) and
// its holder notes to the profile's file side. c.mu is held: the hooks
// must not call the client.
func (c *Client) tellFiles(files []fileEffect, added []model.Message) {
	stored := map[model.MessageID]bool{}
	for _, m := range added {
		stored[m.ID] = true
	}
	for _, f := range files {
		switch {
		case f.file.Role == group.FileRoleHolder && c.cfg.FileHolder != nil:
			c.cfg.FileHolder(f.conv, f.id, f.author, f.file.Source)
		case f.file.Role == group.FileRoleOffer && stored[f.id] && c.cfg.FileOffered != nil:
			c.cfg.FileOffered(f.conv, f.id, f.author, f.sent, f.file)
		}
	}
}
