package tree

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// ViewSchemaVersion is the version of the view JSON form (`nsview tree
// --json`). Added fields do not change it.
const ViewSchemaVersion = 1

// JSONOptions select what a view's JSON holds: the processes that the
// pstree options' PID or USER argument selects (every process without
// one), threads unless HideThreads, command lines with Args.
type JSONOptions struct {
	Pstree PstreeOptions
}

// viewJSON is the document's head; processes are streamed after it.
type viewJSON struct {
	Schema int `json:"schema"`
	// PIDNS is the PID namespace whose numbering the view uses ("pid:[N]"),
	// null when unknown; Level its nesting below the proc mount's.
	PIDNS *string `json:"pid_ns"`
	Level int     `json:"level"`
	// Inside says the view is a namespace's own (--inside, --ns).
	Inside     bool          `json:"inside"`
	Caller     nsinfo.Caller `json:"caller"`
	Unreadable Unreadable    `json:"unreadable"`
	Warnings   []string      `json:"warnings"`
	// PIDNamespaces summarises the PID namespaces in the view.
	PIDNamespaces []pidNSJSON `json:"pid_namespaces"`
}

type pidNSJSON struct {
	NS     string  `json:"ns"`
	Ino    uint64  `json:"ino"`
	Level  int     `json:"level"`
	Parent *uint64 `json:"parent"`
	// Init is the namespace's PID 1 as the view numbers it (its NSpid
	// chain from the view's level), null when not seen.
	Init   []int `json:"init"`
	NProcs int   `json:"nprocs"`
}

// entryJSON is one process of a view: PIDs as the view numbers them
// (pid, ppid, pgid; 0 for a parent or group leader outside the view), its
// NSpid chain from the view's level inward, and its PID as the proc mount
// numbers it (host_pid).
type entryJSON struct {
	PID        int          `json:"pid"`
	PPID       int          `json:"ppid"`
	PGID       int          `json:"pgid"`
	NSpid      []int        `json:"nspid"`
	HostPID    int          `json:"host_pid"`
	UID        uint32       `json:"uid"`
	Comm       string       `json:"comm"`
	CommRaw    string       `json:"comm_b64,omitempty"`
	State      string       `json:"state"`
	StartTime  uint64       `json:"start_time"`
	Threads    []threadView `json:"threads,omitempty"`
	Cmdline    []string     `json:"cmdline,omitempty"`
	CmdlineRaw []string     `json:"cmdline_b64,omitempty"`
	NS         *nsJSON      `json:"ns,omitempty"`
	Denied     bool         `json:"denied,omitempty"`
}

type threadView struct {
	TID     int    `json:"tid"`
	NSpid   []int  `json:"nspid"`
	Comm    string `json:"comm,omitempty"`
	CommRaw string `json:"comm_b64,omitempty"`
}

// WriteJSON writes the view as one JSON object whose "processes" is a flat
// list, ordered by PID: a nested form could not be decoded at 100,000
// levels. Names that are not valid UTF-8 also come as exact bytes in
// *_b64 fields.
func (v *View) WriteJSON(w io.Writer, o JSONOptions) error {
	s := v.Snapshot
	head := viewJSON{
		Schema: ViewSchemaVersion, Level: v.Level, Inside: v.Inside,
		Caller: s.Caller, Unreadable: s.Unreadable, Warnings: s.Warnings,
	}
	if head.Warnings == nil {
		head.Warnings = []string{}
	}
	if !v.NS.IsZero() {
		id := v.NS.String()
		head.PIDNS = &id
	}
	head.PIDNamespaces = v.pidNamespaces()
	selected, err := v.selectForJSON(o.Pstree)
	if err != nil {
		return err
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	b, err := json.Marshal(head)
	if err != nil {
		return fmt.Errorf("encode view: %w", err)
	}
	// Splice the process list in before the head's closing brace.
	bw.Write(b[:len(b)-1])
	bw.WriteString(",\"processes\":[")
	first := true
	for i := range v.Entries {
		if selected != nil && !selected[i] {
			continue
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		bw.WriteString("\n")
		e := v.entryJSON(&v.Entries[i], o.Pstree)
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode process %d: %w", e.HostPID, err)
		}
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write view: %w", err)
	}
	return nil
}

func (v *View) entryJSON(e *Entry, o PstreeOptions) entryJSON {
	p := e.Proc
	j := entryJSON{
		PID: e.PID, PPID: e.PPID, PGID: e.PGID, NSpid: e.NSpid, HostPID: p.PID,
		UID: p.UID, Comm: p.Comm, State: p.State, StartTime: p.StartTime, Denied: p.Denied,
	}
	if j.NSpid == nil {
		j.NSpid = []int{}
	}
	if !utf8.ValidString(p.Comm) {
		j.CommRaw = base64.StdEncoding.EncodeToString([]byte(p.Comm))
	}
	if !o.HideThreads {
		for k := range p.Threads {
			t := &p.Threads[k]
			chain := threadChain(p, t, v.Level)
			if chain == nil && v.Level > 0 {
				continue
			}
			tv := threadView{TID: t.TID, NSpid: chain, Comm: t.Comm}
			if chain != nil {
				tv.TID = chain[0]
			} else {
				tv.NSpid = []int{}
			}
			if !utf8.ValidString(t.Comm) {
				tv.CommRaw = base64.StdEncoding.EncodeToString([]byte(t.Comm))
			}
			j.Threads = append(j.Threads, tv)
		}
	}
	if o.Args && p.Cmdline != nil {
		j.Cmdline = p.Cmdline
		for _, a := range p.Cmdline {
			if !utf8.ValidString(a) {
				j.CmdlineRaw = make([]string, len(p.Cmdline))
				for k, a := range p.Cmdline {
					j.CmdlineRaw[k] = base64.StdEncoding.EncodeToString([]byte(a))
				}
				break
			}
		}
	}
	if v.Snapshot.Read.Namespaces {
		var ns nsJSON
		f := ns.fields()
		for k := range p.NS {
			if p.NS[k] != 0 {
				x := p.NS[k]
				*f[k] = &x
			}
		}
		j.NS = &ns
	}
	return j
}

// selectForJSON returns which entries the PID or USER argument selects,
// nil for all: the subtree of PID (with -s its ancestors too), or the
// trees rooted at USER's topmost processes.
func (v *View) selectForJSON(o PstreeOptions) ([]bool, error) {
	if !o.HasRoot && o.User == nil {
		return nil, nil
	}
	t := v.Tree()
	sel := make([]bool, len(v.Entries))
	var starts []int
	if o.HasRoot {
		i, ok := v.indexOf(o.Root)
		if !ok {
			return nil, fmt.Errorf("process %d: %w", o.Root, ErrNoProcess)
		}
		starts = append(starts, i)
		if o.ShowParents {
			for p, steps := t.Parent[i], 0; p >= 0 && steps < len(sel); p, steps = t.Parent[p], steps+1 {
				sel[p] = true
			}
		}
	} else {
		t.Walk(func(vis Visit, _ []bool) bool {
			if v.Entries[vis.Node].Proc.UID == *o.User {
				starts = append(starts, vis.Node)
				return false
			}
			return true
		})
		if len(starts) == 0 {
			return nil, ErrNoUserProcesses
		}
	}
	// Tree() has cut any cycle, so the subtrees are disjoint trees.
	stack := append([]int(nil), starts...)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		sel[i] = true
		stack = append(stack, t.Children[i]...)
	}
	return sel, nil
}

// pidNamespaces summarises the PID namespaces of the view's processes.
func (v *View) pidNamespaces() []pidNSJSON {
	s := v.Snapshot
	out := []pidNSJSON{}
	if !s.Read.Namespaces {
		return out
	}
	index := map[uint64]int{}
	for i := range v.Entries {
		e := &v.Entries[i]
		ino := s.PIDNamespaceOf(e.Proc)
		if ino == 0 {
			continue
		}
		k, ok := index[ino]
		if !ok {
			k = len(out)
			index[ino] = k
			n := pidNSJSON{NS: nsinfo.ID{Type: nsinfo.PID, Ino: ino}.String(), Ino: ino, Level: -1}
			if ns, ok := s.Namespace(nsinfo.ID{Type: nsinfo.PID, Ino: ino}); ok {
				n.Level = ns.Level - v.Level
			}
			if p := s.pidNSParent(ino); p != 0 && ino != v.NS.Ino {
				n.Parent = &p
			}
			out = append(out, n)
		}
		out[k].NProcs++
		if e.Proc.InnerPID() == 1 && len(e.Proc.NSpid) > 0 {
			out[k].Init = e.NSpid
		}
		if out[k].Level < 0 && len(e.NSpid) > 0 {
			out[k].Level = len(e.NSpid) - 1
		}
	}
	return out
}
