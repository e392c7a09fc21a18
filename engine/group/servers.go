package group

import (
	"fmt"

	"github.com/nookchat/nook/engine/invite"
)

// KindServers announces the servers a group lives on (docs/groups.md, "A
// group on two servers"): its body is the whole list, the group's own
// server (whose key derives the group ID) first. Only the owner's and
// admins' announcements count; members learn the list from it, sealed
// like any post, so no server sees which other servers the group uses.
// Clients that predate it count it in the timeline and show nothing.
const KindServers Kind = 11

// serversVersion is the layout of a KindServers body:
//
//	version u8 = 1 ‖ n u8 (1 to invite.MaxGroupServers) ‖ n × bundle [invite.BundleSize]
const serversVersion = 1

// Servers is the body of a KindServers message.
type Servers struct {
	// Bundles are the servers' signed bundles, the group's own first; no
	// server twice.
	Bundles []invite.Bundle
}

// Encode returns the body of s. Errors wrap ErrInvalid.
func (s *Servers) Encode() ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	b := []byte{serversVersion, byte(len(s.Bundles))}
	for i := range s.Bundles {
		var err error
		if b, err = s.Bundles[i].AppendBinary(b); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	return b, nil
}

func (s *Servers) check() error {
	if len(s.Bundles) == 0 || len(s.Bundles) > invite.MaxGroupServers {
		return fmt.Errorf("a group lives on 1 to %d servers, not %d", invite.MaxGroupServers, len(s.Bundles))
	}
	seen := map[[32]byte]bool{}
	for _, b := range s.Bundles {
		if seen[b.SigningKey] {
			return fmt.Errorf("a server named twice")
		}
		seen[b.SigningKey] = true
	}
	return nil
}

// ParseServers decodes and checks a KindServers body: every bundle must
// verify. Errors wrap ErrMalformed.
func ParseServers(body []byte) (*Servers, error) {
	if len(body) < 2 || body[0] != serversVersion {
		return nil, fmt.Errorf("%w: servers: bad header", ErrMalformed)
	}
	n := int(body[1])
	if len(body) != 2+n*invite.BundleSize {
		return nil, fmt.Errorf("%w: servers: %d bytes for %d bundles", ErrMalformed, len(body), n)
	}
	s := &Servers{}
	for i := range n {
		b, err := invite.ParseBundle(body[2+i*invite.BundleSize : 2+(i+1)*invite.BundleSize])
		if err != nil {
			return nil, fmt.Errorf("%w: servers: %w", ErrMalformed, err)
		}
		s.Bundles = append(s.Bundles, *b)
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("%w: servers: %w", ErrMalformed, err)
	}
	return s, nil
}
