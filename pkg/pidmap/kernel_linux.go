package pidmap

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/nsview/nsview/pkg/nsinfo"
	"golang.org/x/sys/unix"
)

// ErrReused is wrapped when the process exited while it was being read, so
// its PID may now name another process.
var ErrReused = errors.New("process exited while being read (its PID may be reused)")

// Pin holds a pidfd on a live process, so that facts read by PID can be
// checked to belong to it: Check after reading fails if the process exited
// meanwhile.
type Pin struct{ fd int }

// PinProcess opens a pidfd for pid (numbered as the caller's PID namespace
// numbers it).
func PinProcess(pid int) (*Pin, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if err == unix.ESRCH {
			return nil, fmt.Errorf("process %d: %w", pid, nsinfo.ErrVanished)
		}
		return nil, fmt.Errorf("pidfd_open %d: %w", pid, err)
	}
	return &Pin{fd: fd}, nil
}

// Check fails if the process has exited since it was pinned.
func (p *Pin) Check() error {
	if err := unix.PidfdSendSignal(p.fd, 0, nil, 0); err != nil {
		if err == unix.ESRCH {
			return ErrReused
		}
		if err != unix.EPERM { // alive, but not ours to signal
			return fmt.Errorf("pidfd_send_signal: %w", err)
		}
	}
	return nil
}

// Close releases the pidfd.
func (p *Pin) Close() { unix.Close(p.fd) }

// KernelLevels asks the kernel for the process's PID at every level, from
// its own PID namespace up to the caller's: the namespace of each level
// from NS_GET_PARENT, the PID there from NS_GET_TGID_IN_PIDNS and the
// level's init from NS_GET_TGID_FROM_PIDNS. procPath is the proc mount
// (it must be the caller's own). ErrNoKernelTranslation where the kernel
// lacks the ioctls.
func KernelLevels(procPath string, pid int) ([]Level, error) {
	pin, err := PinProcess(pid)
	if err != nil {
		return nil, err
	}
	defer pin.Close()
	own, err := nsinfo.OpenNS(procPath + "/" + strconv.Itoa(pid) + "/ns/pid")
	if err != nil {
		return nil, err
	}
	parents, err := nsinfo.Parents(own)
	if err != nil {
		nsinfo.CloseNS(own)
		return nil, err
	}
	fds := append([]int{own}, parents...)
	defer func() {
		for _, fd := range fds {
			nsinfo.CloseNS(fd)
		}
	}()
	slices.Reverse(fds) // outermost (the caller's) first
	levels := make([]Level, len(fds))
	for l, fd := range fds {
		id, err := nsinfo.IDOfFD(fd)
		if err != nil {
			return nil, err
		}
		in, err := nsinfo.PIDInNS(fd, pid, false)
		if err != nil {
			return nil, err
		}
		init, err := nsinfo.PIDFromNS(fd, 1, false)
		if err != nil {
			init = 0 // a namespace whose init has exited
		}
		levels[l] = Level{Level: l, NS: id.Ino, PID: in, Init: init}
	}
	if err := pin.Check(); err != nil {
		return nil, fmt.Errorf("process %d: %w", pid, err)
	}
	return levels, nil
}

// KernelFromNS maps pid as numbered in the PID namespace open at nsFD to
// the caller's numbering.
func KernelFromNS(nsFD, pid int) (int, error) { return nsinfo.PIDFromNS(nsFD, pid, false) }

// KernelToNS maps a PID in the caller's numbering to the numbering of the
// PID namespace open at nsFD. The process is pinned while it is read.
func KernelToNS(nsFD, pid int) (int, error) {
	pin, err := PinProcess(pid)
	if err != nil {
		return 0, err
	}
	defer pin.Close()
	in, err := nsinfo.PIDInNS(nsFD, pid, false)
	if err != nil {
		return 0, err
	}
	if in == 0 {
		return 0, fmt.Errorf("process %d: %w", pid, ErrNotVisible)
	}
	if err := pin.Check(); err != nil {
		return 0, fmt.Errorf("process %d: %w", pid, err)
	}
	return in, nil
}
