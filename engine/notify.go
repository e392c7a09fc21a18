package engine

import (
	"sync"

	"github.com/nookchat/nook/engine/model"
)

// notifier turns changes of conversations into ConversationChanged (or
// ConversationRemoved) events. The peer manager and the group client
// report changes from their own goroutines, the group client while holding
// its lock; building a conversation asks the group client, so it is done
// here, in a goroutine of its own. Changes of one conversation that arrive
// while one is being built are reported once, with the state after all of
// them.
type notifier struct {
	op *openProfile
	// mu guards pending, order and stopped.
	mu      sync.Mutex
	pending map[model.ConversationID]bool
	order   []model.ConversationID
	stopped bool
	wake    chan struct{}
	stop    chan struct{}
	done    sync.WaitGroup
}

func startNotifier(op *openProfile) *notifier {
	n := &notifier{op: op, pending: map[model.ConversationID]bool{}, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	n.done.Add(1)
	go n.run()
	return n
}

// changed notes that conv changed; it never blocks.
func (n *notifier) changed(conv model.ConversationID) {
	n.mu.Lock()
	if n.stopped || n.pending[conv] {
		n.mu.Unlock()
		return
	}
	n.pending[conv] = true
	n.order = append(n.order, conv)
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// close stops the notifier and waits for it; changes not yet reported are
// dropped (idempotent).
func (n *notifier) close() {
	n.mu.Lock()
	if !n.stopped {
		n.stopped = true
		close(n.stop)
	}
	n.mu.Unlock()
	n.done.Wait()
}

func (n *notifier) run() {
	defer n.done.Done()
	for {
		select {
		case <-n.stop:
			return
		case <-n.wake:
		}
		n.mu.Lock()
		batch := n.order
		n.order = nil
		clear(n.pending)
		n.mu.Unlock()
		if len(batch) > batchAll && n.changedAll(batch) {
			continue
		}
		for _, conv := range batch {
			select {
			case <-n.stop:
				return
			default:
			}
			n.op.changed(conv)
		}
	}
}

// batchAll is the number of changed conversations above which the
// notifier reads the whole list once (one read of the summaries) rather
// than each conversation: an unlock or a reconnect changes the presence
// of every contact at once.
const batchAll = 8

// changedAll reports the conversations of batch from one read of the
// whole list; it returns false when that read failed.
func (n *notifier) changedAll(batch []model.ConversationID) bool {
	cs, err := n.op.conversations()
	if err != nil {
		return false
	}
	byID := make(map[model.ConversationID]int, len(cs))
	for i, c := range cs {
		byID[c.ID] = i
	}
	for _, conv := range batch {
		select {
		case <-n.stop:
			return true
		default:
		}
		if i, ok := byID[conv]; ok {
			n.op.e.emit(model.ConversationChanged{Conversation: cs[i]})
		} else {
			n.op.e.emit(model.ConversationRemoved{ID: conv})
		}
	}
	return true
}
