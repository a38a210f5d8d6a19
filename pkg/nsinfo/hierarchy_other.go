//go:build !linux

package nsinfo

import "errors"

// NetNSIDUnassigned is the NETNSID of a network namespace without an id.
const NetNSIDUnassigned = -1

// OpenNS is Linux-only.
func OpenNS(path string) (int, error) { return -1, errors.ErrUnsupported }

// CloseNS is Linux-only.
func CloseNS(fd int) {}

// Hierarchy is Linux-only.
func Hierarchy(fd int, known func(ID) bool) ([]Info, error) { return nil, errors.ErrUnsupported }

// NetNSIDs is Linux-only.
type NetNSIDs struct{}

// OpenNetNSIDs is Linux-only.
func OpenNetNSIDs() (*NetNSIDs, error) { return nil, errors.ErrUnsupported }

// Close is Linux-only.
func (n *NetNSIDs) Close() error { return nil }

// Get is Linux-only.
func (n *NetNSIDs) Get(nsFD int) (int, error) { return 0, errors.ErrUnsupported }

// Parents is Linux-only.
func Parents(fd int) ([]int, error) { return nil, errors.ErrUnsupported }

// IDOfFD is Linux-only.
func IDOfFD(fd int) (ID, error) { return ID{}, errors.ErrUnsupported }
