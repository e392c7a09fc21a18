package handshake

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/wire/wiretest"
)

// BenchmarkHandshake measures a whole handshake, both sides, over net.Pipe.
func BenchmarkHandshake(b *testing.B) {
	ca, sb := localFrom(alice), localFrom(bob)
	ctx := context.Background()
	for b.Loop() {
		cc, sc := net.Pipe()
		var wg sync.WaitGroup
		var serr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s *Session
			s, serr = server(ctx, sc, sb, nil)
			if s != nil {
				s.Close()
			}
		}()
		c, err := client(ctx, cc, ca, bob.Address(), nil)
		wg.Wait()
		if err != nil || serr != nil {
			b.Fatal(err, serr)
		}
		c.Close()
	}
}

// sessionPair returns two connected sessions over the transport.
func sessionPair(b *testing.B, tr wiretest.Transport) (*Session, *Session) {
	cc, sc := tr.Pair(b)
	c, s := runPair(b, cc, sc, localFrom(alice), bob.Address(), nil, localFrom(bob), nil)
	if c.err != nil || s.err != nil {
		b.Fatal(c.err, s.err)
	}
	return c.s, s.s
}

// BenchmarkRoundTrip measures sending a Text with a 32-byte body and
// receiving it back, against the baseline of echoing one raw 8192-byte
// buffer over the same kind of connection.
func BenchmarkRoundTrip(b *testing.B) {
	for _, tr := range wiretest.Transports() {
		b.Run(tr.Name+"/nook", func(b *testing.B) {
			c, s := sessionPair(b, tr)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					r, err := s.Recv()
					if err != nil || s.Send(r) != nil {
						return
					}
				}
			}()
			msg := &protocol.Text{Body: strings.Repeat("x", 32)}
			for b.Loop() {
				if err := c.Send(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := c.Recv(); err != nil {
					b.Fatal(err)
				}
			}
			c.Close()
			s.Close()
			<-done
		})
		b.Run(tr.Name+"/raw8192", func(b *testing.B) {
			c, s := tr.Pair(b)
			done := make(chan struct{})
			go func() {
				defer close(done)
				buf := make([]byte, 8192)
				for {
					if _, err := io.ReadFull(s, buf); err != nil {
						return
					}
					if _, err := s.Write(buf); err != nil {
						return
					}
				}
			}()
			buf := make([]byte, 8192)
			for b.Loop() {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Fatal(err)
				}
			}
			c.Close()
			s.Close()
			<-done
		})
	}
}

// BenchmarkThroughput sends 1 MiB per iteration as 16 Text records of
// 64 KiB each, one way.
func BenchmarkThroughput(b *testing.B) {
	for _, tr := range wiretest.Transports() {
		b.Run(tr.Name, func(b *testing.B) {
			c, s := sessionPair(b, tr)
			const n = 16
			msg := &protocol.Text{Body: strings.Repeat("y", protocol.MaxBody)}
			got := make(chan error)
			go func() {
				for {
					for range n {
						if _, err := s.Recv(); err != nil {
							close(got)
							return
						}
					}
					got <- nil
				}
			}()
			b.SetBytes(n * protocol.MaxBody)
			for b.Loop() {
				for range n {
					if err := c.Send(msg); err != nil {
						b.Fatal(err)
					}
				}
				<-got
			}
			c.Close()
			s.Close()
			for range got {
			}
		})
	}
}
