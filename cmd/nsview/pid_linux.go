package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/pidmap"
	"github.com/nsview/nsview/pkg/tree"
)

// kernelTranslate maps pid through the kernel's ioctls on the target
// namespace, opened through its reference process, which is pinned with a
// pidfd while its namespace link is opened.
func kernelTranslate(s *tree.Snapshot, t pidmap.Target, pid int, inward bool) (int, error) {
	pin, err := pidmap.PinProcess(t.Ref.PID)
	if err != nil {
		return 0, err
	}
	defer pin.Close()
	fd, err := nsinfo.OpenNS(s.ProcPath + "/" + strconv.Itoa(t.Ref.PID) + "/ns/pid")
	if err != nil {
		return 0, err
	}
	defer nsinfo.CloseNS(fd)
	// The reference may be below the target: climb to the target level.
	id, err := nsinfo.IDOfFD(fd)
	if err != nil {
		return 0, err
	}
	if t.NS != 0 && id.Ino != t.NS {
		parents, err := nsinfo.Parents(fd)
		if err != nil {
			return 0, err
		}
		found := -1
		for i, p := range parents {
			if pid, err := nsinfo.IDOfFD(p); err == nil && pid.Ino == t.NS && found < 0 {
				found = i
				continue
			}
		}
		defer func() {
			for i, p := range parents {
				if i != found {
					nsinfo.CloseNS(p)
				}
			}
		}()
		if found < 0 {
			return 0, fmt.Errorf("%s: not above process %d's namespace", t, t.Ref.PID)
		}
		defer nsinfo.CloseNS(parents[found])
		fd = parents[found]
	}
	if err := pin.Check(); err != nil {
		return 0, fmt.Errorf("process %d: %w", t.Ref.PID, err)
	}
	var n int
	if inward {
		n, err = pidmap.KernelToNS(fd, pid)
	} else {
		n, err = pidmap.KernelFromNS(fd, pid)
	}
	if nsinfo.IsVanished(err) {
		return 0, fmt.Errorf("PID %d in %s: %w", pid, t, pidmap.ErrNotVisible)
	}
	if err != nil && !errors.Is(err, pidmap.ErrNotVisible) {
		return 0, err
	}
	return n, err
}
