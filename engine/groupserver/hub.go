package groupserver

import (
	"sync"

	"github.com/nookchat/nook/engine/protocol"
)

// hub fans new blobs out to subscribers. publish never blocks: a
// subscriber whose buffer is full is cut off (its kicked channel closes)
// and its connection is closed by its owner.
type hub struct {
	size int // buffer per subscriber

	mu   sync.Mutex               // guards subs
	subs map[*subscriber]struct{} // current subscribers
}

type subscriber struct {
	live   chan *protocol.Blob // buffered, hub.size
	kicked chan struct{}       // closed when the subscriber fell behind
	onKick func()              // called once, from publish, when kicked
	once   sync.Once
}

func newHub(size int) *hub { return &hub{size: size, subs: make(map[*subscriber]struct{})} }

// add registers a subscriber. Callers hold the blob store's lock so that
// no blob is published between reading head and registering.
func (h *hub) add(onKick func()) *subscriber {
	s := &subscriber{live: make(chan *protocol.Blob, h.size), kicked: make(chan struct{}), onKick: onKick}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) remove(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// publish offers b to every subscriber and reports how many were cut off.
func (h *hub) publish(b *protocol.Blob) (kicked int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.live <- b:
		default:
			delete(h.subs, s)
			s.once.Do(func() {
				close(s.kicked)
				if s.onKick != nil {
					s.onKick()
				}
			})
			kicked++
		}
	}
	return kicked
}
