package population

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// stopWait bounds how long Stop waits for the processes to die and their
// namespaces to go.
const stopWait = 60 * time.Second

// Stop ends the population recorded in the state file: every recorded
// process that is still the same process (same PID and start time) gets
// SIGKILL through a pidfd; Stop waits until all are gone, checks that no
// process is left in any recorded namespace, restores kernel.pid_max, and
// removes the state file and what Start wrote beside it. With no state file
// it does nothing: stopping twice is fine.
func Stop(statePath string, out io.Writer) error {
	st, err := ReadState(statePath)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(out, "population: nothing to stop (no %s)\n", statePath)
		return nil
	}
	if err != nil {
		return err
	}
	procs := st.Procs
	if !st.Complete {
		// Start did not finish: find what the recorded processes started.
		procs = withDescendants(procs)
	}
	// Outermost first: killing a level's unshare and init ends the whole
	// namespace below in the kernel, which is quicker than one by one.
	sort.SliceStable(procs, func(i, j int) bool {
		return procs[i].Role != RoleIdle && procs[j].Role == RoleIdle
	})
	var killed int
	buf := make([]byte, 0, 1024)
	for _, p := range procs {
		ok, err := kill(p, buf)
		if err != nil {
			return fmt.Errorf("stop population: %w", err)
		}
		if ok {
			killed++
		}
	}

	deadline := time.Now().Add(stopWait)
	left := procs
	for {
		left = stillAlive(left, buf)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("stop population: %d process(es) still alive after %s, e.g. PID %d", len(left), stopWait, left[0].PID)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		holders, err := nsHolders(st.NS)
		if err != nil {
			return err
		}
		if len(holders) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("stop population: namespace still in use after %s: %s", stopWait, holders[0])
		}
		time.Sleep(20 * time.Millisecond)
	}

	note, err := restorePIDMax(st.PIDMaxOld, st.PIDMaxSet)
	if err != nil {
		return fmt.Errorf("stop population: %w", err)
	}
	if note != "" {
		fmt.Fprintln(out, "population: "+note)
	}
	for _, f := range []string{st.Idle, statePath + ".log", statePath} {
		if f == "" {
			continue
		}
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("stop population: %w", err)
		}
	}
	fmt.Fprintf(out, "population: ended %d processes (%d killed by PID, the rest with their namespace); no namespace left\n", len(procs), killed)
	return nil
}

// kill sends SIGKILL to p if it is still the recorded process. The pidfd
// pins the process while its start time is checked, so a PID reused by
// someone else's process is never signalled.
func kill(p Proc, buf []byte) (bool, error) {
	fd, err := unix.PidfdOpen(p.PID, 0)
	if errors.Is(err, unix.ESRCH) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("pidfd_open %d: %w", p.PID, err)
	}
	defer unix.Close(fd)
	if !alive(p, buf) {
		return false, nil
	}
	err = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	if err != nil && !errors.Is(err, unix.ESRCH) {
		return false, fmt.Errorf("kill %d: %w", p.PID, err)
	}
	return err == nil, nil
}

func stillAlive(procs []Proc, buf []byte) []Proc {
	var left []Proc
	for _, p := range procs {
		if alive(p, buf) {
			left = append(left, p)
		}
	}
	return left
}

// withDescendants adds to procs every live process below them.
func withDescendants(procs []Proc) []Proc {
	tasks, err := allTasks()
	if err != nil {
		return procs
	}
	children := make(map[int][]task)
	for _, t := range tasks {
		children[t.ppid] = append(children[t.ppid], t)
	}
	buf := make([]byte, 0, 1024)
	out := append([]Proc(nil), procs...)
	for i := 0; i < len(out); i++ {
		if !alive(out[i], buf) {
			continue
		}
		for _, c := range children[out[i].PID] {
			out = append(out, Proc{PID: c.pid, Start: c.start, Role: RoleIdle})
		}
	}
	return out
}

// nsHolders lists the processes still in one of the namespaces, as
// "PID in pid:[N]" lines.
func nsHolders(nss []NS) ([]string, error) {
	if len(nss) == 0 {
		return nil, nil
	}
	want := make(map[string]map[uint64]bool)
	for _, n := range nss {
		if want[n.Type] == nil {
			want[n.Type] = make(map[uint64]bool)
		}
		want[n.Type][n.Ino] = true
	}
	tasks, err := allTasks()
	if err != nil {
		return nil, err
	}
	var holders []string
	for _, t := range tasks {
		for typ, inos := range want {
			ino, err := nsOf(t.pid, typ)
			if err == nil && inos[ino] {
				holders = append(holders, strconv.Itoa(t.pid)+" ("+t.comm+") in "+typ+":["+strconv.FormatUint(ino, 10)+"]")
			}
		}
	}
	return holders, nil
}

// Status returns how many of the recorded processes are alive, and the
// recorded total; (0, 0) when there is no state file.
func Status(statePath string) (alive, total int, err error) {
	st, err := ReadState(statePath)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	buf := make([]byte, 0, 1024)
	return len(stillAlive(st.Procs, buf)), len(st.Procs), nil
}
