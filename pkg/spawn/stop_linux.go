package spawn

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
	"golang.org/x/sys/unix"
)

// pidMaxLimit is the largest PID Linux can hand out (PID_MAX_LIMIT); a
// larger number is a namespace inode.
const pidMaxLimit = 1 << 22

func stop(id string, grace time.Duration) (int, error) {
	pid, err := findSandbox(id)
	if err != nil {
		return 0, err
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return 0, fmt.Errorf("stop sandbox %s: %w: process %d: %w", id, ErrNotFound, pid, err)
	}
	defer unix.Close(fd)
	// The PID may have been reused between the scan and pidfd_open: check
	// again what it names now, and then that the pidfd's process is still
	// there, so that what was checked is the pidfd's process (a PID is not
	// given to another while its process exists). Signals go through the
	// pidfd, never by PID.
	if !isSandboxInit(pid) {
		return 0, fmt.Errorf("stop sandbox %s: %w: process %d is not nsview's init", id, ErrNotFound, pid)
	}
	if unix.PidfdSendSignal(fd, 0, nil, 0) == unix.ESRCH {
		return 0, fmt.Errorf("stop sandbox %s: %w: init %d exited while it was checked", id, ErrNotFound, pid)
	}
	if err := unix.PidfdSendSignal(fd, unix.SIGTERM, nil, 0); err != nil {
		if err == unix.ESRCH {
			return pid, nil
		}
		return 0, fmt.Errorf("stop sandbox %s: signal init %d: %w", id, pid, err)
	}
	if exited(fd, grace) {
		return pid, nil
	}
	if err := unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0); err != nil && err != unix.ESRCH {
		return 0, fmt.Errorf("stop sandbox %s: kill init %d: %w", id, pid, err)
	}
	// The kernel kills the rest of the namespace before the init's exit
	// completes; waiting is bounded by that.
	if !exited(fd, 10*time.Second) {
		return pid, fmt.Errorf("stop sandbox %s: init %d still runs 10 s after SIGKILL", id, pid)
	}
	return pid, nil
}

// exited waits up to d for the process behind pidfd fd to end.
func exited(fd int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left < 0 {
			left = 0
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		if err == nil && n > 0 {
			return true
		}
		if left == 0 || err != nil {
			return false
		}
	}
}

// findSandbox returns the host PID of the outermost nsview init of the
// sandbox id names.
func findSandbox(id string) (int, error) {
	id = strings.TrimSpace(id)
	var pid int
	if nsid, err := nsinfo.ParseID(id); err == nil {
		if nsid.Type != nsinfo.PID {
			return 0, fmt.Errorf("stop sandbox %s: %w: name its PID namespace (pid:[N]) or its init's PID", id, ErrBadOptions)
		}
		if pid, err = initOfNamespace(nsid.Ino); err != nil {
			return 0, fmt.Errorf("stop sandbox %s: %w", id, err)
		}
	} else {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("stop sandbox %q: %w: want pid:[N], a namespace inode or an init's PID", id, ErrBadOptions)
		}
		if n > pidMaxLimit {
			if pid, err = initOfNamespace(n); err != nil {
				return 0, fmt.Errorf("stop sandbox %s: %w", id, err)
			}
		} else {
			pid = int(n)
		}
	}
	if !isSandboxInit(pid) {
		return 0, fmt.Errorf("stop sandbox %s: %w: process %d is not nsview's init", id, ErrNotFound, pid)
	}
	// Climb to the outermost level, so that the whole sandbox ends.
	for {
		ppid := parentOf(pid)
		if ppid <= 1 || !isSandboxInit(ppid) {
			return pid, nil
		}
		pid = ppid
	}
}

// initOfNamespace finds the process that is PID 1 of the PID namespace
// with inode ino.
func initOfNamespace(ino uint64) (int, error) {
	want := nsinfo.ID{Type: nsinfo.PID, Ino: ino}.String()
	pids, err := livePIDs()
	if err != nil {
		return 0, err
	}
	for _, pid := range pids {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
		if err != nil || link != want {
			continue
		}
		if nspid, _ := nsinfo.ReadNSpid(pid); len(nspid) > 0 && nspid[len(nspid)-1] == 1 {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("%w: no process is PID 1 of %s", ErrNotFound, want)
}

// isSandboxInit reports whether pid is nsview's init: PID 1 of its
// namespace, with nsview's marker in its environment.
func isSandboxInit(pid int) bool {
	nspid, _ := nsinfo.ReadNSpid(pid)
	if len(nspid) < 2 || nspid[len(nspid)-1] != 1 {
		return false
	}
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return false
	}
	for _, kv := range bytes.Split(env, []byte{0}) {
		if bytes.HasPrefix(kv, []byte(envInit+"=")) {
			return true
		}
	}
	return false
}

func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	st, err := nsinfo.ParseStat(b)
	if err != nil {
		return 0
	}
	return st.PPID
}

// livePIDs lists the processes of the caller's /proc.
func livePIDs() ([]int, error) {
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		return nil, err
	}
	return proc.PIDs()
}

func list() ([]Running, error) {
	pids, err := livePIDs()
	if err != nil {
		return nil, err
	}
	var out []Running
	for _, pid := range pids {
		// An inner init's parent is an init too: only the outermost
		// names the whole sandbox.
		if !isSandboxInit(pid) || isSandboxInit(parentOf(pid)) {
			continue
		}
		r := Running{Init: pid, Command: commandOf(pid)}
		if link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); err == nil {
			r.PIDNamespace, _ = nsinfo.ParseID(link)
		}
		out = append(out, r)
	}
	return out, nil
}

// commandOf follows a sandbox's inits down from its outermost one to the
// command they run, through /proc/PID/task/PID/children, and returns its
// name; "" when the chain cannot be followed (CMD already gone, or a kernel
// without the children file).
func commandOf(init int) string {
	pid := init
	for range MaxDepth + 1 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if err != nil {
			return ""
		}
		kids := strings.Fields(string(b))
		if len(kids) == 0 {
			return ""
		}
		// The first child is the oldest: the next level's init or the
		// command; orphans the init adopted come after it.
		child, err := strconv.Atoi(kids[0])
		if err != nil {
			return ""
		}
		if !isSandboxInit(child) {
			comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child))
			if err != nil {
				return ""
			}
			return strings.TrimSuffix(string(comm), "\n")
		}
		pid = child
	}
	return ""
}
