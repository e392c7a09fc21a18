package engine

import (
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// This file holds contact verification (docs/security.md, "Verified
// contacts"): safety codes, marking a contact verified by hand, and the
// migration of badges given by earlier versions.

// SafetyCode returns the safety code of the unlocked profile and a
// contact: 60 digits in groups of five (a fingerprint of each key), the
// same on both people's screens (invite.SafetyCode). Two people who compare it, in person or over a
// call where they recognise each other, and see the same digits know that
// each Nook talks to the other's; they may then mark each other verified
// (MarkVerified).
func (e *Engine) SafetyCode(id model.ConversationID) (string, error) {
	op, contact, err := e.contact(id)
	if err != nil {
		return "", err
	}
	if _, err := op.st.GetContact(string(contact)); err != nil {
		return "", fmt.Errorf("contact: %w", err)
	}
	return invite.SafetyCode(op.id.Address(), contact)
}

// MarkVerified marks a contact verified (model.VerifiedSafetyCode) after
// the person compared the safety code with them, or, with verified false,
// removes the badge however it was given.
func (e *Engine) MarkVerified(id model.ConversationID, verified bool) (model.Contact, error) {
	op, contact, err := e.contact(id)
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.SetVerified(contact, verified)
}

// migrateVerified replaces the badges stored by versions of Nook that did
// not record how a contact was verified (model.VerifiedLegacy). Those
// versions also gave the badge to the side that accepted an in-person
// invite, on the contact's acceptance, which a forged invite could obtain
// (security finding H-1). That side kept the invite's secret under the
// contact's address in proofsBucket, and nothing ever removed it: a
// legacy badge of a contact whose secret we hold may have come from that
// path, so it is removed and the contact marked VerifyRevoked. (If both
// accepted each other's in-person invite, the badge may have been earned
// the sound way too; it is removed all the same, failing closed.) The
// other legacy badges were given to a dialler who proved a secret we
// issued; but those versions showed and copied in-person invites freely
// and kept their secrets 24 hours, so the invite may have left our screen:
// they become VerifiedEarlierVersion, which says so and asks to compare
// the safety code (security review 2, L-A). Every badge kept gets
// the name it belongs to (model.Contact.VerifiedName): the contact's
// display name now, the only one we know. It runs at every unlock
// and touches only legacy records, so it is idempotent.
func (op *openProfile) migrateVerified() error {
	contacts, err := op.st.Contacts()
	if err != nil {
		return err
	}
	for _, c := range contacts {
		if c.Verified && c.VerifiedName == "" && c.DisplayName != "" && c.Verification != model.VerifiedLegacy {
			// Verified by a version that did not record the name the
			// badge was given under: the store records the name of now
			// (security review 2, M-B).
			if err := op.st.PutContact(c); err != nil {
				return err
			}
			continue
		}
		if c.Verification != model.VerifiedLegacy {
			continue
		}
		_, err := op.st.Bucket(proofsBucket).Get([]byte(c.Address))
		switch {
		case err == nil:
			c.Verified, c.Verification, c.VerifyRevoked = false, model.Unverified, true
		case errors.Is(err, store.ErrNotFound):
			c.Verification = model.VerifiedEarlierVersion
		default:
			return err
		}
		if err := op.st.PutContact(c); err != nil {
			return err
		}
	}
	return nil
}
