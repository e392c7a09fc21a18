package engine

import (
	"sync"

	"github.com/nookchat/nook/engine/model"
)

// bus fans events out to subscribers. Publishing never blocks: each
// subscriber has its own unbounded queue drained by its own goroutine, so a
// slow frontend delays only itself and never the engine.
type bus struct {
	mu     sync.Mutex // guards subs and closed
	subs   map[*subscriber]struct{}
	closed bool
	wg     sync.WaitGroup
}

type subscriber struct {
	out chan model.Event
	// mu guards queue and done; more is signalled when queue grows.
	mu    sync.Mutex
	queue []model.Event
	done  bool
	more  chan struct{}
}

func newBus() *bus { return &bus{subs: map[*subscriber]struct{}{}} }

// subscribe returns a channel that delivers first() and then every event
// published from the moment subscribe was called, in order, and a
// function that ends the subscription (closing the channel). first runs
// after the subscriber is registered, so no event is lost between the two;
// an event published meanwhile follows it even if first already reflects
// it.
func (b *bus) subscribe(first func() model.Event) (<-chan model.Event, func()) {
	s := &subscriber{out: make(chan model.Event), more: make(chan struct{}, 1)}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(s.out)
		return s.out, func() {}
	}
	b.subs[s] = struct{}{}
	b.wg.Add(1)
	b.mu.Unlock()
	if first != nil {
		ev := first()
		s.mu.Lock()
		s.queue = append([]model.Event{ev}, s.queue...)
		s.mu.Unlock()
	}
	go b.pump(s)
	var once sync.Once
	return s.out, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
			s.stop()
		})
	}
}

func (s *subscriber) stop() {
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
	select {
	case s.more <- struct{}{}:
	default:
	}
}

// pump delivers s's queue to s.out until the subscription ends. Events still
// queued when it ends are dropped.
func (b *bus) pump(s *subscriber) {
	defer b.wg.Done()
	defer close(s.out)
	for {
		s.mu.Lock()
		if s.done {
			s.mu.Unlock()
			return
		}
		if len(s.queue) == 0 {
			s.mu.Unlock()
			<-s.more
			continue
		}
		ev := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		select {
		case s.out <- ev:
		case <-s.more:
			// Woken while blocked: either stopped (checked above on the
			// next turn) or more queued; put ev back in front.
			s.mu.Lock()
			s.queue = append([]model.Event{ev}, s.queue...)
			s.mu.Unlock()
		}
	}
}

// subscribed reports whether anyone subscribes: an event that costs
// something to build need not be built for no one.
func (b *bus) subscribed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs) > 0
}

// publish queues ev for every subscriber.
func (b *bus) publish(ev model.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		s.mu.Lock()
		s.queue = append(s.queue, ev)
		s.mu.Unlock()
		select {
		case s.more <- struct{}{}:
		default:
		}
	}
}

// close ends every subscription and waits for the pumps.
func (b *bus) close() {
	b.mu.Lock()
	b.closed = true
	subs := b.subs
	b.subs = map[*subscriber]struct{}{}
	b.mu.Unlock()
	for s := range subs {
		s.stop()
	}
	b.wg.Wait()
}
