//go:build !linux

package nsinfo

import "errors"

// Pin holds a process; Linux-only (pidfd).
type Pin struct{}

// PinProcess is Linux-only.
func PinProcess(pid int) (*Pin, error) { return nil, errors.ErrUnsupported }

// Check fails with ErrExited if the process has been reaped since it was
// pinned.
func (p *Pin) Check() error { return nil }

// Exited reports whether the pinned process is gone.
func (p *Pin) Exited() bool { return false }

// Close releases the pin.
func (p *Pin) Close() error { return nil }
