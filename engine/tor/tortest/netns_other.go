//go:build !linux

package tortest

import (
	"errors"
	"net"
)

// NetNS is a network namespace with only a loopback interface; only
// Linux has them, and elsewhere NewNetNS fails.
type NetNS struct{}

var errNoNetNS = errors.New("network namespaces need Linux")

// NewNetNS fails: network namespaces need Linux.
func NewNetNS() (*NetNS, error) { return nil, errNoNetNS }

// Do fails: network namespaces need Linux.
func (ns *NetNS) Do(func() error) error { return errNoNetNS }

// ListenUDP fails: network namespaces need Linux.
func (ns *NetNS) ListenUDP() (*net.UDPConn, error) { return nil, errNoNetNS }

// Listen fails: network namespaces need Linux.
func (ns *NetNS) Listen(string) (net.Listener, error) { return nil, errNoNetNS }

// Interfaces fails: network namespaces need Linux.
func (ns *NetNS) Interfaces() ([]string, error) { return nil, errNoNetNS }

// Close does nothing.
func (ns *NetNS) Close() {}
