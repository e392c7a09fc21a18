package transfer

import (
	"context"
	"crypto/rand"
	"net"
	"sync"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport"
)

// maxFetches bounds the fetches a file service serves at once; a further
// connection is closed at once (the fetcher tries another source or
// later).
const maxFetches = 8

// FileService is a member's file service in one group (docs/files.md §8):
// an onion service of its own, at an address announced only inside the
// group, serving the group's files the member shared or holds whole.
type FileService struct {
	ln     net.Listener
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// StartFileService publishes the file service of the group conv at id's
// address through tr and serves each fetch (ServeGroup) on a connection
// authenticated as id (cfg: the handshake's settings, nil for the
// defaults).
func (t *Transfers) StartFileService(ctx context.Context, tr transport.Transport, conv model.ConversationID, id *identity.Identity, cfg *handshake.Config) (*FileService, error) {
	ln, err := tr.Listen(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &FileService{ln: ln, cancel: cancel, conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			if s.closed || len(s.conns) >= maxFetches {
				s.mu.Unlock()
				conn.Close()
				continue
			}
			s.conns[conn] = struct{}{}
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() {
					s.mu.Lock()
					delete(s.conns, conn)
					s.mu.Unlock()
					conn.Close()
				}()
				sess, err := handshake.Server(ctx, conn, id, cfg)
				if err != nil {
					return
				}
				if err := t.ServeGroup(conv, sess); err != nil {
					t.cfg.Logger.Info("a group file fetch ended", "err", err)
				}
				sess.Close()
			}()
		}
	}()
	return s, nil
}

// Close stops the service, ends the fetches it serves and waits for them.
func (s *FileService) Close() error {
	err := s.ln.Close()
	s.cancel()
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// Dialer returns a GroupDialer over tr: each connection is authenticated
// under a fresh, throwaway identity, so that the serving member learns
// only that a holder of the file key fetched.
func Dialer(tr transport.Transport, cfg *handshake.Config) GroupDialer {
	return func(ctx context.Context, source identity.Address) (GroupConn, error) {
		self, err := identity.Generate(rand.Reader)
		if err != nil {
			return nil, err
		}
		conn, err := tr.Dial(ctx, source)
		if err != nil {
			return nil, err
		}
		sess, err := handshake.Client(ctx, conn, self, source, cfg)
		if err != nil {
			conn.Close()
			return nil, err
		}
		return sess, nil
	}
}
