package ui

import (
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
)

// SystemSpawner starts sandboxes with pkg/spawn.
func SystemSpawner() Spawner { return systemSpawner{} }

type systemSpawner struct{}

// Spawn calls spawn.Start. For a sandbox inside another, the calling
// thread first joins in.NS as the PID namespace of its future children
// (setns with CLONE_NEWPID changes only that), so that the namespace
// spawn.Start creates nests in it; the thread goes back to its own
// afterwards. Whether it nested is checked, not assumed: a spawner that
// forks from another thread would have made a sibling, which is ended and
// reported.
func (systemSpawner) Spawn(opts spawn.Options, in *Parent) (Sandbox, error) {
	if in == nil {
		return start(opts)
	}
	runtime.LockOSThread()
	restored := false
	defer func() {
		// A thread that could not go back stays locked and ends with
		// its goroutine, so no other goroutine runs on it.
		if restored {
			runtime.UnlockOSThread()
		}
	}()
	own, err := unix.Open("/proc/thread-self/ns/pid", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("spawn inside %s: open own PID namespace: %w", in.NS, err)
	}
	defer unix.Close(own)
	pidfd, err := unix.PidfdOpen(in.PID, 0)
	if err != nil {
		return nil, fmt.Errorf("spawn inside %s: open process %d: %w", in.NS, in.PID, err)
	}
	err = unix.Setns(pidfd, unix.CLONE_NEWPID)
	unix.Close(pidfd)
	if err != nil {
		restored = true
		return nil, fmt.Errorf("spawn inside %s: enter it through process %d: %w", in.NS, in.PID, err)
	}
	sb, startErr := startInside(opts, in.NS)
	if err := unix.Setns(own, unix.CLONE_NEWPID); err == nil {
		restored = true
	}
	if startErr != nil {
		return nil, startErr
	}
	if err := checkNested(sb, in.NS); err != nil {
		sb.Close()
		return nil, err
	}
	return sb, nil
}

// startInside checks that the thread's children will be in ns (the
// process entered through may have exited and its PID been reused) and
// starts the sandbox.
func startInside(opts spawn.Options, ns nsinfo.ID) (*spawn.Sandbox, error) {
	link, err := os.Readlink("/proc/thread-self/ns/pid_for_children")
	if err != nil {
		return nil, fmt.Errorf("spawn inside %s: %w", ns, err)
	}
	if id, err := nsinfo.ParseID(link); err != nil || id != ns {
		return nil, fmt.Errorf("spawn inside %s: the process entered through is now in %s", ns, link)
	}
	return spawn.Start(opts)
}

// checkNested verifies that the sandbox's outermost new PID namespace has
// parent as its parent.
func checkNested(sb *spawn.Sandbox, parent nsinfo.ID) error {
	info := sb.Info()
	if len(info.PIDNamespaces) == 0 {
		return nil
	}
	pid := info.CommandPID
	if len(info.Inits) > 0 {
		pid = info.Inits[0]
	}
	ni, err := nsinfo.Inspect("/proc/" + strconv.Itoa(pid) + "/ns/pid")
	if err != nil {
		return fmt.Errorf("spawn inside %s: check the new namespace: %w", parent, err)
	}
	if ni.Parent.Ino != 0 && ni.Parent != parent {
		return fmt.Errorf("spawn inside %s: pkg/spawn created %s in %s instead (it forks from another thread)", parent, ni.ID, ni.Parent)
	}
	return nil
}
