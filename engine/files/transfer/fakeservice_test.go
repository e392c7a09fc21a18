package transfer

import (
	"context"
	"crypto/rand"
	"net"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// fakeService is the listening side of the tests' own file services (the
// fetch tests' sources, the group tests' hostile ones): a fresh identity
// listening on tr that does the handshake of every connection, reads its
// FileFetch and hands the session to serve, closing the connection when
// serve returns. At the test's end it stops listening, closes the
// connections still open and waits for them.
func fakeService(t *testing.T, tr *loopback.Transport, serve func(s *handshake.Session)) identity.Address {
	t.Helper()
	self, err := identity.Generate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tr.Listen(context.Background(), self)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				s, err := handshake.Server(context.Background(), conn, self, nil)
				if err != nil {
					return
				}
				if _, err := s.Recv(); err != nil { // the FileFetch, any proof
					return
				}
				serve(s)
			}()
		}
	}()
	return self.Address()
}

// nextRequest reads the fetcher's next FileRequest; false once the
// connection ends.
func nextRequest(s *handshake.Session) (*protocol.FileRequest, bool) {
	rec, err := s.Recv()
	if err != nil {
		return nil, false
	}
	return rec.(*protocol.FileRequest), true
}
