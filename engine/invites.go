package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/peer"
	"github.com/nookchat/nook/engine/store"
)

// InPersonInviteTTL is how long an in-person invite's one-time secret is
// accepted: long enough for the other person to scan the code and their
// Nook to connect (a minute or two over Tor), short enough that a photo of
// the code taken over a shoulder soon stops working.
const InPersonInviteTTL = 15 * time.Minute

// Buckets and keys of invite state in the profile's database.
const (
	invitesBucket = "invites"
	secretsKey    = "secrets" // the SecretSet of our outstanding one-time secrets
	proofsBucket  = "invite-proofs"
)

// ErrInviteKind is returned by AcceptInvite for an invite this build cannot
// act on yet.
var ErrInviteKind = errors.New("this kind of invite cannot be used here")

// ErrOwnInvite is returned by AcceptInvite for the profile's own contact
// invite, and ErrNotOwnInvite by InviteShared for an invite that is not
// one of the profile's own.
var (
	ErrOwnInvite    = errors.New("this is your own invite")
	ErrNotOwnInvite = errors.New("this is not one of your own invites")
)

// MyInvite returns the unlocked profile's contact invite as text (which is
// also what its QR code holds). With inPerson set it carries a new one-time
// secret valid for InPersonInviteTTL: whoever uses it first is accepted
// without a request, and nobody can use it again. Such an invite is for the
// screen only: if it was only ever shown (never passed to InviteShared),
// whoever uses it read it from this screen, and is marked verified in
// person (model.VerifiedInPerson).
func (e *Engine) MyInvite(inPerson bool) (string, error) {
	op, err := e.current()
	if err != nil {
		return "", err
	}
	var opts invite.ContactOptions
	if inPerson {
		op.secretsMu.Lock()
		secret, expires, err := op.secrets.Issue(nil, InPersonInviteTTL)
		if err == nil {
			err = op.saveSecretsLocked()
		}
		op.secretsMu.Unlock()
		if err != nil {
			return "", fmt.Errorf("make an in-person invite: %w", err)
		}
		opts = invite.ContactOptions{Secret: secret, Expires: expires}
	}
	inv, err := invite.NewContactInvite(op.id.Address(), op.displayName(), opts)
	if err != nil {
		return "", err
	}
	return inv.Encode(), nil
}

// InviteShared records that an in-person invite made by MyInvite left the
// screen (its text copied, its picture saved or sent): whoever uses it is
// still accepted without a request, but not marked verified, because they
// may have got it from anywhere. Call it before the invite leaves the
// screen; if it returns an error, do not let it leave. For any other
// invite of this profile (without a secret, or whose secret was used or
// expired) it does nothing; for an invite of someone else it returns an
// error.
func (e *Engine) InviteShared(text string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	inv, err := invite.Parse(text)
	if err != nil {
		return err
	}
	c, ok := inv.(*invite.ContactInvite)
	if !ok || c.Address() != op.id.Address() {
		return ErrNotOwnInvite
	}
	secret, ok := c.Secret()
	if !ok {
		return nil
	}
	op.secretsMu.Lock()
	defer op.secretsMu.Unlock()
	if !op.secrets.MarkShared(secret) {
		return nil
	}
	if err := op.saveSecretsLocked(); err != nil {
		return fmt.Errorf("record that the invite was shared: %w", err)
	}
	return nil
}

// InviteQR renders invite text as a PNG QR code of about size pixels.
func InviteQR(text string, size int) ([]byte, error) { return invite.QRPNG(text, size) }

// ReadInviteImage finds a Nook invite in a picture (PNG, JPEG, GIF or WebP bytes:
// a screenshot, a photo, a pasted image) and returns its text.
func ReadInviteImage(data []byte) (string, error) {
	inv, err := invite.DecodeImageBytes(data)
	if err != nil {
		return "", err
	}
	return inv.Encode(), nil
}

// ReadInviteFile is ReadInviteImage for an image file. It reads at most
// invite.MaxImageBytes and one byte more: a larger file is refused with
// invite.ErrImageTooLarge without being read whole.
func ReadInviteFile(path string) (string, error) {
	inv, err := invite.DecodeImageFile(path)
	if err != nil {
		return "", err
	}
	return inv.Encode(), nil
}

// InviteResult says what accepting an invite did.
type InviteResult struct {
	Kind model.InviteKind
	// Contact is the contact added (for a contact invite).
	Contact model.Contact
	// Group is the group joined (for a group invite); its conversation
	// is Group.Conversation().
	Group model.Group
	// Server is the server remembered (for a server invite).
	Server Server
}

// AcceptInvite acts on invite text (pasted, or read from a QR code): a
// contact invite adds the contact and sends a contact request, proving the
// in-person secret if the invite has one. Explain puts its errors in
// words.
func (e *Engine) AcceptInvite(text string) (InviteResult, error) {
	op, err := e.current()
	if err != nil {
		return InviteResult{}, err
	}
	inv, err := invite.ParseAt(text, e.cfg.Now())
	if err != nil {
		return InviteResult{}, err
	}
	switch inv := inv.(type) {
	case *invite.ContactInvite:
		if inv.Address() == op.id.Address() {
			return InviteResult{}, ErrOwnInvite
		}
		if secret, ok := inv.Secret(); ok {
			if err := op.st.Bucket(proofsBucket).Put([]byte(inv.Address()), secret[:]); err != nil {
				return InviteResult{}, err
			}
		}
		c, err := op.peers.AddContact(inv.Address(), inv.Name())
		if err != nil {
			return InviteResult{}, err
		}
		return InviteResult{Kind: model.InviteContact, Contact: c}, nil
	case *invite.GroupInvite:
		g, err := op.joinGroup(inv)
		if err != nil {
			return InviteResult{}, err
		}
		return InviteResult{Kind: model.InviteGroup, Group: fromGroupInfo(g)}, nil
	case *invite.ServerInvite:
		s, err := e.AddServer(text)
		if err != nil {
			return InviteResult{}, err
		}
		return InviteResult{Kind: model.InviteServer, Server: s}, nil
	}
	return InviteResult{Kind: inviteKind(inv.Kind())}, fmt.Errorf("%w: %s", ErrInviteKind, inv.Kind())
}

// loadSecrets reads the outstanding one-time secrets.
func (op *openProfile) loadSecrets() error {
	op.secrets = invite.NewSecretSet(op.e.cfg.Now)
	b, err := op.st.Bucket(invitesBucket).Get([]byte(secretsKey))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return op.secrets.UnmarshalBinary(b)
}

func (op *openProfile) saveSecretsLocked() error {
	b, err := op.secrets.MarshalBinary()
	if err != nil {
		return err
	}
	return op.st.Bucket(invitesBucket).Put([]byte(secretsKey), b)
}

// proofFor is the peer manager's ProofFor: the proof for a contact added
// from an in-person invite.
func (op *openProfile) proofFor(contact identity.Address, binding []byte) []byte {
	b, err := op.st.Bucket(proofsBucket).Get([]byte(contact))
	if err != nil || len(b) != invite.SecretSize {
		return nil
	}
	var secret invite.Secret
	copy(secret[:], b)
	return invite.Proof(secret, contact, op.id.Address(), binding)
}

// checkProof is the peer manager's CheckProof: it redeems the one-time
// secret the proof was made with. The secret counts as used only once the
// set without it is saved; if that fails (a full disk), the proof is
// refused, so a restart can never bring back a secret that was accepted.
func (op *openProfile) checkProof(dialler identity.Address, binding, proof []byte) peer.ProofCheck {
	op.secretsMu.Lock()
	defer op.secretsMu.Unlock()
	save := func(b []byte) error { return op.st.Bucket(invitesBucket).Put([]byte(secretsKey), b) }
	r, err := op.secrets.Redeem(op.id.Address(), dialler, binding, proof, save)
	if err != nil {
		if !errors.Is(err, invite.ErrProof) && !errors.Is(err, invite.ErrExpired) {
			op.e.cfg.Logger.Warn("an invite proof was refused: its use could not be saved", "err", err)
		}
		return peer.ProofCheck{}
	}
	return peer.ProofCheck{
		Valid: true,
		// Only an invite that never left our screen says they saw it there.
		Verified: !r.Shared,
		Confirm:  invite.Confirm(r.Secret, op.id.Address(), dialler, binding),
	}
}

// checkConfirm is the peer manager's CheckConfirm: it checks the inviter's
// confirmation of the proof we sent, and then forgets the invite's secret,
// which is of no further use.
func (op *openProfile) checkConfirm(contact identity.Address, binding, confirm []byte) bool {
	b, err := op.st.Bucket(proofsBucket).Get([]byte(contact))
	if err != nil || len(b) != invite.SecretSize {
		return false
	}
	var secret invite.Secret
	copy(secret[:], b)
	if !invite.VerifyConfirm(secret, contact, op.id.Address(), binding, confirm) {
		return false
	}
	if err := op.st.Bucket(proofsBucket).Delete([]byte(contact)); err != nil {
		op.e.cfg.Logger.Warn("forgetting a used invite secret failed", "err", err)
	}
	return true
}
