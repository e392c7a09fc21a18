package store

import (
	"errors"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

func contactKey(address string) []byte { return append([]byte{kindContact}, address...) }

// PutContact stores c under c.Address, replacing what was there
// (SaveContact).
func (s *Store) PutContact(c model.Contact) error {
	_, err := s.SaveContact(c)
	return err
}

// SaveContact stores c under c.Address, replacing what was there, and
// returns the contact as stored. The name a verified contact's badge was
// given under (model.Contact.VerifiedName, security review 2, M-B) is
// decided here, not by the caller: when a contact becomes verified it is
// their display name of that moment; while they stay verified it is the
// one recorded before, whatever name they advertise since (for a contact
// verified by an earlier version, which recorded none, their display name
// when it is first stored by this one); for a contact not verified it is
// empty. RequestDelivered is kept only while the contact is Pending.
func (s *Store) SaveContact(c model.Contact) (model.Contact, error) {
	if err := checkName("contact address", c.Address); err != nil {
		return c, err
	}
	if c.State != model.ContactPending {
		c.RequestDelivered = false
	}
	err := s.update(func(txn *badger.Txn) error {
		var old model.Contact
		recorded := false
		item, err := txn.Get(contactKey(c.Address))
		switch {
		case err == nil:
			err = item.Value(func(v []byte) error {
				var derr error
				if old, recorded, derr = decodeContactRecord(c.Address, v); derr != nil {
					// A damaged record is replaced, and counts as no
					// badge: the name is the one of now.
					old, recorded = model.Contact{}, false
				}
				return nil
			})
			if err != nil {
				return err
			}
		case !errors.Is(err, badger.ErrKeyNotFound):
			return err
		}
		switch {
		case !c.Verified:
			c.VerifiedName = ""
		case old.Verified && recorded:
			c.VerifiedName = old.VerifiedName
		case old.Verified:
			c.VerifiedName = model.CleanName(old.DisplayName)
		default:
			c.VerifiedName = model.CleanName(c.DisplayName)
		}
		return txn.Set(contactKey(c.Address), encodeContact(c))
	})
	return c, err
}

// GetContact returns the contact with the given address, or ErrNotFound.
func (s *Store) GetContact(address string) (model.Contact, error) {
	if err := checkName("contact address", address); err != nil {
		return model.Contact{}, err
	}
	var c model.Contact
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(contactKey(address))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			c, err = decodeContact(address, v)
			return err
		})
	})
	return c, err
}

// Contacts returns all contacts, ordered by address.
func (s *Store) Contacts() ([]model.Contact, error) {
	var out []model.Contact
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{kindContact}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			addr := string(item.Key()[1:])
			err := item.Value(func(v []byte) error {
				c, err := decodeContact(addr, v)
				out = append(out, c)
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// DeleteContact removes the contact with the given address, if there is one.
// Its conversation is left alone.
func (s *Store) DeleteContact(address string) error {
	if err := checkName("contact address", address); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error { return txn.Delete(contactKey(address)) })
}
