package peer

import (
	"errors"
	"log/slog"
	"sync"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// Limits on what a session holds for its writer. The link's goroutine
// never waits for a write: what it has to say waits here, and if a
// contact keeps sending while it reads nothing of what we write, these
// fill and the session ends (errNotReading) instead of growing.
const (
	// flushWindow is how many records of the outbox (messages, changes of
	// messages) wait for the writer at most; the link hands it more once
	// half of them are written.
	flushWindow = 32
	// maxPendingAcks bounds the message IDs stored and waiting to be
	// acknowledged. The writer sends them all at once, up to
	// protocol.MaxAckIDs in one Ack, so they only pile up while it is
	// stuck: a contact reading nothing of what we write.
	maxPendingAcks = 8 * protocol.MaxAckIDs
	// maxQueued bounds the other records waiting (answers, contact
	// announcements, the small records of file transfers). Nook sends few
	// of them; only a contact asking for answers it does not read fills it.
	maxQueued = 1024
)

// errNotReading ends a session whose contact keeps sending records that
// call for an answer while it reads nothing of what we write.
var errNotReading = errors.New("the contact does not read what we write")

// errWriterStopped is what the writer returns once its session ended.
var errWriterStopped = errors.New("session writer stopped")

// writer is a session's writer goroutine and what waits for it. The
// link's goroutine hands it records without ever blocking, and the
// session's reader waits only for the link's goroutine, so a session
// keeps reading whatever its writes do: two contacts writing to each other
// as fast as they can never end up both writing while neither reads.
//
// It writes acknowledgements first, as many IDs in one Ack as the record
// holds (protocol.MaxAckIDs), then the other records in the order they
// were handed over (so a contact acceptance precedes the messages after
// it, and a message precedes its changes).
type writer struct {
	s      *handshake.Session
	logger *slog.Logger
	// room is called when half of the flush window has been written: the
	// link may hand over more of the outbox.
	room func()

	ready chan struct{} // capacity 1: there is something to write
	stop  chan struct{} // closed by close
	done  chan struct{} // closed when run returns

	mu     sync.Mutex // guards the fields below
	acks   []model.MessageID
	queue  []queued
	outbox int   // records of the outbox handed over and not yet written
	others int   // other records in queue
	err    error // why the writer stopped, once it did
}

// queued is a record waiting for the writer; outbox marks a record of the
// outbox, which counts against flushWindow.
type queued struct {
	r      protocol.Record
	outbox bool
}

// newWriter returns the writer of s; go run() starts it.
func newWriter(s *handshake.Session, logger *slog.Logger, room func()) *writer {
	return &writer{s: s, logger: logger, room: room,
		ready: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// ack queues an acknowledgement of id, a message stored (or one already
// stored before). It returns errNotReading when maxPendingAcks IDs are
// already waiting.
func (w *writer) ack(id model.MessageID) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if len(w.acks) >= maxPendingAcks {
		return errNotReading
	}
	w.acks = append(w.acks, id)
	w.kick()
	return nil
}

// Send queues r, a record that is not part of the outbox. It returns
// errNotReading when maxQueued such records are already waiting. It may
// be called from any goroutine.
func (w *writer) Send(r protocol.Record) error {
	return w.push(r, false)
}

// hasRoom reports whether the flush window has room for another record
// of the outbox.
func (w *writer) hasRoom() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.outbox < flushWindow
}

// sendOutbox queues r, a record of the outbox; the caller checked
// hasRoom.
func (w *writer) sendOutbox(r protocol.Record) error {
	return w.push(r, true)
}

func (w *writer) push(r protocol.Record, outbox bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if outbox {
		w.outbox++
	} else {
		if w.others >= maxQueued {
			return errNotReading
		}
		w.others++
	}
	w.queue = append(w.queue, queued{r: r, outbox: outbox})
	w.kick()
	return nil
}

// kick wakes the writer goroutine; w.mu is held.
func (w *writer) kick() {
	select {
	case w.ready <- struct{}{}:
	default:
	}
}

// next takes the next record to write: the pending acknowledgements, or
// else the oldest record queued.
func (w *writer) next() (r protocol.Record, outbox, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := len(w.acks); n > 0 {
		var ids []model.MessageID
		if n <= protocol.MaxAckIDs {
			ids, w.acks = w.acks, nil
		} else {
			ids, w.acks = w.acks[:protocol.MaxAckIDs:protocol.MaxAckIDs], w.acks[protocol.MaxAckIDs:]
		}
		return &protocol.Ack{IDs: ids}, false, true
	}
	if len(w.queue) == 0 {
		return nil, false, false
	}
	q := w.queue[0]
	w.queue[0] = queued{}
	w.queue = w.queue[1:]
	if len(w.queue) == 0 {
		w.queue = nil
	}
	if !q.outbox {
		w.others--
	}
	return q.r, q.outbox, true
}

// run writes what is handed over until close, or until a write fails:
// then it closes the session, which ends its reader and so the link's
// loop.
func (w *writer) run() {
	defer close(w.done)
	for {
		r, outbox, ok := w.next()
		if !ok {
			select {
			case <-w.ready:
				continue
			case <-w.stop:
				w.fail(errWriterStopped)
				return
			}
		}
		err := w.s.Send(r)
		if errors.Is(err, protocol.ErrInvalid) {
			// Refused before anything was written: the session is intact.
			w.logger.Warn("a record could not be encoded", "type", r.Type(), "err", err)
			err = nil
		}
		if err != nil {
			w.fail(err)
			w.s.Close()
			return
		}
		if outbox {
			w.mu.Lock()
			w.outbox--
			half := w.outbox == flushWindow/2
			w.mu.Unlock()
			if half {
				w.room()
			}
		}
	}
}

// fail records why the writer stopped (the first reason) and drops what
// waits: nothing more will be written in this session.
func (w *writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
	w.acks, w.queue = nil, nil
}

// failed returns the error that stopped the writer, if a write failed.
func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if errors.Is(w.err, errWriterStopped) {
		return nil
	}
	return w.err
}

// close stops the writer and waits for it. The session must be closed
// first, so that a write in progress returns.
func (w *writer) close() {
	close(w.stop)
	<-w.done
}
