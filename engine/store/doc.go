// Package store provides a profile's encrypted database: contacts, the
// messages of every conversation, the persistent outbox, settings, and
// namespaced buckets in which later packages (groups, invites, tokens) keep
// their own records without knowing the store's internals.
//
// The database is Badger v4 opened with WithEncryptionKey (AES-256 with a
// 32-byte key supplied by the caller, normally a profile's master key). The
// tables and their indexes are encrypted whole (block by block), and so are
// the keys and values in the write-ahead memtable logs and the value log and
// the data keys in the key registry; the store adds no plaintext files of its
// own. Not encrypted: the header Badger writes before each entry of a log,
// which holds the key's and the value's length (and flag bytes). A log holds
// the latest writes (up to 4 MiB, until its memtable is flushed into a table,
// and its deleted blocks may stay on the disk). So message records are padded
// with zeros to a multiple of 512 bytes (most bodies, up to about 400 bytes,
// then show one length; compression makes the padding almost free in the
// tables), but key lengths still show what kind of record was written and a
// message key's length tells a one-to-one conversation (an onion address)
// from a group's, and the values of other records (contacts, settings, the
// group client's records) show their lengths: TestWALShowsOnlyPaddedLengths
// reads a raw log.
//
// # Badger tuning for a desktop
//
// Badger's defaults are sized for servers (64 MiB memtables ×5, a 256 MiB block
// cache, 1 GiB value-log files, 4 compactors). A messenger profile holds tens of
// megabytes and writes at human speed, so Open uses:
//
//	MemTableSize        4 MiB   one 5.2 MiB arena + its mmapped log; a write
//	                            transaction may hold 15 % of it (629 KB,
//	                            6 553 entries): the engine's largest, a
//	                            file's batch of 16 received chunks, holds
//	                            at most 256 KiB in the tree (chunks of
//	                            16 KiB and more are padded into the value
//	                            log), DeleteConversation's 3 000 deletions
//	                            about 210 KB (TestLargestTransactions). It
//	                            was 8 MiB; 4 MiB halves the arena (10.4 →
//	                            5.2 MiB of heap), which fills, and so
//	                            becomes resident, as messages are written
//	                            (docs/performance.md)
//	NumMemtables        2       one being written, one being flushed
//	BlockCacheSize      8 MiB   decrypted blocks; encryption makes a cache
//	                            mandatory, 8 MiB holds a few thousand messages
//	IndexCacheSize      4 MiB   required with encryption (table indexes are
//	                            encrypted and must otherwise stay in memory)
//	ValueThreshold      64 KiB  messages and records live in the LSM tree; only
//	                            large blobs go to the value log
//	ValueLogFileSize    16 MiB  a modest unit for value-log garbage collection
//	NumCompactors       2       the minimum Badger allows other than zero
//	NumLevelZeroTables  3 / stall at 10
//	CompactL0OnClose    true    Close compacts level 0, so the next Open does
//	                            not: the compactions right after opening
//	                            allocated and freed ~30 MiB just when the
//	                            app shows its list, which Go kept as idle
//	                            heap (docs/performance.md: unlocked, +72 →
//	                            +50 MiB over a minimal window). A kill
//	                            skips it; the next Open compacts then.
//	NumGoroutines       2       for Backup streams (2 cores is a common laptop)
//	MetricsEnabled      false
//	SyncWrites          true    (unless Options.NoSync) a message the user sent
//	                            survives a crash or a power cut
//
// Measured with BenchmarkOpenMemory (Linux, Go 1.26): opening a store with
// an empty database added about 11 MiB of Go heap in use with an 8 MiB
// memtable (mostly its arena, allocated up front) but only about 2.4 MiB
// of resident memory, since the arena's pages are touched only as the
// memtable fills. With Badger's defaults the arena alone would be 64 MiB.
//
// Other measurements (2 shared cores, see bench_test.go): AppendMessage
// ≈ 23–32k messages/s without sync and ≈ 2.8k/s with SyncWrites (one fsync
// per message); since records are padded to 512 bytes and indexed per
// conversation, ≈ 17–23k/s without sync where the code before made ≈ 26k/s
// in the same run (with sync both ≈ 0.3–0.6k/s then: the disk was busy); the latest 50 messages of one conversation among 1M stored
// in 100 conversations in ≈ 0.2–0.4 ms, the 50 before a given Seq in
// ≈ 0.08 ms.
//
// Deleting on request (BenchmarkClearAndDelete, without sync, 5000
// messages of one conversation, all unread): ClearConversation ≈ 38k
// messages/s, DeleteMessage one by one ≈ 25k/s, appending them ≈ 29k/s
// in the same run. Deciding whether a deleted message was unread reads
// nothing when fewer messages were numbered after it than are unread;
// scanning every later message instead made DeleteMessage ≈ 140/s there.
//
// # Re-keying
//
// Rekey puts the database under a new key: Badger's own key rotation only
// re-wraps the data keys in its key registry, so the old key would still
// unwrap the data keys of every existing table. Rekey instead copies every
// record (Backup into Load) into a new database beside the old one, whose
// data keys are fresh, lets the caller commit (package profile writes the
// new header), then swaps the folders; FinishRekey and AbandonRekey finish
// or undo an interrupted one. Operations wait while it runs (a read-write
// lock around the Badger handle).
//
// Badger logs through a quiet logger: debug and info lines are dropped, and
// warnings and errors are passed to Options.Log as their format string only,
// never with their arguments, which could hold keys or values.
//
// # Key layout
//
// Every key starts with one byte naming its kind; a conversation ID is
// written as a 2-byte big-endian length and its bytes, so that one
// conversation's keys form one contiguous range:
//
//	m name                       meta (schema version, counters)
//	c address                    contact record
//	M conv seq(8, big-endian)    message record
//	i conv messageID(16)         message index: seq (0: a tombstone, the message was
//	                             deleted on request: DeleteMessage, ClearConversation)
//	I messageID(16) conv         conv holds a message of that ID
//	C conv                       conversation summary (last seq, count, activity, unread count)
//	o conv n(8, big-endian)      outbox entry: message ID
//	O messageID(16)              outbox index: conv, n
//	s name                       setting
//	b bucket key                 bucket record (bucket name length-prefixed)
//	x expiry(8) messageID(16)    disappearing message, by deletion time (Unix
//	                             ns): conv, seq
//	t conv seq(8, big-endian)    disappearing message whose timer starts when read
//
// LatestMessages and MessagesBefore seek to the end of the range they want
// and iterate in reverse, so they read only the messages they return.
// GetMessage, HasMessage and UpdateMessageStatus go through the index in O(1)
// lookups.
//
// A message ID is unique within its conversation only. Its sender chooses
// it (a contact's one-to-one message may carry any ID; a group message's
// is the first half of a hash), so a global index would let a contact who
// is also in a group send a one-to-one message under the ID of their next
// group post and have the post dropped as a duplicate (security finding
// M-1). Every lookup by ID therefore names the conversation, and the same
// ID in two conversations is two messages; ConversationsWith lists the
// conversations of an ID, so that the group client can warn. The outbox
// index (O) stays keyed by ID alone: it holds only this profile's own
// messages, whose IDs it made (random, or hashes of its own posts).
//
// # Records
//
// Records are a compact binary encoding: a version byte (1), then fields in a
// fixed order; integers as unsigned varints, strings as a varint length and
// UTF-8 bytes, times as a presence byte then varint seconds and nanoseconds
// since the Unix epoch, IDs as their 16 raw bytes. A message record carries
// the flag "padded": its timer fields are always present, then its kind
// (one byte, absent for a text, whose record goes on with the padding), then,
// under the flag "reactions", the kind byte even for a text, the number of
// reactions and each one's author and emoji (SetReaction keeps a message's
// reactions in its record, so they go when it goes), and zeros follow up to
// a multiple of 512 bytes (records written before have no padding and still
// decode; testdata/messages-v1.hex holds records written before reactions).
// A reaction adds about 60 bytes (an onion address and an emoji), so a
// record's padded length tells roughly how many people reacted to a
// message, in steps of about eight. Decoders check every
// length against what is left and return an error wrapping ErrCorrupt, never
// panic. Fields known only in the key (a message's conversation and Seq, a
// contact's address) are not repeated in the value.
//
// # Schema and migrations
//
// The schema version is stored under the meta key "schema". Open refuses a
// database written by a newer version (ErrNewerSchema) and brings an older one
// up to date by running the migrations from its version to the current one in
// order (schema 2: the message index keyed by conversation, migrated from
// schema 1's index keyed by ID; testdata/schema1 is a database written by
// schema 1's code). A migration may span many transactions (a transaction holds at most
// 629 KB here), so each must be idempotent: the version is bumped only after
// the migration returned, and an interrupted one runs again at the next Open.
package store
