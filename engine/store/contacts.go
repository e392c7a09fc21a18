package store

import (
	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

func contactKey(address string) []byte { return append([]byte{kindContact}, address...) }

// PutContact stores c under c.Address, replacing what was there.
func (s *Store) PutContact(c model.Contact) error {
	if err := checkName("contact address", c.Address); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error {
		return txn.Set(contactKey(c.Address), encodeContact(c))
	})
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
