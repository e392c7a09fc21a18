package groupclient

import (
	"errors"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// deletePage is how many messages one transaction of Clear deletes.
const deletePage = 250

// DeleteMessage deletes one message of a group's conversation (current or
// left) from this profile only, in one transaction with what the client
// kept about it: the sealed copy of a post still queued (it is never
// posted) and its full group ID. A post already on its way to the server
// cannot be recalled; the other members keep every message they fetched.
// It returns the message as it was, or store.ErrNotFound.
func (c *Client) DeleteMessage(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	// Under c.mu, as markSent and the subscriber's store.
	c.mu.Lock()
	defer c.mu.Unlock()
	var m model.Message
	err := c.st.Update(func(tx *store.Tx) error {
		var err error
		if m, err = tx.DeleteMessage(conv, id); err != nil {
			return err
		}
		return forgetPost(tx.Bucket(bucketName), id)
	})
	return m, err
}

// forgetPost deletes the client's records of a message deleted on request.
func forgetPost(b *store.BucketTx, id model.MessageID) error {
	if err := b.Delete(queueKey(id)); err != nil {
		return err
	}
	return b.Delete(indexKey(id))
}

// Clear deletes every message of a group's conversation from this profile
// only, as DeleteMessage does one, newest first, a page per transaction
// (an interrupted Clear leaves a shorter conversation; calling it again
// finishes). The group stays. It returns the IDs deleted.
func (c *Client) Clear(conv model.ConversationID) ([]model.MessageID, error) {
	var ids []model.MessageID
	for {
		page, err := c.st.LatestMessages(conv, deletePage)
		if err != nil || len(page) == 0 {
			return ids, err
		}
		c.mu.Lock()
		err = c.st.Update(func(tx *store.Tx) error {
			b := tx.Bucket(bucketName)
			for i := len(page) - 1; i >= 0; i-- {
				_, err := tx.DeleteMessage(conv, page[i].ID)
				if err != nil && !errors.Is(err, store.ErrNotFound) { // deleted meanwhile
					return err
				}
				if err := forgetPost(b, page[i].ID); err != nil {
					return err
				}
			}
			return nil
		})
		c.mu.Unlock()
		if err != nil {
			return ids, err
		}
		for i := len(page) - 1; i >= 0; i-- {
			ids = append(ids, page[i].ID)
		}
	}
}
