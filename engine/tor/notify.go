package tor

import "sync"

// notifier delivers statuses to Config.OnStatus in order from one
// goroutine, so that a slow callback never blocks the supervisor.
type notifier struct {
	mu      sync.Mutex // guards queue, wake, running
	queue   []Status
	wake    chan struct{}
	running bool
	done    chan struct{}
}

func (n *notifier) start(f func(Status)) {
	if f == nil {
		return
	}
	n.mu.Lock()
	n.wake = make(chan struct{}, 1)
	n.done = make(chan struct{})
	n.running = true
	n.mu.Unlock()
	go func() {
		defer close(n.done)
		for range n.wake {
			for {
				n.mu.Lock()
				if len(n.queue) == 0 {
					n.mu.Unlock()
					break
				}
				s := n.queue[0]
				n.queue = n.queue[1:]
				n.mu.Unlock()
				f(s)
			}
		}
	}()
}

func (n *notifier) post(s Status) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.running {
		return
	}
	n.queue = append(n.queue, s)
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// stop delivers what is queued and ends the goroutine.
func (n *notifier) stop() {
	n.mu.Lock()
	if !n.running {
		n.mu.Unlock()
		return
	}
	n.running = false
	close(n.wake)
	n.mu.Unlock()
	<-n.done
}
