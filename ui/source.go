package ui

import (
	"os/user"
	"strconv"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// Source gives the snapshots the UI shows. Scan is called from a tea.Cmd,
// one call at a time, never from Update or View; fresh are the PIDs on
// screen, whose facts must be current.
type Source interface {
	Scan(fresh []int) (*tree.Snapshot, error)
	// Live reports whether each Scan may find something new (a proc
	// mount) or always returns the same (a snapshot file): only a live
	// source is refreshed.
	Live() bool
}

// ScanOptions are the facts the UI shows: names, command lines, NSpid
// chains, the eight namespace links and the namespace hierarchy.
func ScanOptions() tree.Options {
	return tree.Options{Cmdline: true, NSpid: true, Namespaces: true, Hierarchy: true, Cgroup: true}
}

// Restat is how many refreshes pass between two reads of the stat file of
// a process that is not on screen, and Recheck between two full reads of
// a known process (see tree.Rescanner): at 10,000 processes, reading every
// stat file every second costs more CPU than all the rest of the UI.
const (
	Restat  = 30
	Recheck = 300
)

// LiveSource scans proc incrementally (tree.Rescanner): after the first
// scan, only what can change for a known process is read again, and for
// processes off screen only every Restat refreshes; what appears or
// vanishes shows at every refresh.
func LiveSource(proc *nsinfo.ProcFS) Source {
	r := tree.NewRescanner(proc, ScanOptions())
	r.Restat, r.Recheck = Restat, Recheck
	return &liveSource{r: r}
}

type liveSource struct{ r *tree.Rescanner }

func (l *liveSource) Scan(fresh []int) (*tree.Snapshot, error) { return l.r.ScanFresh(fresh) }
func (l *liveSource) Live() bool                               { return true }

// Close releases the pidfds the Rescanner holds on the processes on screen.
func (l *liveSource) Close() error { return l.r.Close() }

// SnapshotSource shows one saved snapshot; it is never refreshed.
func SnapshotSource(s *tree.Snapshot) Source { return snapshotSource{s} }

type snapshotSource struct{ s *tree.Snapshot }

func (f snapshotSource) Scan([]int) (*tree.Snapshot, error) { return f.s, nil }
func (f snapshotSource) Live() bool                         { return false }

// lookupUsers names the UIDs of s's processes: known holds earlier answers
// and is not changed; the result is a new map (Update reads it while the
// next scan runs).
func lookupUsers(s *tree.Snapshot, known map[uint32]string) map[uint32]string {
	out := make(map[uint32]string, len(known)+4)
	for uid, name := range known {
		out[uid] = name
	}
	for i := range s.Processes {
		uid := s.Processes[i].UID
		if _, ok := out[uid]; ok {
			continue
		}
		name := ""
		if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
			name = u.Username
		}
		out[uid] = name
	}
	return out
}
