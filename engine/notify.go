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
