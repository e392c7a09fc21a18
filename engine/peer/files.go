package peer

import (
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// Files carries file transfers over the sessions (package
// engine/files/transfer implements it; docs/files.md).
type Files interface {
	// Offered records a file the contact of conv offers, before its
	// message is stored (an offer written again changes nothing); the
	// Manager calls announce, if not nil, once the message is stored.
	Offered(conv model.ConversationID, r *protocol.FileOffer) (announce func(), err error)
	// Offer returns the record that carries an outgoing file message.
	Offer(msg model.Message) (protocol.Record, error)
	// Session starts the file side of a session; send writes a record
	// to it and may be called from any goroutine: a FileChunk at once,
	// returning once written; any other record is handed to the
	// session's writer and written after what waits before it (send
	// returns at once).
	Session(conv model.ConversationID, send func(protocol.Record) error) FileSession
}

// FileSession is the file side of one session: Sync at its start and on
// every wake, Handle for each file record, Close once it ended (after its
// connection is closed).
type FileSession interface {
	Sync() error
	Handle(r protocol.Record) error
	Close()
}

// noFiles refuses file offers: a Manager without Config.Files.
type noFiles struct{}

func (noFiles) Offered(model.ConversationID, *protocol.FileOffer) (func(), error) {
	return nil, errNoFiles
}
func (noFiles) Offer(model.Message) (protocol.Record, error) { return nil, errNoFiles }
func (noFiles) Session(model.ConversationID, func(protocol.Record) error) FileSession {
	return noFileSession{}
}

type noFileSession struct{}

func (noFileSession) Sync() error                  { return nil }
func (noFileSession) Handle(protocol.Record) error { return nil }
func (noFileSession) Close()                       {}

// SendFile queues the file message id to the contact: its transfer must
// already be recorded under that ID (Files.Offer reads it). body is the
// file's name, for the conversation list.
func (m *Manager) SendFile(addr identity.Address, id model.MessageID, name string) (model.Message, error) {
	return m.queueID(addr, id, model.KindFile, name, model.MessageID{})
}

// Wake asks the contact's link to sync its session now (a file accepted,
// declined or cancelled).
func (m *Manager) Wake(addr identity.Address) { m.wakeLink(addr) }

// onFileOffer records an offered file and stores its message. Nothing
// from a peer that is not an accepted contact is recorded.
func (st *session) onFileOffer(r *protocol.FileOffer) error {
	m := st.l.m
	c, err := m.contact(st.l.addr)
	if err != nil || c.State != model.ContactAccepted {
		return nil
	}
	announce, err := m.cfg.Files.Offered(model.ConversationID(st.l.addr), r)
	if err == errNoFiles {
		return nil
	}
	if err != nil {
		return err
	}
	if err := st.receive(model.Message{ID: r.ID, Kind: model.KindFile, Sent: r.Sent, Body: r.Name, Disappear: r.Disappear}); err != nil {
		return err
	}
	if announce != nil {
		announce()
	}
	return st.files.Sync()
}
