package ui

import (
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// procKey identifies a process across refreshes. A PID alone is reused; a
// PID with its start time is not, in practice.
type procKey struct {
	pid   int
	start uint64
}

func keyOf(p *tree.Process) procKey { return procKey{pid: p.PID, start: p.StartTime} }

// world is one snapshot as shown, with what the UI derives from it once
// per refresh rather than per frame.
type world struct {
	// snap is what is shown: the scan plus the vanished processes still
	// fading out.
	snap *tree.Snapshot
	host *tree.View
	// hostNS is the proc mount's own PID namespace, zero when unreadable.
	hostNS nsinfo.ID
	byKey  map[procKey]*tree.Process
	// pidNS is each process's own PID namespace inode by (host) PID, 0
	// when unknown.
	pidNS map[int]uint64
	// ref holds the host's namespaces, against which a process's are
	// shown as shared or its own.
	ref nsinfo.Set
	// gone are the vanished processes still shown, dimmed.
	gone map[procKey]bool
	// pidNamespaces counts the PID namespaces.
	pidNamespaces int
}

// ghost is a vanished process, shown dimmed until it expires.
type ghost struct {
	p     tree.Process
	until time.Time
}

// newWorld derives a world from a scan and the ghosts to show with it
// (those whose PID is not in use again).
func newWorld(raw *tree.Snapshot, ghosts map[procKey]ghost) *world {
	w := &world{snap: raw, gone: map[procKey]bool{}}
	if len(ghosts) > 0 {
		extra := make([]tree.Process, 0, len(ghosts))
		for k, g := range ghosts {
			if _, used := raw.Proc(k.pid); used {
				continue
			}
			extra = append(extra, g.p)
			w.gone[k] = true
		}
		if len(extra) > 0 {
			// A copy: the scan is also the source's base for its next
			// incremental scan, which runs while this one is shown.
			s := *raw
			s.Processes = append(append(make([]tree.Process, 0, len(raw.Processes)+len(extra)), raw.Processes...), extra...)
			s.Sort()
			w.snap = &s
		}
	}
	s := w.snap
	w.host = s.HostView()
	w.ref = w.reference()
	w.hostNS = w.host.NS
	if w.hostNS.IsZero() && w.ref[nsinfo.PID.Index()] != 0 {
		w.hostNS = nsinfo.ID{Type: nsinfo.PID, Ino: w.ref[nsinfo.PID.Index()]}
	}
	w.byKey = make(map[procKey]*tree.Process, len(s.Processes))
	w.pidNS = make(map[int]uint64, len(s.Processes))
	for i := range s.Processes {
		p := &s.Processes[i]
		w.byKey[keyOf(p)] = p
		w.pidNS[p.PID] = s.PIDNamespaceOf(p)
	}
	for i := range s.Namespaces {
		if s.Namespaces[i].Type == nsinfo.PID {
			w.pidNamespaces++
		}
	}
	return w
}

// reference picks the process whose namespaces count as the host's: the
// one that took the snapshot, else PID 1, else the first process at the
// top level whose links were all readable. (PID 1's links are often
// unreadable: in a container, or under a sandbox's init.)
func (w *world) reference() nsinfo.Set {
	full := func(p *tree.Process) bool {
		for _, ino := range p.NS {
			if ino == 0 {
				return false
			}
		}
		return len(p.NSpid) <= 1
	}
	s := w.snap
	for _, pid := range []int{s.Caller.ProcSelf, 1} {
		if p, ok := s.Proc(pid); ok && pid > 0 && full(p) {
			return p.NS
		}
	}
	for i := range s.Processes {
		if p := &s.Processes[i]; full(p) {
			return p.NS
		}
	}
	return nsinfo.Set{}
}

// proc returns the live or fading process with the given identity.
func (w *world) proc(k procKey) (*tree.Process, bool) {
	if w == nil {
		return nil, false
	}
	p, ok := w.byKey[k]
	return p, ok
}

// chain returns the PID namespace of each level the process is seen at,
// outer to inner (zero IDs where unknown).
func (w *world) chain(p *tree.Process) []nsinfo.ID {
	out := make([]nsinfo.ID, len(p.NSpid))
	for i := range p.NSpid {
		if ino := w.snap.PIDNamespaceAt(p, i); ino != 0 {
			out[i] = nsinfo.ID{Type: nsinfo.PID, Ino: ino}
		}
	}
	return out
}

// parentOf returns the process's parent in the snapshot, if shown.
func (w *world) parentOf(p *tree.Process) (*tree.Process, bool) {
	if p.PPID == 0 || p.PPID == p.PID {
		return nil, false
	}
	return w.snap.Proc(p.PPID)
}
