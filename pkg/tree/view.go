package tree

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// Entry is one process in a view, numbered as the view's PID namespace
// numbers it.
type Entry struct {
	Proc *Process
	// PID, PPID and PGID as the view's namespace numbers them. PPID is 0
	// when the parent is outside the view (the view's init, or a process
	// that entered the namespace with setns); PGID is 0 when the group
	// leader is outside.
	PID, PPID, PGID int
	// NSpid is the process's chain from the view's level inward: NSpid[0]
	// is PID, the last entry the PID in the process's own namespace.
	NSpid []int
}

// View is a set of processes numbered as one PID namespace numbers them.
type View struct {
	Snapshot *Snapshot
	// NS is the PID namespace whose numbering the view uses; zero when
	// unknown (the host view of a mount whose own namespace is unreadable).
	NS nsinfo.ID
	// Level is that namespace's nesting below the proc mount's own: the
	// NSpid index that gives PIDs in the view.
	Level int
	// Entries, ordered by PID.
	Entries []Entry
	// Inside is set for a view from inside a namespace (InsideView),
	// clear for the proc mount's whole view (HostView).
	Inside bool

	byPID map[int]int
}

// Entry returns the entry with the given PID in the view's numbering.
func (v *View) Entry(pid int) (*Entry, bool) {
	i, ok := v.indexOf(pid)
	if !ok {
		return nil, false
	}
	return &v.Entries[i], true
}

// indexOf returns the position in Entries of the entry with the given PID.
func (v *View) indexOf(pid int) (int, bool) {
	if v.byPID == nil {
		v.buildIndex()
	}
	i, ok := v.byPID[pid]
	return i, ok
}

// buildIndex maps PIDs to entries. The constructors call it, so that a view
// is only read afterwards and goroutines may share it (the TUI renders one
// view in two panes).
func (v *View) buildIndex() {
	v.byPID = make(map[int]int, len(v.Entries))
	for i := range v.Entries {
		v.byPID[v.Entries[i].PID] = i
	}
}

// HostView is the whole snapshot as the proc mount numbers it.
func (s *Snapshot) HostView() *View {
	v := &View{Snapshot: s, Entries: make([]Entry, len(s.Processes))}
	for i := range s.Processes {
		p := &s.Processes[i]
		v.Entries[i] = Entry{Proc: p, PID: p.PID, PPID: p.PPID, PGID: p.PGID, NSpid: p.NSpid}
		if v.NS.IsZero() && len(p.NSpid) == 1 && p.NS[nsinfo.PID.Index()] != 0 {
			v.NS = nsinfo.ID{Type: nsinfo.PID, Ino: p.NS[nsinfo.PID.Index()]}
		}
	}
	v.buildIndex()
	return v
}

// InsideViewOf is the view from inside the PID namespace of the process
// with the given PID (as the proc mount numbers it).
func (s *Snapshot) InsideViewOf(pid int) (*View, error) {
	p, ok := s.Proc(pid)
	if !ok {
		return nil, fmt.Errorf("process %d: %w", pid, ErrNoProcess)
	}
	ns := s.PIDNamespaceOf(p)
	if ns == 0 {
		return nil, fmt.Errorf("process %d: its PID namespace is unknown (%s)", pid, unknownWhy(p))
	}
	return s.InsideView(nsinfo.ID{Type: nsinfo.PID, Ino: ns})
}

func unknownWhy(p *Process) string {
	if p.Denied {
		return "its namespace links are not readable: try as root"
	}
	if p.NSpid == nil {
		return "no NSpid was read"
	}
	return "namespace links were not read"
}

// ErrNoNamespace is wrapped when a namespace named by the user is not in a
// snapshot.
var ErrNoNamespace = errors.New("no such namespace")

// InsideView is the view from inside PID namespace ns: the processes in it
// and in the namespaces below it, numbered as it numbers them.
func (s *Snapshot) InsideView(ns nsinfo.ID) (*View, error) {
	if ns.Type != nsinfo.PID {
		return nil, fmt.Errorf("%s: not a PID namespace", ns)
	}
	level := -1
	if n, ok := s.Namespace(ns); ok && n.Level >= 0 {
		level = n.Level
	} else {
		for i := range s.Processes {
			p := &s.Processes[i]
			if s.PIDNamespaceOf(p) == ns.Ino && len(p.NSpid) > 0 {
				level = len(p.NSpid) - 1
				break
			}
		}
	}
	if level < 0 {
		return nil, fmt.Errorf("%s: %w", ns, ErrNoNamespace)
	}
	v := &View{Snapshot: s, NS: ns, Level: level, Inside: true}
	in := make(map[int]int) // mount PID -> PID in the view
	for i := range s.Processes {
		p := &s.Processes[i]
		var e Entry
		switch {
		case len(p.NSpid) > level && s.PIDNamespaceAt(p, level) == ns.Ino:
			e = Entry{Proc: p, PID: p.NSpid[level], NSpid: p.NSpid[level:]}
		case level == 0 && p.NSpid == nil && s.PIDNamespaceOf(p) == ns.Ino:
			// Without NSpid (a kernel before 4.1, a status that could
			// not be read), a process of the mount's own namespace is
			// still numbered: by its PID.
			e = Entry{Proc: p, PID: p.PID}
		default:
			continue
		}
		in[p.PID] = e.PID
		v.Entries = append(v.Entries, e)
	}
	for i := range v.Entries {
		e := &v.Entries[i]
		if e.Proc.PPID != e.Proc.PID {
			e.PPID = in[e.Proc.PPID]
		}
		e.PGID = in[e.Proc.PGID]
	}
	slices.SortFunc(v.Entries, func(a, b Entry) int { return cmp.Compare(a.PID, b.PID) })
	v.buildIndex()
	return v, nil
}

// PIDNamespaceOf returns the inode of the process's own PID namespace: from
// its ns/pid link, or where that is unreadable, inherited from the nearest
// ancestor process at the same NSpid depth (a process can only enter a PID
// namespace below its own, so same depth means same namespace). A process
// seen at one level only is in the proc mount's own namespace, which any
// other such process's link names. 0 when unknown. For a process of the
// snapshot it is a lookup: Sort resolves every process once.
func (s *Snapshot) PIDNamespaceOf(p *Process) uint64 {
	if s.byPID == nil {
		s.index()
	}
	if i, ok := s.byPID[p.PID]; ok && &s.Processes[i] == p && i < len(s.pidNS) {
		return s.pidNS[i]
	}
	// A copy, or a process that shares its PID with another.
	pi := nsinfo.PID.Index()
	for steps := 0; p != nil && steps <= len(s.Processes); steps++ {
		if ino := p.NS[pi]; ino != 0 {
			return ino
		}
		if len(p.NSpid) == 1 && s.mountPIDNS != 0 {
			return s.mountPIDNS
		}
		j, ok := s.parentAtSameDepth(p)
		if !ok {
			return 0
		}
		p = &s.Processes[j]
	}
	return 0
}

// parentAtSameDepth returns the index of p's parent process if it is in the
// snapshot and at p's NSpid depth, so in p's PID namespace.
func (s *Snapshot) parentAtSameDepth(p *Process) (int, bool) {
	if p.NSpid == nil || p.PPID == 0 || p.PPID == p.PID {
		return 0, false
	}
	j, ok := s.byPID[p.PPID]
	if !ok || len(s.Processes[j].NSpid) != len(p.NSpid) {
		return 0, false
	}
	return j, true
}

// resolvePIDNamespaces computes PIDNamespaceOf for every process, each
// chain of ancestors walked once (a 100,000-deep chain of processes whose
// links are unreadable costs linear time, not quadratic).
func (s *Snapshot) resolvePIDNamespaces() {
	const (
		unvisited = iota
		walking
		resolved
	)
	pi := nsinfo.PID.Index()
	s.pidNS = make([]uint64, len(s.Processes))
	state := make([]uint8, len(s.Processes))
	var path []int
	for i := range s.Processes {
		path = path[:0]
		var ino uint64
		for j := i; ; {
			if state[j] == resolved {
				ino = s.pidNS[j]
				break
			}
			if state[j] == walking { // a cycle of parents: unknown
				break
			}
			p := &s.Processes[j]
			if p.NS[pi] != 0 {
				ino = p.NS[pi]
				break
			}
			if len(p.NSpid) == 1 && s.mountPIDNS != 0 {
				ino = s.mountPIDNS
				break
			}
			state[j] = walking
			path = append(path, j)
			k, ok := s.parentAtSameDepth(p)
			if !ok {
				break
			}
			j = k
		}
		for _, j := range path {
			s.pidNS[j], state[j] = ino, resolved
		}
		if state[i] != resolved {
			s.pidNS[i], state[i] = ino, resolved
		}
	}
}

// PIDNamespaceAt returns the inode of the PID namespace at the given level
// (0 = the proc mount's own) that the process is seen in, walking up from
// its own namespace through the namespace hierarchy. 0 when unknown.
func (s *Snapshot) PIDNamespaceAt(p *Process, level int) uint64 {
	ino := s.PIDNamespaceOf(p)
	depth := len(p.NSpid) - 1
	if ino == 0 || depth < level {
		return 0
	}
	for ; depth > level && ino != 0; depth-- {
		ino = s.pidNSParent(ino)
	}
	return ino
}

// pidNSParent returns the parent of a PID namespace: from NS_GET_PARENT
// where the scan asked the kernel, else from the process tree (the parent
// process of the namespace's init lives in the parent namespace).
func (s *Snapshot) pidNSParent(ino uint64) uint64 {
	id := nsinfo.ID{Type: nsinfo.PID, Ino: ino}
	if n, ok := s.Namespace(id); ok && n.Parent != 0 {
		return n.Parent
	}
	return s.inferredParent[ino]
}

// inferParents finds, for each PID namespace, the namespace of its init's
// parent process.
func (s *Snapshot) inferParents() {
	s.inferredParent = make(map[uint64]uint64)
	if s.byPID == nil {
		return
	}
	pi := nsinfo.PID.Index()
	for i := range s.Processes {
		p := &s.Processes[i]
		if p.NS[pi] == 0 || len(p.NSpid) < 2 || p.NSpid[len(p.NSpid)-1] != 1 {
			continue
		}
		parent, ok := s.Proc(p.PPID)
		if !ok || len(parent.NSpid) != len(p.NSpid)-1 {
			continue
		}
		if pns := s.PIDNamespaceOf(parent); pns != 0 {
			s.inferredParent[p.NS[pi]] = pns
		}
	}
}
