package invite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testRand returns a deterministic "random" source.
func testRand() *rand.ChaCha8 { return rand.NewChaCha8([32]byte{'n', 'o', 'o', 'k'}) }

func TestProof(t *testing.T) {
	inviter, dialler, other := testID(t, 1).Address(), testID(t, 2).Address(), testID(t, 3).Address()
	binding := bytes.Repeat([]byte{0x42}, 32)
	s := testSecret()
	p := Proof(s, inviter, dialler, binding)
	if len(p) != ProofSize {
		t.Fatalf("proof has %d bytes", len(p))
	}
	if !VerifyProof(s, inviter, dialler, binding, p) {
		t.Fatal("valid proof refused")
	}
	s2 := s
	s2[0] ^= 1
	for name, ok := range map[string]bool{
		"other secret":  VerifyProof(s2, inviter, dialler, binding, p),
		"other inviter": VerifyProof(s, other, dialler, binding, p),
		"other dialler": VerifyProof(s, inviter, other, binding, p),
		"swapped roles": VerifyProof(s, dialler, inviter, binding, p),
		"other binding": VerifyProof(s, inviter, dialler, bytes.Repeat([]byte{0x43}, 32), p),
		"no binding":    VerifyProof(s, inviter, dialler, nil, p),
		"short proof":   VerifyProof(s, inviter, dialler, binding, p[:16]),
		"empty proof":   VerifyProof(s, inviter, dialler, binding, nil),
	} {
		if ok {
			t.Errorf("%s: proof accepted", name)
		}
	}
	c, err := NewContactInvite(inviter, "A", ContactOptions{Secret: s})
	if err != nil {
		t.Fatal(err)
	}
	if cp, err := c.Proof(dialler, binding); err != nil || !bytes.Equal(cp, p) {
		t.Fatalf("ContactInvite.Proof = %x, %v", cp, err)
	}
	plain, _ := NewContactInvite(inviter, "A", ContactOptions{})
	if _, err := plain.Proof(dialler, binding); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("proof from an invite without secret: %v", err)
	}
}

// TestInPersonFlow runs what the two apps do: Alice issues an invite with a
// secret, Bob parses it and proves it on his first connection, Alice
// accepts the proof once.
func TestInPersonFlow(t *testing.T) {
	clock := &fakeClock{t: testNow}
	alice, bob, mallory := testID(t, 1), testID(t, 2), testID(t, 3)
	set := NewSecretSet(clock.Now)
	secret, expires, err := set.Issue(testRand(), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !expires.Equal(testNow.Add(10 * time.Minute)) {
		t.Fatalf("expires %v", expires)
	}
	inv, err := NewContactInvite(alice.Address(), "Alice", ContactOptions{Secret: secret, Expires: expires})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseAt(inv.Encode(), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	binding := bytes.Repeat([]byte{7}, 32)
	proof, err := got.(*ContactInvite).Proof(bob.Address(), binding)
	if err != nil {
		t.Fatal(err)
	}
	// Mallory, who saw the proof, cannot use it on her own connection.
	if err := set.Consume(alice.Address(), mallory.Address(), binding, proof); !errors.Is(err, ErrProof) {
		t.Fatalf("replayed proof from another dialler: %v", err)
	}
	if err := set.Consume(alice.Address(), bob.Address(), bytes.Repeat([]byte{8}, 32), proof); !errors.Is(err, ErrProof) {
		t.Fatalf("replayed proof on another connection: %v", err)
	}
	if err := set.Consume(alice.Address(), bob.Address(), binding, proof); err != nil {
		t.Fatalf("Consume: %v", err)
	}
	if err := set.Consume(alice.Address(), bob.Address(), binding, proof); !errors.Is(err, ErrProof) {
		t.Fatalf("second Consume: %v", err)
	}
	if set.Len() != 0 {
		t.Fatal("secret still outstanding")
	}
}

func TestSecretSetExpiry(t *testing.T) {
	clock := &fakeClock{t: testNow}
	set := NewSecretSet(clock.Now)
	a, b := testID(t, 1).Address(), testID(t, 2).Address()
	s1, _, err := set.Issue(nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	s2, _, err := set.Issue(nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute) // s1 expires exactly now
	if err := set.Consume(a, b, nil, Proof(s1, a, b, nil)); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired secret: %v", err)
	}
	if err := set.Consume(a, b, nil, Proof(s1, a, b, nil)); !errors.Is(err, ErrProof) {
		t.Fatalf("expired secret again: %v", err)
	}
	if set.Len() != 1 {
		t.Fatalf("Len = %d", set.Len())
	}
	if !set.Revoke(s2) || set.Revoke(s2) {
		t.Fatal("Revoke")
	}
	if err := set.Consume(a, b, nil, Proof(s2, a, b, nil)); !errors.Is(err, ErrProof) {
		t.Fatalf("revoked secret: %v", err)
	}
	if _, _, err := set.Issue(nil, 0); err == nil {
		t.Fatal("Issue with no lifetime")
	}
	// Sub-second lifetimes round the expiry up to the second the invite carries.
	clock.Advance(300 * time.Millisecond)
	_, exp, err := set.Issue(nil, time.Second)
	if err != nil || exp.Nanosecond() != 0 || !exp.After(clock.Now().Add(time.Second-time.Nanosecond)) {
		t.Fatalf("expiry %v, %v", exp, err)
	}
}

func TestSecretSetLimit(t *testing.T) {
	clock := &fakeClock{t: testNow}
	set := NewSecretSet(clock.Now)
	r := testRand()
	for range MaxSecrets {
		if _, _, err := set.Issue(r, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := set.Issue(r, time.Minute); !errors.Is(err, ErrTooManySecrets) {
		t.Fatalf("Issue beyond the limit: %v", err)
	}
	clock.Advance(time.Minute)
	if _, _, err := set.Issue(r, time.Minute); err != nil {
		t.Fatalf("Issue after the others expired: %v", err)
	}
}

func TestSecretSetPersistence(t *testing.T) {
	clock := &fakeClock{t: testNow}
	set := NewSecretSet(clock.Now)
	var secrets []Secret
	for _, ttl := range []time.Duration{time.Minute, time.Hour, 24 * time.Hour} {
		s, _, err := set.Issue(nil, ttl)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, s)
	}
	clock.Advance(2 * time.Minute)
	data, err := set.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 3+2*secretEntrySize {
		t.Fatalf("marshalled %d bytes; the expired secret should be gone", len(data))
	}
	again, _ := set.MarshalBinary()
	if !bytes.Equal(data, again) {
		t.Fatal("MarshalBinary is not deterministic")
	}
	restored := NewSecretSet(clock.Now)
	if err := restored.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	a, b := testID(t, 1).Address(), testID(t, 2).Address()
	if err := restored.Consume(a, b, nil, Proof(secrets[0], a, b, nil)); !errors.Is(err, ErrProof) {
		t.Fatalf("expired secret after restore: %v", err)
	}
	for _, s := range secrets[1:] {
		if err := restored.Consume(a, b, nil, Proof(s, a, b, nil)); err != nil {
			t.Fatalf("restored secret: %v", err)
		}
	}
	var zero SecretSet // the zero value works too
	if err := zero.UnmarshalBinary(data); err != nil || zero.Len() != 0 {
		// Len is 0 because the zero set uses the real clock, long after testNow.
		t.Fatalf("zero set: %v, %d", err, zero.Len())
	}
	for name, bad := range map[string][]byte{
		"empty":       nil,
		"version":     append([]byte{3}, data[1:]...),
		"count":       append(append([]byte{}, data[:3]...), data[3:len(data)-1]...),
		"extra":       append(append([]byte{}, data...), 0),
		"zero secret": append([]byte{2, 0, 1}, make([]byte, secretEntrySize)...),
		"duplicate":   append(append([]byte{2, 0, 2}, data[3:3+secretEntrySize]...), data[3:3+secretEntrySize]...),
		"flags":       append(append([]byte{}, data[:len(data)-1]...), 2),
	} {
		s := NewSecretSet(clock.Now)
		if err := s.UnmarshalBinary(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestSecretSetConcurrentConsume checks that of many diallers racing with
// the same proof, exactly one succeeds.
func TestSecretSetConcurrentConsume(t *testing.T) {
	set := NewSecretSet(func() time.Time { return testNow })
	s, _, err := set.Issue(nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a, b := testID(t, 1).Address(), testID(t, 2).Address()
	proof := Proof(s, a, b, nil)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if set.Consume(a, b, nil, proof) == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d Consume calls succeeded", ok.Load())
	}
}

// TestRedeemFailsClosed: a secret counts as used only once the set without
// it is saved. When saving fails the proof is refused and the secret stays
// outstanding (nobody was accepted with it); when saving works it is
// accepted once and the saved set no longer holds it, so a restart cannot
// bring it back.
func TestRedeemFailsClosed(t *testing.T) {
	set := NewSecretSet(func() time.Time { return testNow })
	s, _, err := set.Issue(nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a, b := testID(t, 1).Address(), testID(t, 2).Address()
	proof := Proof(s, a, b, nil)
	errDisk := errors.New("disk full")
	if _, err := set.Redeem(a, b, nil, proof, func([]byte) error { return errDisk }); !errors.Is(err, errDisk) {
		t.Fatalf("Redeem with a failing save: %v, want the save's error", err)
	}
	if set.Len() != 1 {
		t.Fatalf("after a failed save %d secrets are outstanding, want 1", set.Len())
	}
	var saved []byte
	r, err := set.Redeem(a, b, nil, proof, func(b []byte) error { saved = b; return nil })
	if err != nil || r.Secret != s {
		t.Fatalf("Redeem: %v", err)
	}
	restored := NewSecretSet(func() time.Time { return testNow })
	if err := restored.UnmarshalBinary(saved); err != nil {
		t.Fatal(err)
	}
	if restored.Len() != 0 {
		t.Fatal("the saved set still holds the used secret")
	}
	if _, err := set.Redeem(a, b, nil, proof, func([]byte) error { return nil }); !errors.Is(err, ErrProof) {
		t.Fatalf("second Redeem: %v", err)
	}
}

// TestSafetyCode: the code is the same whichever way round the two
// addresses are given, differs for another pair, and matches a vector
// computed independently (Python's hashlib over the two keys of seeds
// 01×32 and 02×32).
func TestSafetyCode(t *testing.T) {
	a, b, c := testID(t, 1).Address(), testID(t, 2).Address(), testID(t, 3).Address()
	ab, err := SafetyCode(a, b)
	if err != nil {
		t.Fatal(err)
	}
	const want = "83616 82843 13108 52126 43375 65350"
	if ab != want {
		t.Fatalf("SafetyCode = %q, want %q", ab, want)
	}
	if ba, _ := SafetyCode(b, a); ba != ab {
		t.Fatalf("the code depends on the order: %q and %q", ab, ba)
	}
	ac, _ := SafetyCode(a, c)
	bc, _ := SafetyCode(b, c)
	if ac == ab || bc == ab || ac == bc {
		t.Fatalf("two pairs share a code: %q %q %q", ab, ac, bc)
	}
	if _, err := SafetyCode(a, "notanaddress"); err == nil {
		t.Fatal("a safety code for an invalid address")
	}
}

// TestConfirm: the inviter's confirmation verifies with the same secret,
// addresses and binding, and with nothing else; it is not the proof.
func TestConfirm(t *testing.T) {
	inviter, dialler, other := testID(t, 1).Address(), testID(t, 2).Address(), testID(t, 3).Address()
	binding := bytes.Repeat([]byte{0x42}, 32)
	s := testSecret()
	c := Confirm(s, inviter, dialler, binding)
	if !VerifyConfirm(s, inviter, dialler, binding, c) {
		t.Fatal("valid confirmation refused")
	}
	if bytes.Equal(c, Proof(s, inviter, dialler, binding)) || VerifyProof(s, inviter, dialler, binding, c) {
		t.Fatal("a confirmation is also a proof")
	}
	s2 := s
	s2[0] ^= 1
	for name, ok := range map[string]bool{
		"other secret":  VerifyConfirm(s2, inviter, dialler, binding, c),
		"other inviter": VerifyConfirm(s, other, dialler, binding, c),
		"swapped roles": VerifyConfirm(s, dialler, inviter, binding, c),
		"other binding": VerifyConfirm(s, inviter, dialler, nil, c),
		"empty":         VerifyConfirm(s, inviter, dialler, binding, nil),
	} {
		if ok {
			t.Errorf("%s: confirmation accepted", name)
		}
	}
}

// TestMarkShared: a secret marked shared is redeemed as Shared, also after
// a round trip through MarshalBinary; secrets saved by version 1 of the
// format, which did not record sharing, count as shared.
func TestMarkShared(t *testing.T) {
	set := NewSecretSet(func() time.Time { return testNow })
	shown, _, _ := set.Issue(nil, time.Hour)
	shared, _, _ := set.Issue(nil, time.Hour)
	if !set.MarkShared(shared) || set.MarkShared(Secret{1}) {
		t.Fatal("MarkShared")
	}
	data, _ := set.MarshalBinary()
	restored := NewSecretSet(func() time.Time { return testNow })
	if err := restored.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	a, b := testID(t, 1).Address(), testID(t, 2).Address()
	for s, want := range map[Secret]bool{shown: false, shared: true} {
		r, err := restored.Redeem(a, b, nil, Proof(s, a, b, nil), nil)
		if err != nil || r.Shared != want {
			t.Fatalf("Redeem: shared %v, %v; want shared %v", r.Shared, err, want)
		}
	}
	// Version 1: version 1 ‖ count 1 ‖ secret ‖ expires, no flags.
	v1 := append([]byte{1, 0, 1}, shown[:]...)
	v1 = binary.BigEndian.AppendUint64(v1, uint64(testNow.Add(time.Hour).Unix()))
	old := NewSecretSet(func() time.Time { return testNow })
	if err := old.UnmarshalBinary(v1); err != nil {
		t.Fatal(err)
	}
	if r, err := old.Redeem(a, b, nil, Proof(shown, a, b, nil), nil); err != nil || !r.Shared {
		t.Fatalf("a version-1 secret: shared %v, %v; want shared", r.Shared, err)
	}
}
