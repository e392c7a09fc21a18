package invite

import (
	"bytes"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/identity"
)

// MaxSecrets bounds the number of unexpired secrets a SecretSet holds.
const MaxSecrets = 1024

// secretSetVersion is the first byte of a marshalled SecretSet. Version 1
// (no flags) is still read.
const secretSetVersion = 2

// SecretSet holds the one-time secrets of the contact invites a profile has
// handed out and not yet seen used. Each secret is accepted once: Consume
// removes it. Expired secrets are refused. It is safe for concurrent use;
// the zero SecretSet is empty and uses time.Now.
//
// The set contains secrets: persist it (MarshalBinary) only inside the
// profile's encrypted store, and redeem proofs with Redeem and a save
// function, so that a secret counts as used only once that is saved.
type SecretSet struct {
	now func() time.Time

	mu      sync.Mutex             // guards secrets
	secrets map[Secret]secretEntry // outstanding secrets
}

// secretEntry is what the set knows of one outstanding secret.
type secretEntry struct {
	expires time.Time
	// shared: the invite left the screen it was shown on (MarkShared).
	shared bool
}

// clock returns the current time; the zero SecretSet uses time.Now.
func (s *SecretSet) clock() time.Time {
	if s.now == nil {
		return time.Now()
	}
	return s.now()
}

// NewSecretSet returns an empty set that reads the time from now (time.Now
// when nil).
func NewSecretSet(now func() time.Time) *SecretSet {
	if now == nil {
		now = time.Now
	}
	return &SecretSet{now: now, secrets: make(map[Secret]secretEntry)}
}

// Issue draws a new secret from r (crypto/rand when nil), valid for ttl from
// now, adds it to the set, and returns it with its expiry, ready for
// ContactOptions. The expiry is rounded up to a whole second as the invite
// carries it. It returns ErrTooManySecrets when MaxSecrets are outstanding.
func (s *SecretSet) Issue(r io.Reader, ttl time.Duration) (Secret, time.Time, error) {
	if ttl <= 0 {
		return Secret{}, time.Time{}, fmt.Errorf("invite secret lifetime %v is not positive", ttl)
	}
	expires := s.clock().Add(ttl)
	if t := expires.Truncate(time.Second); !t.Equal(expires) {
		expires = t.Add(time.Second)
	}
	expires = expires.UTC()
	secret, err := NewSecret(r)
	if err != nil {
		return Secret{}, time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	if s.secrets == nil {
		s.secrets = make(map[Secret]secretEntry)
	}
	if len(s.secrets) >= MaxSecrets {
		return Secret{}, time.Time{}, ErrTooManySecrets
	}
	s.secrets[secret] = secretEntry{expires: expires}
	return secret, expires, nil
}

// MarkShared records that the invite carrying secret left the screen it
// was shown on (its text was copied, its picture saved or sent), so that
// Redeem reports its use as Shared: whoever uses it may have got it from
// anywhere. It reports whether the secret is outstanding.
func (s *SecretSet) MarkShared(secret Secret) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.secrets[secret]
	if ok {
		e.shared = true
		s.secrets[secret] = e
	}
	return ok
}

// Redeemed is what Redeem found: the secret a proof was made with.
type Redeemed struct {
	Secret Secret
	// Shared: the invite had left the screen (MarkShared) before it was
	// used.
	Shared bool
}

// Consume is Redeem without saving: it checks proof and removes the secret
// it was made with. Use Redeem where the set is persisted.
func (s *SecretSet) Consume(inviter, dialler identity.Address, binding, proof []byte) error {
	_, err := s.Redeem(inviter, dialler, binding, proof, nil)
	return err
}

// Redeem checks proof, sent by dialler on a connection to inviter with the
// given channel binding, against every secret in the set. If it matches an
// unexpired secret, that secret is removed, the set without it is passed
// to save (MarshalBinary's encoding; nil: not saved), and Redeem returns
// the secret: the dialler holds the invite, and no one can use it again.
//
// It fails closed: if save returns an error, the secret is put back and
// Redeem returns that error, so the proof is refused and nobody was
// accepted with a secret whose use was not recorded (a restart would
// otherwise bring it back). If the proof matches an expired secret, that
// secret is removed (saved if possible) and Redeem returns ErrExpired.
// Otherwise it returns ErrProof.
func (s *SecretSet) Redeem(inviter, dialler identity.Address, binding, proof []byte, save func([]byte) error) (Redeemed, error) {
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	var match Secret
	found := 0
	// Compare against every secret, so that the time taken does not say
	// which one matched.
	for secret := range s.secrets {
		ok := subtle.ConstantTimeCompare(Proof(secret, inviter, dialler, binding), proof)
		subtle.ConstantTimeCopy(ok, match[:], secret[:])
		found |= ok
	}
	if found == 0 {
		return Redeemed{}, ErrProof
	}
	entry := s.secrets[match]
	delete(s.secrets, match)
	var err error
	if save != nil {
		err = save(s.marshalLocked())
	}
	if !now.Before(entry.expires) {
		return Redeemed{}, ErrExpired
	}
	if err != nil {
		s.secrets[match] = entry
		return Redeemed{}, fmt.Errorf("record that an invite secret was used: %w", err)
	}
	return Redeemed{Secret: match, Shared: entry.shared}, nil
}

// Revoke removes secret from the set, so that the invite that carries it
// is no longer accepted. It reports whether the secret was there.
func (s *SecretSet) Revoke(secret Secret) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.secrets[secret]
	delete(s.secrets, secret)
	return ok
}

// Len returns the number of unexpired secrets.
func (s *SecretSet) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	return len(s.secrets)
}

// Prune removes expired secrets.
func (s *SecretSet) Prune() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
}

func (s *SecretSet) pruneLocked() {
	now := s.clock()
	for secret, e := range s.secrets {
		if !now.Before(e.expires) {
			delete(s.secrets, secret)
		}
	}
}

// secretEntrySize is the size of one marshalled secret: the secret, its
// expiry in Unix seconds (u64) and its flags (u8); secretEntrySizeV1 is
// that of version 1, which had no flags.
const (
	secretEntrySize   = SecretSize + 8 + 1
	secretEntrySizeV1 = SecretSize + 8
)

// Flags of a marshalled secret.
const secretShared = 1 << 0

// MarshalBinary encodes the unexpired secrets, sorted, as
//
//	version u8 (2) ‖ count u16 ‖ count × (secret [16] ‖ expires u64 ‖ flags u8)
//
// where flags bit 0 says the invite was shared (MarkShared). Version 1 had
// no flags byte; UnmarshalBinary reads its secrets as shared, because the
// versions that wrote it did not record whether an invite left the screen.
// The result contains the secrets: store it encrypted.
func (s *SecretSet) MarshalBinary() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.marshalLocked(), nil
}

func (s *SecretSet) marshalLocked() []byte {
	s.pruneLocked()
	entries := make([][]byte, 0, len(s.secrets))
	for secret, se := range s.secrets {
		e := make([]byte, 0, secretEntrySize)
		e = append(e, secret[:]...)
		e = binary.BigEndian.AppendUint64(e, uint64(se.expires.Unix()))
		var flags byte
		if se.shared {
			flags |= secretShared
		}
		e = append(e, flags)
		entries = append(entries, e)
	}
	slices.SortFunc(entries, bytes.Compare)
	out := make([]byte, 0, 3+len(entries)*secretEntrySize)
	out = append(out, secretSetVersion)
	out = binary.BigEndian.AppendUint16(out, uint16(len(entries)))
	for _, e := range entries {
		out = append(out, e...)
	}
	return out
}

// UnmarshalBinary replaces the set's contents with what MarshalBinary
// produced. Errors wrap ErrVersion or ErrMalformed; on error the set is
// unchanged.
func (s *SecretSet) UnmarshalBinary(data []byte) error {
	if len(data) < 3 {
		return fmt.Errorf("%w: secret set of %d bytes", ErrMalformed, len(data))
	}
	size := secretEntrySize
	switch data[0] {
	case secretSetVersion:
	case 1:
		size = secretEntrySizeV1
	default:
		return fmt.Errorf("%w: secret set version %d", ErrVersion, data[0])
	}
	n := int(binary.BigEndian.Uint16(data[1:3]))
	if n > MaxSecrets || len(data) != 3+n*size {
		return fmt.Errorf("%w: secret set length does not match its count", ErrMalformed)
	}
	secrets := make(map[Secret]secretEntry, n)
	for e := data[3:]; len(e) > 0; e = e[size:] {
		var secret Secret
		copy(secret[:], e[:SecretSize])
		exp := binary.BigEndian.Uint64(e[SecretSize : SecretSize+8])
		if secret.IsZero() || exp == 0 || exp > maxUnix {
			return fmt.Errorf("%w: secret set entry out of range", ErrMalformed)
		}
		if _, dup := secrets[secret]; dup {
			return fmt.Errorf("%w: secret set has a duplicate entry", ErrMalformed)
		}
		shared := true // version 1: not known, so not shown-only
		if size == secretEntrySize {
			flags := e[SecretSize+8]
			if flags&^secretShared != 0 {
				return fmt.Errorf("%w: secret set entry has unknown flags", ErrMalformed)
			}
			shared = flags&secretShared != 0
		}
		secrets[secret] = secretEntry{expires: time.Unix(int64(exp), 0).UTC(), shared: shared}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets = secrets
	return nil
}
