package handshake

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hkdf"
	"fmt"
	"hash"
	"slices"

	"github.com/flynn/noise"
	"golang.org/x/crypto/blake2s"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/wire"
)

var suite = noise.NewCipherSuite(noise.DH25519, noise.CipherChaChaPoly, noise.HashBLAKE2s)

// local is this side's identity as the handshake uses it. Tests build
// locals that claim keys they do not hold.
type local struct {
	key    ed25519.PublicKey // the ed25519 key sent in the payload
	sign   func(msg []byte) []byte
	static noise.DHKey
}

func localFrom(id *identity.Identity) local {
	addr := id.Address()
	return local{
		key:    id.PublicKey(),
		sign:   id.Sign,
		static: noise.DHKey{Private: id.X25519Private(), Public: identity.X25519Public(addr)},
	}
}

// result is what a completed handshake yields.
type result struct {
	peer      identity.Address
	version   uint16
	keys      wire.Keys
	binding   []byte // the final handshake hash
	initiator bool
}

// initiator is the dialling side's handshake state machine: message1,
// readMessage2, message3, in that order. It does no I/O.
type initiator struct {
	hs    *noise.HandshakeState
	self  local
	peer  identity.Address
	offer offer

	h1      []byte // the handshake hash after message 1, which the responder signs
	version uint16
}

func newInitiator(cfg *Config, self local, peer identity.Address) (*initiator, error) {
	o, err := newOffer(cfg.supported())
	if err != nil {
		return nil, err
	}
	header := append([]byte(magic), Format)
	hs, err := noise.NewHandshakeState(noise.Config{
		CipherSuite:   suite,
		Random:        cfg.rand(),
		Pattern:       noise.HandshakeXX,
		Initiator:     true,
		Prologue:      prologue(header),
		StaticKeypair: self.static,
	})
	if err != nil {
		return nil, fmt.Errorf("handshake: %w", err)
	}
	return &initiator{hs: hs, self: self, peer: peer, offer: o}, nil
}

func (c *initiator) message1() ([]byte, error) {
	m := make([]byte, 0, MessageSize)
	m = append(m, magic...)
	m = append(m, Format)
	m = appendOffer(m, c.offer)
	m, _, _, err := c.hs.WriteMessage(m, make([]byte, payload1Len))
	if err != nil {
		return nil, fmt.Errorf("handshake: message 1: %w", err)
	}
	c.h1 = bytes.Clone(c.hs.ChannelBinding())
	return m, nil
}

func (c *initiator) readMessage2(m []byte) error {
	if len(m) != MessageSize {
		return fmt.Errorf("%w: message 2 of %d bytes", ErrMalformed, len(m))
	}
	pt, _, _, err := c.hs.ReadMessage(nil, m)
	if err != nil {
		return fmt.Errorf("%w (message 2)", ErrAuth)
	}
	p, err := parsePayload2(pt)
	if err != nil {
		return err
	}
	if !slices.Equal(p.echo, c.offer) || p.echo.choose([]uint16{p.version}) == 0 {
		return ErrDowngrade
	}
	if !bytes.Equal(c.hs.PeerStatic(), identity.X25519Public(c.peer)) || !bytes.Equal(p.key, c.peer.PublicKey()) {
		return ErrWrongPeer
	}
	if !ed25519.Verify(p.key, signed(responderLabel, c.h1), p.sig) {
		return ErrBadSignature
	}
	c.version = p.version
	return nil
}

func (c *initiator) message3() ([]byte, *result, error) {
	h2 := bytes.Clone(c.hs.ChannelBinding())
	p := payload3{key: c.self.key, sig: c.self.sign(signed(initiatorLabel, h2))}
	m, cs1, cs2, err := c.hs.WriteMessage(nil, p.marshal())
	if err != nil || cs1 == nil {
		return nil, nil, fmt.Errorf("handshake: message 3: %v", err)
	}
	keys, binding, err := transportKeys(c.hs, cs1, cs2, true)
	if err != nil {
		return nil, nil, err
	}
	return m, &result{peer: c.peer, version: c.version, keys: keys, binding: binding, initiator: true}, nil
}

// responder is the listening side's handshake state machine: readMessage1,
// message2, readMessage3.
type responder struct {
	cfg  *Config
	self local
	hs   *noise.HandshakeState

	offer   offer
	version uint16
}

func newResponder(cfg *Config, self local) *responder {
	return &responder{cfg: cfg, self: self}
}

func (s *responder) readMessage1(m []byte) error {
	if len(m) != MessageSize {
		return fmt.Errorf("%w: message 1 of %d bytes", ErrMalformed, len(m))
	}
	if string(m[:4]) != magic {
		return fmt.Errorf("%w: not a Nook handshake", ErrMalformed)
	}
	if m[4] != Format {
		return fmt.Errorf("%w: handshake format %d", ErrVersion, m[4])
	}
	o, err := parseOffer(m[headerSize:msg1Prefix])
	if err != nil {
		return err
	}
	if s.cfg != nil && s.cfg.Replay != nil && s.cfg.Replay.check([32]byte(m[msg1Prefix:msg1Prefix+dhLen])) {
		return ErrReplay
	}
	hs, err := noise.NewHandshakeState(noise.Config{
		CipherSuite:   suite,
		Random:        s.cfg.rand(),
		Pattern:       noise.HandshakeXX,
		Initiator:     false,
		Prologue:      prologue(m),
		StaticKeypair: s.self.static,
	})
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	pt, _, _, err := hs.ReadMessage(nil, m[msg1Prefix:])
	if err != nil {
		return fmt.Errorf("%w: message 1: %v", ErrMalformed, err)
	}
	if !allZero(pt) {
		return fmt.Errorf("%w: message 1 padding not zero", ErrMalformed)
	}
	v := o.choose(s.cfg.supported())
	if v == 0 {
		return ErrVersion
	}
	s.hs, s.offer, s.version = hs, o, v
	return nil
}

func (s *responder) message2() ([]byte, error) {
	h1 := s.hs.ChannelBinding()
	p := payload2{version: s.version, echo: s.offer, key: s.self.key, sig: s.self.sign(signed(responderLabel, h1))}
	m, _, _, err := s.hs.WriteMessage(nil, p.marshal())
	if err != nil {
		// The only failure is a DH with a low-order ephemeral key.
		return nil, fmt.Errorf("%w: message 1 ephemeral key: %v", ErrMalformed, err)
	}
	return m, nil
}

func (s *responder) readMessage3(m []byte) (*result, error) {
	if len(m) != MessageSize {
		return nil, fmt.Errorf("%w: message 3 of %d bytes", ErrMalformed, len(m))
	}
	h2 := bytes.Clone(s.hs.ChannelBinding())
	pt, cs1, cs2, err := s.hs.ReadMessage(nil, m)
	if err != nil || cs1 == nil {
		return nil, fmt.Errorf("%w (message 3)", ErrAuth)
	}
	p, err := parsePayload3(pt)
	if err != nil {
		return nil, err
	}
	addr, err := identity.ParseAddress(string(identity.AddressFromPublicKey(p.key)))
	if err != nil {
		return nil, fmt.Errorf("%w: identity key: %w", ErrMalformed, err)
	}
	if !bytes.Equal(s.hs.PeerStatic(), identity.X25519Public(addr)) {
		return nil, ErrKeyMismatch
	}
	if !ed25519.Verify(p.key, signed(initiatorLabel, h2), p.sig) {
		return nil, ErrBadSignature
	}
	keys, binding, err := transportKeys(s.hs, cs1, cs2, false)
	if err != nil {
		return nil, err
	}
	return &result{peer: addr, version: s.version, keys: keys, binding: binding}, nil
}

func newBLAKE2s() hash.Hash {
	h, err := blake2s.New256(nil)
	if err != nil {
		panic(err) // only for keys longer than 32 bytes
	}
	return h
}

// transportKeys derives the two direction keys from Noise's split keys and
// the final handshake hash (docs/protocol.md §3.6).
func transportKeys(hs *noise.HandshakeState, cs1, cs2 *noise.CipherState, initiator bool) (wire.Keys, []byte, error) {
	h := bytes.Clone(hs.ChannelBinding())
	k1, k2 := cs1.UnsafeKey(), cs2.UnsafeKey()
	i2r, err := hkdf.Key(newBLAKE2s, k1[:], h, i2rInfo, wire.KeySize)
	if err != nil {
		return wire.Keys{}, nil, fmt.Errorf("handshake: %w", err)
	}
	r2i, err := hkdf.Key(newBLAKE2s, k2[:], h, r2iInfo, wire.KeySize)
	if err != nil {
		return wire.Keys{}, nil, fmt.Errorf("handshake: %w", err)
	}
	var keys wire.Keys
	if initiator {
		copy(keys.Send[:], i2r)
		copy(keys.Recv[:], r2i)
	} else {
		copy(keys.Send[:], r2i)
		copy(keys.Recv[:], i2r)
	}
	return keys, h, nil
}
