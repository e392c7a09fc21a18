package tor

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
)

// SOCKSError is a SOCKS5 reply other than success from tor's SOCKS port.
// With ExtendedErrors tor reports onion-service failures with codes 0xF0 to
// 0xF7. Errors for an absent or unreachable peer unwrap to
// transport.ErrUnreachable.
type SOCKSError struct {
	Code byte
}

// SOCKS reply codes tor uses (RFC 1928 and tor's socks-extensions.txt).
const (
	SOCKSGeneralFailure    = 0x01
	SOCKSNotAllowed        = 0x02
	SOCKSNetUnreachable    = 0x03
	SOCKSHostUnreachable   = 0x04
	SOCKSConnRefused       = 0x05
	SOCKSTTLExpired        = 0x06
	SOCKSDescNotFound      = 0xF0 // onion service descriptor can not be found
	SOCKSDescInvalid       = 0xF1 // onion service descriptor is invalid
	SOCKSIntroFailed       = 0xF2 // introduction failed
	SOCKSRendezvousFailed  = 0xF3 // rendezvous failed
	SOCKSMissingClientAuth = 0xF4 // client authorization missing
	SOCKSWrongClientAuth   = 0xF5 // client authorization wrong
	SOCKSBadAddress        = 0xF6 // invalid onion address
	SOCKSIntroTimedOut     = 0xF7 // introduction timed out
)

var socksText = map[byte]string{
	SOCKSGeneralFailure:    "general failure",
	SOCKSNotAllowed:        "not allowed by ruleset",
	SOCKSNetUnreachable:    "network unreachable",
	SOCKSHostUnreachable:   "host unreachable",
	SOCKSConnRefused:       "connection refused",
	SOCKSTTLExpired:        "TTL expired (timeout)",
	0x07:                   "command not supported",
	0x08:                   "address type not supported",
	SOCKSDescNotFound:      "onion service descriptor not found",
	SOCKSDescInvalid:       "onion service descriptor invalid",
	SOCKSIntroFailed:       "onion service introduction failed",
	SOCKSRendezvousFailed:  "onion service rendezvous failed",
	SOCKSMissingClientAuth: "onion service client authorization missing",
	SOCKSWrongClientAuth:   "onion service client authorization wrong",
	SOCKSBadAddress:        "invalid onion address",
	SOCKSIntroTimedOut:     "onion service introduction timed out",
}

func (e *SOCKSError) Error() string {
	if s, ok := socksText[e.Code]; ok {
		return fmt.Sprintf("socks: %s (0x%02X)", s, e.Code)
	}
	return fmt.Sprintf("socks: reply 0x%02X", e.Code)
}

// Unwrap returns transport.ErrUnreachable for the replies that mean the
// peer is absent or cannot be reached.
func (e *SOCKSError) Unwrap() error {
	switch e.Code {
	case SOCKSGeneralFailure, SOCKSNetUnreachable, SOCKSHostUnreachable, SOCKSConnRefused,
		SOCKSTTLExpired, SOCKSDescNotFound, SOCKSDescInvalid, SOCKSIntroFailed,
		SOCKSRendezvousFailed, SOCKSIntroTimedOut:
		return transport.ErrUnreachable
	}
	return nil
}

// errSOCKSProtocol is returned (wrapped) by socksDial for a malformed
// reply from the proxy.
var errSOCKSProtocol = errors.New("socks: protocol error")

// socksDial connects to host:port through the SOCKS5 proxy at proxy,
// honouring ctx for the whole handshake. Every dial presents fresh random
// SOCKS credentials (RFC 1929): tor isolates streams by credentials
// (IsolateSOCKSAuth, on by default), so no two connections share a
// circuit, and a server cannot link two connections of one user (the group
// client's throwaway identities rely on it).
func socksDial(ctx context.Context, proxy, host string, port int) (net.Conn, error) {
	if len(host) > 255 {
		return nil, fmt.Errorf("socks: host name too long")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", proxy)
	if err != nil {
		return nil, fmt.Errorf("connect to tor's SOCKS port: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	if err := socksHandshake(c, host, port, isolationToken()); err != nil {
		stop()
		c.Close()
		if ctx.Err() != nil {
			return nil, errors.Join(ctx.Err(), err)
		}
		return nil, err
	}
	if !stop() {
		c.Close()
		return nil, ctx.Err()
	}
	return c, nil
}

// isolationToken returns random SOCKS credentials for one stream.
func isolationToken() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// socksHandshake runs the SOCKS5 handshake on rw: username/password
// authentication with user as both (a stream isolation token, not a
// secret), then CONNECT host:port.
func socksHandshake(rw io.ReadWriter, host string, port int, user string) error {
	if _, err := rw.Write([]byte{5, 1, 2}); err != nil {
		return fmt.Errorf("socks: %w", err)
	}
	var buf [262]byte
	if _, err := io.ReadFull(rw, buf[:2]); err != nil {
		return fmt.Errorf("socks: %w", err)
	}
	if buf[0] != 5 || buf[1] != 2 {
		return fmt.Errorf("%w: method reply %x", errSOCKSProtocol, buf[:2])
	}
	auth := append([]byte{1, byte(len(user))}, user...)
	auth = append(append(auth, byte(len(user))), user...)
	if _, err := rw.Write(auth); err != nil {
		return fmt.Errorf("socks: %w", err)
	}
	if _, err := io.ReadFull(rw, buf[:2]); err != nil {
		return fmt.Errorf("socks: %w", err)
	}
	if buf[0] != 1 || buf[1] != 0 {
		return fmt.Errorf("%w: authentication reply %x", errSOCKSProtocol, buf[:2])
	}
	req := append([]byte{5, 1, 0, 3, byte(len(host))}, host...)
	req = binary.BigEndian.AppendUint16(req, uint16(port))
	if _, err := rw.Write(req); err != nil {
		return fmt.Errorf("socks: %w", err)
	}
	if _, err := io.ReadFull(rw, buf[:4]); err != nil {
		return fmt.Errorf("socks: %w", err)
	}
	if buf[0] != 5 {
		return fmt.Errorf("%w: reply version %d", errSOCKSProtocol, buf[0])
	}
	if buf[1] != 0 {
		return &SOCKSError{Code: buf[1]}
	}
	var n int
	switch buf[3] {
	case 1:
		n = 4
	case 4:
		n = 16
	case 3:
		if _, err := io.ReadFull(rw, buf[:1]); err != nil {
			return fmt.Errorf("socks: %w", err)
		}
		n = int(buf[0])
	default:
		return fmt.Errorf("%w: address type %d", errSOCKSProtocol, buf[3])
	}
	if _, err := io.ReadFull(rw, buf[:n+2]); err != nil {
		return fmt.Errorf("socks: %w", err)
	}
	return nil
}

// Dial connects to the onion service at addr through tor's SOCKS port,
// waiting first for tor to be ready. Failures that mean the peer is absent
// or unreachable wrap transport.ErrUnreachable (and a *SOCKSError with
// tor's reply code); right after a peer publishes, SOCKSDescNotFound is
// common and worth a retry. Once tor is ready, a dial that takes longer
// than Config.OnionDialTimeout is cut short (also unreachable), and an
// introduction failure or a timeout makes tor forget cached descriptors.
func (t *Tor) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	inst, err := t.readyInstance(ctx)
	if err != nil {
		return nil, fmt.Errorf("onion dial: %w", err)
	}
	dctx, cancel := context.WithTimeoutCause(ctx, t.cfg.OnionDialTimeout, errOnionDialTimeout)
	defer cancel()
	c, err := socksDial(dctx, inst.socks, addr.String(), t.cfg.VirtualPort)
	if err != nil {
		var se *SOCKSError
		timedOut := ctx.Err() == nil && context.Cause(dctx) == errOnionDialTimeout
		if timedOut || errors.As(err, &se) && (se.Code == SOCKSIntroFailed || se.Code == SOCKSIntroTimedOut) {
			// The cached descriptor names dead introduction points (the
			// peer's tor restarted): make tor fetch a fresh one next time.
			t.ForgetOnionDescriptors()
		}
		if timedOut {
			err = errOnionDialTimeout
		}
		return nil, fmt.Errorf("onion dial: %w", err)
	}
	return &transport.Conn{Conn: c, Remote: &transport.Addr{Address: addr, Port: t.cfg.VirtualPort}}, nil
}

// errOnionDialTimeout is the error of a dial cut short by
// Config.OnionDialTimeout.
var errOnionDialTimeout = fmt.Errorf("tor did not reach the onion service in time: %w", transport.ErrUnreachable)

// ForgetOnionDescriptors makes tor forget its cached onion service
// descriptors and which directories it recently asked for them (SIGNAL
// NEWNYM; tor also moves new streams to new circuits and accepts it at most
// every 10 s). Dial calls it after an introduction failure. Call it when a
// peer that restarted stays unreachable or a dial hangs: tor otherwise keeps
// using the descriptor with the peer's old introduction points and does not
// ask the same directory again for 15 minutes.
func (t *Tor) ForgetOnionDescriptors() error {
	t.mu.Lock()
	inst := t.inst
	t.mu.Unlock()
	if inst == nil {
		return ErrNotStarted
	}
	if err := inst.ctrl.Signal("NEWNYM"); err != nil {
		return fmt.Errorf("signal newnym: %w", err)
	}
	return nil
}
