package pidmap

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/nsview/nsview/pkg/nsinfo"
)

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
