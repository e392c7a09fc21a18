package invite

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/nookchat/nook/engine/identity"
)

// Contact invite flags (docs/invites.md §3.1).
const (
	flagSecret  = 1 << 0
	flagExpires = 1 << 1
	knownFlags  = flagSecret | flagExpires
)

// ContactInvite hands over a person: their onion address, the name they go
// by, and, for an exchange in person, a one-time secret and an expiry time.
// It is immutable; build one with NewContactInvite or Parse.
type ContactInvite struct {
	addr    identity.Address
	name    string
	secret  Secret    // zero: none
	expires time.Time // zero: never
}

// ContactOptions are the optional parts of a contact invite.
type ContactOptions struct {
	// Secret is a one-time secret from SecretSet.Issue, so that the first
	// connection can prove the two people met. Zero for none.
	Secret Secret
	// Expires is when the invite stops being accepted, with second
	// precision and no later than 2106. Zero for never.
	Expires time.Time
}

// NewContactInvite returns an invite to contact addr, who goes by name (at
// most MaxNameRunes characters; it may be empty). It returns an error
// wrapping ErrAddress for an invalid address and ErrName for a name that is
// not allowed.
func NewContactInvite(addr identity.Address, name string, opt ContactOptions) (*ContactInvite, error) {
	addr, err := identity.ParseAddress(string(addr))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAddress, err)
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	c := &ContactInvite{addr: addr, name: name, secret: opt.Secret}
	if !opt.Expires.IsZero() {
		sec := opt.Expires.Unix()
		if sec <= 0 || sec > math.MaxUint32 {
			return nil, fmt.Errorf("invite expiry %s is out of range", opt.Expires.UTC().Format(time.RFC3339))
		}
		c.expires = time.Unix(sec, 0).UTC()
	}
	return c, nil
}

// Kind returns KindContact.
func (c *ContactInvite) Kind() Kind { return KindContact }

// Address returns the contact's onion address.
func (c *ContactInvite) Address() identity.Address { return c.addr }

// Name returns the name the contact goes by.
func (c *ContactInvite) Name() string { return c.name }

// Secret returns the invite's one-time secret, if it has one.
func (c *ContactInvite) Secret() (Secret, bool) { return c.secret, !c.secret.IsZero() }

// Expires returns when the invite expires, if it does.
func (c *ContactInvite) Expires() (time.Time, bool) { return c.expires, !c.expires.IsZero() }

// String describes the invite without its secret.
func (c *ContactInvite) String() string {
	s := fmt.Sprintf("contact invite %q %s", c.name, c.addr.Short())
	if !c.secret.IsZero() {
		s += " with secret"
	}
	if !c.expires.IsZero() {
		s += " expiring " + c.expires.Format(time.RFC3339)
	}
	return s
}

// Encode returns the invite as NOOK:C1:… text.
func (c *ContactInvite) Encode() string { return frame(PrefixContact, c.payload()) }

func (c *ContactInvite) payload() []byte {
	var flags byte
	if !c.secret.IsZero() {
		flags |= flagSecret
	}
	if !c.expires.IsZero() {
		flags |= flagExpires
	}
	b := make([]byte, 0, 1+32+SecretSize+4+2+len(c.name))
	b = append(b, flags)
	b = append(b, c.addr.PublicKey()...)
	if flags&flagSecret != 0 {
		b = append(b, c.secret[:]...)
	}
	if flags&flagExpires != 0 {
		b = binary.BigEndian.AppendUint32(b, uint32(c.expires.Unix()))
	}
	return appendName(b, c.name)
}

// parseContact decodes the structure of a C1 payload:
//
//	flags u8 ‖ key [32] ‖ [secret [16]] ‖ [expires u32] ‖ uvarint(len(name)) ‖ name
//
// The address is validated by checkContact.
func parseContact(data []byte) (Invite, error) {
	r := &reader{b: data}
	flags := r.u8()
	if !r.short && flags&^knownFlags != 0 {
		return nil, fmt.Errorf("%w: unknown flags %#02x", ErrMalformed, flags)
	}
	c := &ContactInvite{}
	key := r.take(32)
	if flags&flagSecret != 0 {
		copy(c.secret[:], r.take(SecretSize))
	}
	var exp uint32
	if flags&flagExpires != 0 {
		exp = r.u32()
	}
	name, err := r.name()
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	if flags&flagSecret != 0 && c.secret.IsZero() {
		return nil, fmt.Errorf("%w: secret of zeros", ErrMalformed)
	}
	if flags&flagExpires != 0 {
		if exp == 0 {
			return nil, fmt.Errorf("%w: expiry time zero", ErrMalformed)
		}
		c.expires = time.Unix(int64(exp), 0).UTC()
	}
	c.name = name
	// The address is derived here and validated in checkContact.
	c.addr = identity.AddressFromPublicKey(key)
	return c, nil
}

func checkContact(inv Invite, now time.Time) error {
	c := inv.(*ContactInvite)
	if _, err := identity.ParseAddress(string(c.addr)); err != nil {
		return fmt.Errorf("%w: %w", ErrAddress, err)
	}
	if !c.expires.IsZero() && !now.Before(c.expires) {
		return fmt.Errorf("%w: on %s", ErrExpired, c.expires.Format("2006-01-02 15:04 MST"))
	}
	return nil
}
