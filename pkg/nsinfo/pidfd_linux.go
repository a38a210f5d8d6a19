package nsinfo

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Pin holds a pidfd on a live process, so that facts read by PID can be
// checked to belong to it: a PID is not given to another process while
// the one it named is alive (a zombie included), so facts read between
// PinProcess and a successful Check are the pinned process's.
type Pin struct{ fd int }

// PinProcess opens a pidfd for pid, numbered as the caller's PID namespace
// numbers it (a proc mount of another namespace numbers differently: see
// Caller). A process that is gone gives an error of kind ErrVanished.
func PinProcess(pid int) (*Pin, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, wrap("pidfd_open", fmt.Sprint(pid), err)
	}
	return &Pin{fd: fd}, nil
}

// Check fails with ErrExited if the process has been reaped since it was
// pinned, which is when its PID may be given to another process. A zombie
// still holds its PID and passes.
func (p *Pin) Check() error {
	if p.Exited() {
		return ErrExited
	}
	return nil
}

// Exited reports whether the pinned process is gone: exited and reaped,
// its PID free for another. Signal 0 through the pidfd finds the process
// as long as it exists, a zombie included; EPERM (another user's) means
// it exists.
func (p *Pin) Exited() bool {
	return unix.PidfdSendSignal(p.fd, 0, nil, 0) == unix.ESRCH
}

// Close releases the pidfd.
func (p *Pin) Close() error {
	if p == nil || p.fd < 0 {
		return nil
	}
	err := unix.Close(p.fd)
	p.fd = -1
	return err
}
