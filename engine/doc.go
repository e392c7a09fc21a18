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
// is removed, the fetches from members, and the holder notes, posted
// after a random delay or not at all: Config.HolderNotes),
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
// (TestCommitsPerEdit: between contacts 2.4 commits for the editor with
// the barrier message, 1.2 for the receiver; in a group 3.4 and 1.2). The
// records: docs/protocol.md §5 (Edit) and docs/groups.md (Edits).
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
// content as text. To add a kind (KindGroupInvite is the example of a
// message, reactions of something that changes a message):
//
//  1. engine/model: a MessageKind constant and its String, or, for
//     something that is not a message but changes one, a field of
//     model.Message (Reactions) and the helper that applies a change
//     (SetReaction). MessageAdded reports a new message, MessageChanged a
//     changed one (the whole message): no new event is needed.
//  2. engine/store: nothing for a kind without fields of its own (the
//     record keeps the kind). Fields of its own are a trailing field
//     behind a new flag in encodeMessage/decodeMessage (records written
//     before must decode byte for byte: testdata/messages-v1.hex and
//     TestMessagesBeforeReactions), a seed in recordSeeds (go test -run
//     TestWriteFuzzCorpus -args -update). A change of a message goes
//     through Tx.ChangeMessage with the model's rule (model.ApplyEdit,
//     model.SetReaction) in the transaction that handles the record, so
//     that the commit budget holds: no store code for it unless it adds a
//     field.
//  3. engine/protocol: the record that carries it between contacts (id,
//     sent, disappear and the content, like GroupInvite's layout 2; a
//     change of a message names its target, like Reaction), one entry in
//     recordTypes, its layout in docs/protocol.md §5, records in
//     validRecords, refused ones in TestEncodeRefusesInvalid, malformed
//     bytes in a decode test (TestReactionMalformed), TestEncoding's
//     pinned bytes, and the fuzz seeds rewritten with go test -run
//     TestWriteFuzzCorpus -args -update.
//  4. engine/peer: a message: a case in session.handle that calls an
//     on… method, which goes to session.receive (which stores, reports and
//     acknowledges it); it is sent by a case in record() and queued by a
//     Manager method that calls queue with the kind. A change of a
//     message: an entry in changeTypes (reactions.go: its record's fields
//     and the model's rule) and a Manager method of a few lines over
//     Manager.change; the session (onChange), the bucket of the latest
//     change per target and kind, its flush after the outbox and its
//     Ack need nothing new.
//  5. Groups: a group.Kind in engine/group (body, decodePlaintext, the
//     seeds in seedMessages and the body switch of FuzzDecodePlaintext,
//     go test -run TestWriteSeedCorpora -args -update, docs/groups.md)
//     and its handling where groupclient posts (Post; a change of a
//     message: a method over queueChangeLocked, like React and Edit) and
//     accepts (a message: observe in sync.go, whose effects are stored in
//     the batch's transaction; a change: an entry in messageChanges and
//     its observe method in reactions.go, applied by the batch through
//     Tx.ChangeMessage; posts that are no stored message need markFailed's
//     not-found case).
//  6. engine: a facade method if SendMessage does not fit, taking the
//     conversation ID and model types; an error a person may read for each
//     way it can fail. Engine tests over the loopback transport for a
//     contact and a group, and a commit count for the new path.
//  7. The frontend: widgets shows a message by its Kind (or the new
//     field), from its own widgets.Message (Reactions); app/ui adds the
//     facade method to its Engine interface (engineapi.go) and to the
//     tests' checked engine, applies a new event in state.Apply (a table
//     test in app/ui/state), fills the widget's fields in
//     chatPane.bubble, calls the engine through run.go, and tests it over
//     two engines (TestReactionsUI, TestGroupReactionsUI, TestEditUI). A
//     change of a message needs no new event: MessageChanged, which
//     state applies to the window, the replies quoting it and the list's
//     row.
//
// What reactions cost, counted from their commits: 26 files of code in 10
// packages (7 of them new, a reactions.go in model, store, peer,
// groupclient, engine, widgets and app/ui/state; 19 changed), 5 package
// docs and 3 documents; 68 files with the tests, fuzz seeds and goldens.
// That is not the half of the 17 files in 7 packages (21 in 9 for groups)
// that a kind of message took before, which was the aim: a reaction is
// not a message but a change of one, and needed what a message kind
// does not: a field of the stored record with its Tx method and fixtures
// (step 2), a record of its own with its acknowledgement and a bucket of
// changes still to send (step 4), events that count nothing unread, and
// a widget of its own (the chips). A kind that is a message with no
// fields of its own skips step 2 and the second half of step 4.
//
// Editing, the next change of a message, built on that machinery, cost
// 19 files of code in 10 packages (3 new: model/edit.go, store/change.go,
// engine/edit.go; 16 changed), 4 documents with this one, 14 test files,
// 25 fuzz seeds and 2 screenshots: 73% of what reactions took, and about
// what a plain kind took before, not half. What still costs is one touch
// per layer, each a real boundary: the rule and the field (model, and the
// record flag in store, because an edit keeps its time), the record
// between contacts and the kind in a group (two protocols: protocol and
// group), the session and the group client (peer, groupclient), the
// facade and its error (engine), the menu and the mark (widgets), and the
// screen (app/ui: the interface, the composer, the row; state: the
// quoting replies). The edits made the change machinery generic on the
// way: Tx.ChangeMessage, peer's changeTypes with Manager.change and one
// onChange, groupclient's messageChanges with queueChangeLocked; with
// them a further change of a message that needs no new stored field
// ("delete for everyone" keeping a tombstone would need one) costs about
// 13 files of code in 8 packages: the model's rule, a record and a kind, one entry and
// one method each in peer and groupclient (reactions.go alone), the
// facade method, the widget's menu entry and the screen's three. A
// shared wire family for changes (one record and one kind, with a change
// type inside) would save the protocol and group files too; it was not
// done, so that old records stay as they are.
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
