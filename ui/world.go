package ui

import (
	"slices"
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
	// snap is the scan. The vanished processes still fading out are not
	// in it (copying and sorting 10,000 processes to add them costs more
	// than the scan): they are added to the views, as an overlay.
	snap *tree.Snapshot
	// host is the host view, fading processes included, and hostTree
	// its tree (made once: both panes may show it).
	host     *tree.View
	hostTree *tree.Tree
	// hostNS is the proc mount's own PID namespace, zero when unreadable.
	hostNS nsinfo.ID
	byKey  map[procKey]*tree.Process
	// pidNS is each process's own PID namespace inode by (host) PID, 0
	// when unknown.
	pidNS map[int]uint64
	// ref holds the host's namespaces, against which a process's are
	// shown as shared or its own.
	ref nsinfo.Set
	// gone are the vanished processes still shown, dimmed; ghosts are
	// the same, by host PID.
	gone   map[procKey]bool
	ghosts map[int]*tree.Process
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
	w := &world{snap: raw, gone: map[procKey]bool{}, ghosts: map[int]*tree.Process{}}
	for k, g := range ghosts {
		if _, used := raw.Proc(k.pid); used {
			continue
		}
		p := g.p
		w.ghosts[k.pid] = &p
		w.gone[k] = true
	}
	s := w.snap
	w.ref = w.reference()
	w.byKey = make(map[procKey]*tree.Process, len(s.Processes)+len(w.ghosts))
	w.pidNS = make(map[int]uint64, len(s.Processes)+len(w.ghosts))
	for i := range s.Processes {
		p := &s.Processes[i]
		w.byKey[keyOf(p)] = p
		w.pidNS[p.PID] = s.PIDNamespaceOf(p)
	}
	for _, p := range w.ghosts {
		w.byKey[keyOf(p)] = p
		w.pidNS[p.PID] = s.PIDNamespaceOf(p)
	}
	w.host = w.withGhosts(s.HostView())
	w.hostNS = w.host.NS
	if w.hostNS.IsZero() && w.ref[nsinfo.PID.Index()] != 0 {
		w.hostNS = nsinfo.ID{Type: nsinfo.PID, Ino: w.ref[nsinfo.PID.Index()]}
	}
	for i := range s.Namespaces {
		if s.Namespaces[i].Type == nsinfo.PID {
			w.pidNamespaces++
		}
	}
	return w
}

// tree returns the tree of a view; the host view's is made once.
func (w *world) tree(v *tree.View) *tree.Tree {
	if v != w.host {
		return v.Tree()
	}
	if w.hostTree == nil {
		w.hostTree = v.Tree()
	}
	return w.hostTree
}

// insideView is the view from inside PID namespace ns, fading processes
// included. The proc mount's own namespace seen from inside is the host
// view, which is reused.
func (w *world) insideView(ns nsinfo.ID) (*tree.View, error) {
	if ns == w.hostNS && w.host.NS == ns {
		return w.host, nil
	}
	v, err := w.snap.InsideView(ns)
	if err != nil {
		return nil, err
	}
	return w.withGhosts(v), nil
}

// withGhosts adds to a view the fading processes that belong in it,
// numbered as it numbers them.
func (w *world) withGhosts(v *tree.View) *tree.View {
	if len(w.ghosts) == 0 {
		return v
	}
	var add []tree.Entry
	for _, g := range w.ghosts {
		if v.Level == 0 {
			// The proc mount's own level: every process is in it.
			add = append(add, tree.Entry{Proc: g, PID: g.PID, PPID: g.PPID, PGID: g.PGID, NSpid: g.NSpid})
			continue
		}
		if len(g.NSpid) > v.Level && w.snap.PIDNamespaceAt(g, v.Level) == v.NS.Ino {
			add = append(add, tree.Entry{Proc: g, PID: g.NSpid[v.Level], NSpid: g.NSpid[v.Level:]})
		}
	}
	if len(add) == 0 {
		return v
	}
	out := &tree.View{Snapshot: v.Snapshot, NS: v.NS, Level: v.Level}
	out.Entries = append(append(make([]tree.Entry, 0, len(v.Entries)+len(add)), v.Entries...), add...)
	if v.Level > 0 {
		// Parents as the view numbers them, from the host PIDs.
		in := make(map[int]int, len(out.Entries))
		for i := range out.Entries {
			in[out.Entries[i].Proc.PID] = out.Entries[i].PID
		}
		for i := len(v.Entries); i < len(out.Entries); i++ {
			e := &out.Entries[i]
			e.PPID = in[e.Proc.PPID]
			e.PGID = in[e.Proc.PGID]
		}
	}
	slices.SortFunc(out.Entries, func(a, b tree.Entry) int { return a.PID - b.PID })
	return out
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

// parentOf returns the process's parent, if shown (alive or fading).
func (w *world) parentOf(p *tree.Process) (*tree.Process, bool) {
	if p.PPID == 0 || p.PPID == p.PID {
		return nil, false
	}
	if q, ok := w.snap.Proc(p.PPID); ok {
		return q, true
	}
	q, ok := w.ghosts[p.PPID]
	return q, ok
}
