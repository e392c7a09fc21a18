package handshake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/wire"
)

// Client runs the dialler's side of the handshake on conn, a fresh
// connection to the onion service of peer. It returns a Session once the
// other side has proved it is peer. On any error conn is closed; the error
// wraps one of the Err* values of this package, ctx.Err(), or an I/O error.
func Client(ctx context.Context, conn net.Conn, self *identity.Identity, peer identity.Address, cfg *Config) (*Session, error) {
	l := localFrom(self)
	defer clear(l.static.Private) // the X25519 copy of the identity key
	return client(ctx, conn, l, peer, cfg)
}

// Server runs the listener's side of the handshake on conn, a connection
// accepted from an unknown dialler. It returns a Session whose Peer is the
// address the dialler proved. On any error conn is closed.
func Server(ctx context.Context, conn net.Conn, self *identity.Identity, cfg *Config) (*Session, error) {
	l := localFrom(self)
	defer clear(l.static.Private) // the X25519 copy of the identity key
	return server(ctx, conn, l, cfg)
}

func client(ctx context.Context, conn net.Conn, self local, peer identity.Address, cfg *Config) (*Session, error) {
	st, err := newInitiator(cfg, self, peer)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return run(ctx, conn, cfg, func(x *exchange) (*result, error) {
		m1, err := st.message1()
		if err != nil {
			return nil, err
		}
		if err := x.write(m1, 1); err != nil {
			return nil, err
		}
		m2, err := x.read(2)
		if err != nil {
			return nil, err
		}
		if err := st.readMessage2(m2); err != nil {
			return nil, err
		}
		m3, res, err := st.message3()
		if err != nil {
			return nil, err
		}
		return res, x.write(m3, 3)
	})
}

func server(ctx context.Context, conn net.Conn, self local, cfg *Config) (*Session, error) {
	st := newResponder(cfg, self)
	return run(ctx, conn, cfg, func(x *exchange) (*result, error) {
		m1, err := x.read(1)
		if err != nil {
			return nil, err
		}
		if err := st.readMessage1(m1); err != nil {
			return nil, err
		}
		m2, err := st.message2()
		if err != nil {
			return nil, err
		}
		if err := x.write(m2, 2); err != nil {
			return nil, err
		}
		m3, err := x.read(3)
		if err != nil {
			return nil, err
		}
		return st.readMessage3(m3)
	})
}

// run performs steps on conn with deadlines and cancellation, then wraps
// conn into a Session. It closes conn on failure.
func run(ctx context.Context, conn net.Conn, cfg *Config, steps func(*exchange) (*result, error)) (*Session, error) {
	fail := func(err error) (*Session, error) {
		conn.Close()
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return fail(fmt.Errorf("handshake: %w", err))
	}
	// Cancelling ctx moves the deadline into the past, which aborts a
	// blocked read or write at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	res, err := steps(&exchange{ctx: ctx, conn: conn, cfg: cfg})
	if !stop() && err == nil {
		err = fmt.Errorf("handshake: %w", ctx.Err())
	}
	if err != nil {
		return fail(err)
	}
	// The peer may already have closed the connection (a server that
	// rejected message 3); the session's first read reports that.
	_ = conn.SetDeadline(time.Time{})
	wc, err := wire.Open(conn, res.keys, cfg.wire())
	if err != nil {
		return fail(err)
	}
	return &Session{conn: wc, peer: res.peer, version: res.version, binding: res.binding, initiator: res.initiator}, nil
}

// exchange reads and writes whole handshake messages with deadlines.
type exchange struct {
	ctx  context.Context
	conn net.Conn
	cfg  *Config
}

func (x *exchange) write(m []byte, n int) error {
	if err := x.conn.SetWriteDeadline(x.cfg.deadline(x.ctx)); err != nil {
		return x.ioError(err, "write", n)
	}
	if _, err := x.conn.Write(m); err != nil {
		return x.ioError(err, "write", n)
	}
	return nil
}

// read reads message n into a buffer allocated before any byte arrives.
func (x *exchange) read(n int) ([]byte, error) {
	m := make([]byte, MessageSize)
	if err := x.conn.SetReadDeadline(x.cfg.deadline(x.ctx)); err != nil {
		return nil, x.ioError(err, "read", n)
	}
	if _, err := io.ReadFull(x.conn, m); err != nil {
		return nil, x.ioError(err, "read", n)
	}
	return m, nil
}

func (x *exchange) ioError(err error, op string, n int) error {
	switch {
	case x.ctx.Err() != nil:
		return fmt.Errorf("handshake: %s message %d: %w", op, n, x.ctx.Err())
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%w (%s message %d)", ErrTimeout, op, n)
	default:
		return fmt.Errorf("handshake: %s message %d: %w", op, n, err)
	}
}
