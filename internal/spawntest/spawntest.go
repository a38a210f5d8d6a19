//go:build linux

// Package spawntest holds what the spawner's tests share: finding the
// processes a test started (by namespace or by an environment tag), and
// checking that none of them, and none of their namespaces, is left.
package spawntest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
)

// Proc is one process as /proc shows it.
type Proc struct {
	PID   int
	PPID  int
	State byte
	Comm  string
}

// Stat reads one process; ok is false if it is gone.
func Stat(pid int) (Proc, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Proc{}, false
	}
	st, err := nsinfo.ParseStat(b)
	if err != nil {
		return Proc{}, false
	}
	return Proc{PID: st.PID, PPID: st.PPID, State: st.State, Comm: st.Comm}, true
}

// Alive reports whether pid exists and is not a zombie.
func Alive(pid int) bool {
	p, ok := Stat(pid)
	return ok && p.State != 'Z' && p.State != 'X'
}

// All lists every process on the host.
func All() []Proc {
	var procs []Proc
	for _, pid := range pids() {
		if p, ok := Stat(pid); ok {
			procs = append(procs, p)
		}
	}
	return procs
}

// Children lists the processes whose parent is ppid.
func Children(ppid int) []Proc {
	var kids []Proc
	for _, p := range All() {
		if p.PPID == ppid {
			kids = append(kids, p)
		}
	}
	return kids
}

// Tagged lists the live (not zombie) processes whose environment holds tag;
// nsview's inits carry their command's environment inside theirs, so a
// unique variable in a test's nsview finds every process of its sandbox.
func Tagged(tag string) []Proc {
	var found []Proc
	for _, p := range All() {
		if p.State == 'Z' || p.State == 'X' {
			continue
		}
		env, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/environ")
		if err != nil || !bytes.Contains(env, []byte(tag)) {
			continue
		}
		found = append(found, p)
	}
	return found
}

// NS is a namespace's identity: its inode, and its 64-bit kernel ID where
// the kernel has NS_GET_ID (inodes are reused at once, kernel IDs never).
type NS struct {
	ID       nsinfo.ID
	KernelID uint64
}

func (n NS) String() string { return fmt.Sprintf("%s (id %d)", n.ID, n.KernelID) }

// Namespaces returns the namespaces of pid of the given types.
func Namespaces(t testing.TB, pid int, types ...nsinfo.Type) []NS {
	t.Helper()
	var out []NS
	for _, typ := range types {
		info, err := nsinfo.Inspect(fmt.Sprintf("/proc/%d/ns/%s", pid, typ))
		if err != nil {
			t.Fatalf("inspect %s namespace of %d: %v", typ, pid, err)
		}
		out = append(out, NS{ID: info.ID, KernelID: info.KernelID})
	}
	return out
}

// pids lists the numeric entries of /proc.
func pids() []int {
	f, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	out := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// InNamespace lists the processes (zombies included) whose namespace of
// ns's type is ns. It reads one link per process, which matters on a
// machine with 10,000 of them.
func InNamespace(ns NS) []Proc {
	var found []Proc
	for _, pid := range pids() {
		path := fmt.Sprintf("/proc/%d/ns/%s", pid, ns.ID.Type)
		link, err := os.Readlink(path)
		if err != nil || link != ns.ID.String() {
			continue
		}
		if ns.KernelID != 0 {
			info, err := nsinfo.Inspect(path)
			if err != nil || info.KernelID != ns.KernelID {
				continue
			}
		}
		if p, ok := Stat(pid); ok {
			found = append(found, p)
		}
	}
	return found
}

// Gone reports whether pid has ended, or is a zombie, or is no longer in
// the PID namespace ns (its PID was reused): no false alarm on a busy
// machine where inode numbers and PIDs are reused at once.
func Gone(pid int, ns nsinfo.ID) bool {
	p, ok := Stat(pid)
	if !ok || p.State == 'Z' || p.State == 'X' {
		return true
	}
	link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	return err != nil || link != ns.String()
}

// TryNamespaces is Namespaces for a process that may have ended: it
// returns what it could read.
func TryNamespaces(pid int, types ...nsinfo.Type) []NS {
	var out []NS
	for _, typ := range types {
		info, err := nsinfo.Inspect(fmt.Sprintf("/proc/%d/ns/%s", pid, typ))
		if err == nil {
			out = append(out, NS{ID: info.ID, KernelID: info.KernelID})
		}
	}
	return out
}

// Holders lists the live processes that are in any of nss.
func Holders(nss []NS) []string {
	var found []string
	for _, ns := range nss {
		for _, p := range InNamespace(ns) {
			if p.State != 'Z' && p.State != 'X' {
				found = append(found, fmt.Sprintf("%d (%s) in %s", p.PID, p.Comm, ns))
			}
		}
	}
	return found
}

// CheckGone fails t unless, within d, no live process is in any of nss.
// A namespace with no process is freed unless a bind mount or an open fd
// holds it, and the spawner makes neither.
func CheckGone(t testing.TB, d time.Duration, nss []NS) {
	t.Helper()
	var left []string
	if !testenv.Poll(d, func() bool { left = Holders(nss); return len(left) == 0 }) {
		t.Errorf("%v after the sandbox ended, still in its namespaces: %s", d, strings.Join(left, "; "))
	}
}

// FDs lists the descriptors pid has open.
func FDs(pid int) ([]string, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return nil, err
	}
	var fds []string
	for _, e := range entries {
		fds = append(fds, e.Name())
	}
	return fds, nil
}

// StatusLines returns the named lines ("SigBlk", ...) of /proc/PID/status.
func StatusLines(pid int, keys ...string) (map[string]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		for _, k := range keys {
			if strings.HasPrefix(line, k+":") {
				out[k] = strings.TrimSpace(line[len(k)+1:])
			}
		}
	}
	return out, nil
}
