package engine

import (
	"sync"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// SetDisappear sets the disappearing-messages timer of the conversation
// with a contact.
//
// Deprecated: use SetConversationTimer, which takes a conversation ID.
func (e *Engine) SetDisappear(id model.ConversationID, timer time.Duration) (model.Contact, error) {
	if _, err := contactOf(id); err != nil {
		return model.Contact{}, err
	}
	cv, err := e.SetConversationTimer(id, timer)
	if err != nil {
		return model.Contact{}, err
	}
	return *cv.Contact, nil
}

// sweeper deletes disappearing messages when they are due: it sleeps until
// the store's next expiry, or until woken by a new timer.
type sweeper struct {
	op   *openProfile
	wake chan struct{}
	stop chan struct{}
	once sync.Once
	done sync.WaitGroup
}

func startSweeper(op *openProfile) *sweeper {
	s := &sweeper{op: op, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	s.done.Add(1)
	go s.run()
	return s
}

// poke makes the sweeper look at the store's next expiry again.
func (s *sweeper) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// close stops the sweeper and waits for it (idempotent).
func (s *sweeper) close() {
	s.once.Do(func() { close(s.stop) })
	s.done.Wait()
}

// sweepRetry is how long the sweeper waits after a store error.
const sweepRetry = time.Minute

func (s *sweeper) run() {
	defer s.done.Done()
	log := s.op.e.cfg.Logger
	for {
		wait := sweepRetry
		if err := s.sweep(); err != nil {
			log.Warn("deleting disappearing messages failed", "err", err)
		} else if at, ok, err := s.op.st.NextExpiry(); err != nil {
			log.Warn("reading the next disappearing message failed", "err", err)
		} else if ok {
			wait = max(at.Sub(s.op.e.cfg.Now()), 0)
		} else {
			wait = -1
		}
		var (
			t     *time.Timer
			timer <-chan time.Time
		)
		if wait >= 0 {
			t = time.NewTimer(wait)
			timer = t.C
		}
		select {
		case <-s.stop:
		case <-s.wake:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
		select {
		case <-s.stop:
			return
		default:
		}
	}
}

// sweep deletes every message due by now and reports them per
// conversation.
func (s *sweeper) sweep() error {
	for {
		gone, err := s.op.st.DeleteExpired(s.op.e.cfg.Now())
		if err != nil {
			return err
		}
		byConv := map[model.ConversationID][]model.MessageID{}
		var order []model.ConversationID
		for _, m := range gone {
			if _, ok := byConv[m.Conversation]; !ok {
				order = append(order, m.Conversation)
			}
			byConv[m.Conversation] = append(byConv[m.Conversation], m.ID)
		}
		for _, conv := range order {
			s.op.e.emit(model.MessagesExpired{Conversation: conv, IDs: byConv[conv]})
		}
		if len(gone) == 0 {
			return nil
		}
	}
}
