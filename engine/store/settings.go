package store

import (
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Settings are small named values: raw bytes, or JSON through SettingJSON
// and PutSettingJSON.

func settingKey(name string) []byte { return append([]byte{kindSetting}, name...) }

// Setting returns the value of the named setting, or ErrNotFound.
func (s *Store) Setting(name string) ([]byte, error) {
	if err := checkName("setting name", name); err != nil {
		return nil, err
	}
	var v []byte
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(settingKey(name))
		if err != nil {
			return err
		}
		v, err = item.ValueCopy(nil)
		return err
	})
	return v, err
}

// PutSetting sets the named setting to value.
func (s *Store) PutSetting(name string, value []byte) error {
	if err := checkName("setting name", name); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error { return txn.Set(settingKey(name), value) })
}

// DeleteSetting removes the named setting, if it is set.
func (s *Store) DeleteSetting(name string) error {
	if err := checkName("setting name", name); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error { return txn.Delete(settingKey(name)) })
}

// SettingJSON decodes the JSON value of the named setting into v. It returns
// ErrNotFound if the setting is not set, and an error wrapping ErrCorrupt if
// the stored value is not JSON that fits v.
func (s *Store) SettingJSON(name string, v any) error {
	b, err := s.Setting(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: setting is not valid JSON for its type", ErrCorrupt)
	}
	return nil
}

// PutSettingJSON sets the named setting to v encoded as JSON.
func (s *Store) PutSettingJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode setting: %w", err)
	}
	return s.PutSetting(name, b)
}
