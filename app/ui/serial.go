package ui

import "sync"

// serial runs functions in the background one at a time, in the order they
// were queued. Sending goes through it: two messages written quickly must
// be stored, and so sent, in the order they were written.
type serial struct {
	mu      sync.Mutex
	queue   []func()
	running bool
}

// run queues f; a goroutine runs the queue while it is not empty.
func (s *serial) run(f func()) {
	s.mu.Lock()
	s.queue = append(s.queue, f)
	start := !s.running
	s.running = true
	s.mu.Unlock()
	if start {
		go s.drain()
	}
}

func (s *serial) drain() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		f := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		f()
	}
}
