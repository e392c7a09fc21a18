// Package groupclient provides the client side of Nook groups: the groups a
// profile belongs to (created or joined from an invite), posting to them
// through their untrusted server, and catching up with and following what
// the server holds.
//
// One Client serves a profile. For every group server it runs a subscriber
// (one long-lived connection: Subscribe from a randomised cursor somewhat
// before the persisted one, skipping what it already stored, then
// live blobs) and a poster (the persistent post queue). Every connection
// uses a fresh, throwaway identity, so the server cannot link connections
// to each other or to the profile; each post goes on its own connection
// with its own anonymous token, and tokens are fetched on yet another
// connection, so neither issuance nor connection links two posts.
//
// Every send attempt of a post is sealed afresh (group.Reseal), queued
// posts leave with random pauses between them (Config.PostGap), and a
// wallet running low is refilled at a random time (Config.RefillWithin),
// so that neither resends, bursts nor token fetches link posts.
//
// Catch-up asks for stored blobs several to a record (AcceptBlobs before
// Subscribe; a server that predates it sends a Blob record each, read as
// well), trial-rejects each blob by tag against the profile's groups on
// that server, opens and verifies what is ours, feeds each group's
// group.Timeline (whose findings become model.GroupWarning events), and
// stores new messages, advancing the cursor in the same transaction (one
// for every 64 blobs of its groups). Blobs are read into buffers handed
// back once stored, and used where they lie, not copied out.
//
// Everything persistent lives in the profile's encrypted store: the groups
// and their keys, the post queue (store outbox plus the sealed blobs), the
// token wallets, the cursors and the timelines. A crash loses nothing: a
// post whose result was lost is sent again, and the copy is recognised by
// its message ID. A post is queued with the posting token it will spend,
// taken from the wallet in the same transaction (reserveToken), so that
// sending costs no commit, and a crash makes a post spend a second token
// only when the server refused its reserved one (docs/groups.md,
// "Posting").
//
// React puts the profile's emoji on a stored message (docs/groups.md,
// "Reactions"): it is set on the message and a sealed message of kind
// group.KindReaction is queued in one transaction, and posted like a
// text. Members' reactions are stored on their targets in the
// transaction that stores the batch, reported as MessageChanged. Edit
// replaces the text of the profile's own recent text the same way
// (group.KindEdit, docs/groups.md "Edits"); both go through the table of
// changes of a message (messageChanges) and Tx.ChangeMessage. Change
// makes any other change of the model's table (model.Changes) and posts it
// as a group.KindChange, whose receivers apply it by that table's rule
// (change.go): a new change type needs nothing in this package.
//
// JoinGroup (and CreateGroup) post a join notice, a sealed message of kind
// group.KindJoined; join and leave notices received are stored as notes
// (model.KindNote), and so are the rotations: accepted (NoteRemoved,
// NoteRenewed, stored where the rotation is accepted, or for the
// profile's own in the transaction that makes it) or ending the group for
// the profile (removed, not given the key, an invite revoked). A group joined on a server already followed for
// another group has the server's history read again for it (backfill,
// docs/groups.md "Joining a group"); its posts wait until then.
//
// Leave leaves a group (docs/groups.md, "Leaving a group"): in one
// transaction the group's key, queued posts and (for a server no other
// group uses) cursor are forgotten and a leave notice, a sealed message of
// kind group.KindLeft, is queued for the others; the server's subscription
// stops with its last group. The history is deleted or kept read-only
// (LeftGroups); the deletions after the transaction resume at the next
// Start when a crash interrupted them.
//
// RemoveMember (the group's owner or an admin) moves a group to a new
// epoch (docs/groups.md, "Governed groups"): a rotation, sealed under the
// current key and queued like a post, carries the new key wrapped for every
// other member seen; the client then writes under the new key. Receiving
// clients check that the rotation's author is an admin, take the key (or
// learn that they were removed: the group becomes read-only history), and
// from then on do not show what a removed member writes with the old key.
// The keys of every epoch are kept, so old history stays readable. The
// owner names admins (SetAdmin); when two admins rotate at once, the
// rotation the server stored first counts and the other client makes its
// change again on top of it. An admin's client rotates by itself after a
// member's leave notice (Config.RotateWithin). Invite makes G3 invites
// (naming the owner) in a group's first epoch and G2 invites once it has
// rotated; a later rotation revokes them. Groups stored before epochs load
// as epoch 0, owned by the author of their oldest stored message, once. A
// member who joined from a G1 invite knows no owner: it checks no
// rotation, and the first one it reads ends the group for it
// (model.NoteOwnerUnknown), so that nobody becomes its owner by posting
// first.
//
// The profile signs each group's messages with a key of that group, made
// when it joins or creates it (docs/groups.md, "Per-group identities"),
// never with its onion key; a membership stored before keeps the onion
// key. After its join notice it posts contact tags (group.KindKnownTo)
// by which its contacts (Config.Contacts), and only they, recognise it;
// Members reports the members recognised so (Member.Contact) and the
// profile itself (Member.Self).
//
// A group can live on up to three servers (docs/groups.md, "A group on two
// servers"): the owner or an admin adds or removes one (AddServer,
// RemoveServer) with a sealed list (group.KindServers); every post goes to
// each server, sealed afresh for each; every server's subscription feeds
// the group's one timeline, which drops what another delivered first; and a
// finding another server could answer is held back until all have caught
// up (withheld.go), so a server that was down or lost its data is no
// warning. GroupInfo.Servers reports each server's state.
//
// PostFile announces a file in a group and PostHolder tells it that the
// profile holds one (group.KindFileOffer, docs/files.md §8); the
// announcements and holder notes of other members are handed to
// Config.FileOffered and Config.FileHolder once stored. The files
// themselves never pass through the server.
//
// Lifecycle: New checks the configuration; Start loads the groups and
// starts the per-server goroutines; Close stops them and waits.
package groupclient
