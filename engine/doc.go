// Package engine is Nook's core as one in-process object that a frontend
// drives: it opens a profile, runs Tor, talks to contacts and group servers,
// and reports everything that happens on one event stream.
//
// The engine never imports a UI toolkit (a test enforces it): the desktop app
// in app/ calls its methods and turns its events into screen updates.
//
// The engine's methods are grouped by file: profiles.go (create, unlock,
// lock, password, export, import, delete), conversation.go (the
// conversation API, below), conversations.go (contacts), invites.go
// (invite text and QR codes, in-person invites), verify.go (safety codes,
// verified contacts), groups.go and hosting.go (groups, known servers, a
// server hosted in the app), settings.go and torsettings.go (how to reach
// Tor: ModeAuto, direct, built-in bridges, the person's own bridges),
// connect.go (Automatic: direct, then snowflake, then obfs4, each left
// after ConnectConfig.Stall without bootstrap progress or Limit in all, the
// way that worked remembered; its steps and timeouts are injectable, and
// every TorStatus event carries a plain Note saying what is tried and
// why, and its sentences named for translation in Notes: model.Text),
// files.go (sharing files with a contact or a group: SendFile,
// AcceptFile, DeclineFile, CancelFile, SaveFile, File, Files,
// FileThumbnail; docs/files.md) and groupfiles.go (in a group: the
// profile's file service per group, stopped when the profile leaves or
// is removed, what it kept of a group's files forgotten then, at unlock
// for groups left under the version before, and before joining a group
// again (a new service key; a service still being published from the
// membership before is closed, and a join waits for another one under
// way), the fetches from members; with Settings.ServeFetchedFiles off,
// the files fetched are not served, the files shared still are),
// holdernotes.go (the notes a member holding a file posts, after a random
// delay or not at all, none with ServeFetchedFiles off:
// Config.HolderNotes),
// events.go and notify.go (the event stream).
//
// # Conversations
//
// A conversation is one model.Conversation whether it is with a contact or
// a group: its ID (a contact's onion address, or "g:" and a group ID), its
// Kind, a title, the contact or group, its latest message (in a group,
// with its author as the group names them: LastAuthor), unread count,
// presence, disappearing timer, archived and left flags. The same methods
// act on both kinds: Conversations, Conversation, SendMessage, Reply,
// History, MarkRead, React, EditMessage, Archive, DeleteConversation, SetConversationTimer
// (contacts only: a group has no timer, docs/groups.md), and
// DeleteMessage and ClearConversation, which delete messages from this
// computer only and fix the summary in the same transaction. Every
// subscription starts with a model.Snapshot of all conversations, sent
// again at each unlock and lock; ConversationChanged and
// ConversationRemoved follow each change, with the whole new state.
// MessageAdded, MessageStatusChanged, MessageChanged, MessagesExpired and
// MessagesDeleted report the messages themselves. A message of
// model.KindNote is a note about the conversation (a member joined or left
// a group, an admin removed someone or renewed the group's key: the Note
// words of package model), shown as a centred line and never unread. Older methods that take a contact address or a
// group (Send, PostToGroup, ArchiveContact, SetDisappear, ...) remain,
// marked Deprecated, as thin wrappers over these.
//
// The store keeps each conversation's summary (last Seq, count, activity,
// unread count) and updates it in the transaction that stores a message:
// a received message costs one commit, a sent one three (queued, sent,
// delivered with its outbox entry removed), a group post at most three
// (queued with the posting token reserved for it, sent, delivered; two
// when it comes back before the server's answer); TestCommitsPerMessage
// and TestCommitsPerGroupPost count them.
//
// # Reactions
//
// React puts the profile's emoji on a message of a conversation, the same
// for a contact and a group (an empty emoji removes it): one reaction per
// person and message, stored in the message's record (model.Message's
// Reactions, returned by History), so it goes when the message goes.
// MessageChanged reports the whole message whenever its reactions change,
// ours or someone else's. A reaction is quiet: it counts nothing unread,
// moves no conversation up the list and is no cause for a notification.
// Signal and WhatsApp notify someone whose own message got a reaction;
// Nook does not, even then: a reaction acknowledges and says nothing new,
// and a notification would put who reacted, and how, on a screen that
// someone else may see (a lock screen, a shared desktop). The
// conversation shows it when it is opened. Costs: a reaction between
// contacts is one commit for the reactor, one more when it is
// acknowledged (none when a later change replaced it first), one for the
// receiver (TestCommitsPerReaction); in a group at most three and one
// (TestCommitsPerGroupReaction). The records:
// docs/protocol.md §5 (Reaction) and docs/groups.md (Reactions).
//
// # Editing
//
// EditMessage replaces the text of a message the profile wrote, the same
// for a contact and a group: only a text (not a note, an invitation or a
// file), only within model.EditWindow (24 hours) of sending. The window
// is for the typo noticed soon after; a message read, answered and
// quoted days ago should not say something else today, and a receiver
// refuses later edits too (model.ApplyEdit decides on every side: the
// author's own text, in the window, newer than the last edit). The new
// text replaces Body in the stored message, model.Message's Edited gives
// the edit's time, and MessageChanged reports the whole message; a reply
// quotes by ID and so shows the new text. Like a reaction an edit is
// quiet (nothing unread, no move up the list, no notification), is
// dropped by a receiver that does not hold the message (deleted, gone
// with its timer, or not yet received), and costs what a reaction costs
// (TestCommitsPerEdit: between contacts 1.8–2.4 commits (over runs) for the editor with
// the barrier message, 1.2 for the receiver; in a group 3.4 and 1.2). The
// records: docs/protocol.md §5 (Edit) and docs/groups.md (Edits).
//
// # Deleting for everyone
//
// DeleteForEveryone takes back a message the profile wrote, the same for
// a contact and a group, on the rule of an edit (model.ApplyDelete: only
// the author's own text, within model.EditWindow, decided on every side):
// a day is enough to take back a message sent by mistake or to the wrong
// person, and a message answered or quoted days ago stays what was said.
// Every copy that receives it becomes a note, KindNote with Body
// model.NoteDeleted and the author kept ("Alice deleted this message"),
// its text, quote and reactions dropped: no new stored field. A reply
// quotes by ID and so shows the note; a deletion that arrives before its
// message is dropped, as an edit is. It is quiet as an edit is and costs
// what one costs (TestCommitsPerDeleteForEveryone: between contacts 2.6
// commits for the deleter with the barrier message, 1.2 for the
// receiver; in a group 3.4 and 1.2). It reaches only Nooks that apply
// it: not a modified app, a version before the Change record, a
// screenshot or a reader's memory, which the app says before deleting
// (docs/security.md §3). A message deleted before it left (a contact's
// outbox, a group's post queue) is never sent, nor its edits or
// reactions (in a group a Delete, which members drop, takes its place in
// the queue and its number); one already sent gets the deletion, and its edits and
// reactions not yet sent are dropped (docs/protocol.md §5, docs/groups.md
// "Changes of a message"). Files are not deleted for everyone: a file's
// offer has a transfer of its own to stop. The record: docs/protocol.md
// §5 (Change, type 3).
//
// # The facade
//
// A frontend uses the engine through this package alone: its methods take
// and return only engine/model types, this package's own types and
// builtins, and app/ui imports nothing else from the engine tree
// (TestImportRules in deps_test.go enforces it, with a reason per rule;
// its tests may add enginetest and the loopback transport). A contact is
// named by its conversation ID, which is its onion address: the contact
// methods (AcceptContact, BlockContact, Contact, MarkVerified, Presence,
// RenameContact, SafetyCode, InviteToGroup's recipient, ...) take a
// model.ConversationID and return ErrNoConversation for a group's ID or
// an ID that is no address. ParseAddress turns an address as typed into
// that ID. Self and Server.Address give onion addresses as strings, like
// model.Contact.Address. Groups are model.Group (their conversation is
// Group.Conversation()), members model.GroupMember (whose Address is the
// member's key in that group, not an onion address: Contact names the
// contact they are, when their contact tags say so), invites read without
// acting on them model.InvitePreview (ParseInvite), profiles ProfileInfo,
// a hosted server's counters ServerStats. The sentinels a screen tells
// apart are re-exported here (ErrWrongPassword, ErrDiskFull, ...), with
// the limits it checks before calling (MaxNameLen, CheckDisplayName,
// MaxImageBytes). Only Config, which the program's main fills once,
// holds settings of the subpackages (the transport, Tor, key derivation,
// the hosted server); a frontend's tests take theirs from enginetest.
//
// Explain is the one place that turns an error into what a person reads:
// a plain sentence and what to do, never a package prefix or internals
// (TestExplain covers every sentinel a facade call can return;
// TestExplainComplete fails for a new one that is neither explained nor
// listed, with its reason, as never returned).
//
// # Adding a kind of message
//
// A message's model.MessageKind says what it is; its Body holds the kind's
// content as text. Something that changes a message (a reaction, an edit,
// deleting it for everyone) is not a kind of message but a change type,
// which costs far less; it comes second below.
//
// To add a kind of message (KindGroupInvite is the example):
//
//  1. engine/model: a MessageKind constant and its String. MessageAdded
//     reports a new message: no new event is needed.
//  2. engine/store: nothing for a kind without fields of its own (the
//     record keeps the kind). Fields of its own are a trailing field
//     behind a new flag in encodeMessage/decodeMessage (records written
//     before must decode byte for byte: testdata/messages-v1.hex and
//     TestMessagesBeforeReactions), a seed in recordSeeds (go test -run
//     TestWriteFuzzCorpus -args -update).
//  3. engine/protocol: the record that carries it between contacts (id,
//     sent, disappear and the content, like GroupInvite's layout 2), one
//     entry in recordTypes, its layout in docs/protocol.md §5, records in
//     validRecords, refused ones in TestEncodeRefusesInvalid, malformed
//     bytes in a decode test, TestEncoding's pinned bytes, and the fuzz
//     seeds rewritten with go test -run TestWriteFuzzCorpus -args -update.
//  4. engine/peer: a case in session.handle that calls an on… method,
//     which goes to session.receive (which stores, reports and
//     acknowledges it); it is sent by a case in record() and queued by a
//     Manager method that calls queue with the kind.
//  5. Groups: a group.Kind in engine/group (body, decodePlaintext, the
//     seeds in seedMessages and the body switch of FuzzDecodePlaintext,
//     go test -run TestWriteSeedCorpora -args -update, docs/groups.md)
//     and its handling where groupclient posts (Post) and accepts
//     (observe in sync.go, whose effects are stored in the batch's
//     transaction; posts that are no stored message need markFailed's
//     not-found case).
//  6. engine: a facade method if SendMessage does not fit, taking the
//     conversation ID and model types; an error a person may read for each
//     way it can fail (Explain). Engine tests over the loopback transport
//     for a contact and a group, and a commit count for the new path.
//  7. The frontend: widgets shows a message by its Kind, from its own
//     widgets.Message; app/ui adds the facade method to its Engine
//     interface (engineapi.go) and to the tests' checked engine, applies
//     a new event in state.Apply (a table test in app/ui/state), fills the
//     widget's fields in chatPane.bubble, calls the engine through run.go,
//     and tests it over two engines.
//
// To add a change of a message, build on the change family: one record
// between contacts (protocol.Change, 0x11) and one group kind
// (group.KindChange, 12) carry a model.ChangeType and its payload, and one
// table, model.Changes, says for each type how its payload is checked on
// the wire, who may make it (Allowed) and how it is applied to a stored
// message (Apply). peer (Manager.Change, onChange, the bucket of the
// latest change per target and type, its flush and Ack) and groupclient
// (Client.Change, observeChange) dispatch every change through that table,
// inside the transaction that handles the record (store.Tx.ChangeMessage),
// and the facade's changeMessage routes one to a contact or a group. A new
// change type therefore touches no protocol, group, peer, groupclient or
// store code:
//
//  1. engine/model: the ChangeType constant and its rule, registered in
//     Changes (a file of its own: deleted.go), with a table test. It
//     changes only fields a message already has (the kind, the body,
//     reactions, Edited), or it needs a stored field (store step 2 above).
//  2. engine: a facade method of a few lines over changeMessage, its error
//     a person can read (Explain, and its key in app/i18n's catalog), and
//     engine tests for a contact, a group and the commit count; a hostile
//     change (one the rule refuses) in the peer and groupclient change
//     tests, as test cases only.
//  3. The frontend: the widget's menu entry (widgets), the Engine
//     interface, the checked engine, the menu's handler and how the
//     changed message reads (app/ui, app/ui/state: MessageChanged needs
//     nothing new; state applies it to the window, the replies quoting
//     it and the list's row), English strings in app/i18n's catalog.
//  4. Docs: its row in docs/protocol.md §5's table of change types and
//     its rule there.
//
// Reactions and edits are still sent as their own records (Reaction 0x0e,
// Edit 0x10) and group kinds 5 and 10, which versions before the family
// read; receivers apply a Change of those types the same, so a later
// version can switch them to the family once those versions are gone. A
// Change of a type a version does not know is acknowledged and dropped.
//
// What it cost, counted from the commits. Before: a kind of message took
// about 17 files of code in 7 packages (21 in 9 for groups); reactions 26
// in 10 (they built the change machinery), editing 19 in 10. The family
// itself (the table, the record and the kind, and peer, groupclient and
// the facade dispatching through it) took 9 files of code in 6 packages.
// Delete for everyone, the first change type on it, then took 9 files of
// code in 5 packages (model/deleted.go, engine/deleteall.go, explain.go;
// widgets/bubble.go; app/ui's chat.go, contactmenu.go, engineapi.go,
// invitecard.go; app/ui/state/rows.go) and the English catalog (with
// en-XA, generated), 9 test files and 3 documents with 2 screenshots: about
// half of a kind of message before (17 in 7) and under half of editing (19
// in 10), which was the aim. What still costs is one touch per layer that
// a person sees (the rule, the facade and its error, the menu, the
// screen), each a real boundary.
//
// Packages below engine/, leaves first:
//
//	model        the vocabulary: IDs, messages, conversations, events (standard library only)
//	identity     ed25519 identities and Tor v3 onion addresses
//	store        the encrypted Badger database and its records
//	profile      profile folders: Argon2id-protected keys, unlock, export, import
//	transport    the Listen/Dial interface protocol code uses; loopback for tests
//	tor          the bundled Tor, managed and supervised; tortest runs a
//	             private Tor network on 127.0.0.1 for tests and the demo
//	wire         fixed-size sealed frames (docs/protocol.md §4)
//	protocol     the typed records peers and servers exchange (§5)
//	handshake    the mutually authenticated Noise XX handshake (§3)
//	peer         one-to-one sessions, contact policy, outbox and receipts
//	invite       invite text, QR codes, server bundles, one-time secrets (docs/invites.md)
//	tokens       anonymous posting tokens: RFC 9497 VOPRF (docs/groups.md)
//	group        group keys and sealed fixed-size group messages
//	groupclient  a profile's side of groups: posting, catch-up, checks
//	groupserver  the untrusted group server, as a library (app/server runs it)
//	files        safe names, the chunk tree, picture decoding, stripping and thumbnails (docs/files.md)
//	files/transfer  file transfers: storage in the profile, the session side, group files' serving and fetching
//	enginetest   the engine configuration tests use
package engine
