package tree

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// PstreeOptions are psmisc pstree 23.6's options, as `nsview tree` takes
// them, plus nsview's --nspid. The zero value prints what a plain `pstree`
// prints, ASCII, 132 columns wide.
type PstreeOptions struct {
	Args        bool        // -a: command line arguments
	NoCompact   bool        // -c: don't compact identical subtrees
	PIDs        bool        // -p: PIDs; implies NoCompact
	PGIDs       bool        // -g: process group IDs (pstree 23.6 still compacts)
	NSpid       bool        // --nspid: the PID chain from the view's level inward; implies NoCompact
	UIDChanges  bool        // -u: user names where the UID changes
	NSChanges   bool        // -S: namespace changes against the parent
	ByPID       bool        // -n: sort children by PID, not by name
	NSSort      nsinfo.Type // -N TYPE: one tree per namespace of this type; 0 for none
	HideThreads bool        // -T
	ThreadNames bool        // -t: threads' own names instead of the process's
	ShowParents bool        // -s: with HasRoot, the ancestors of Root
	Long        bool        // -l: don't cut lines at Width
	// Width is the output width in columns (pstree: COLUMNS, the
	// terminal's width, else 132); <= 0 means 132.
	Width int
	// Symbols draws the tree lines; the zero value means ASCIISymbols.
	Symbols Symbols
	// Root is the PID argument, in the view's numbering, when HasRoot.
	Root    int
	HasRoot bool
	// User, when set, prints the trees rooted at this UID's processes.
	User *uint32
	// Highlight is the PID (in the view's numbering) that is drawn bold
	// with its ancestors (-h, -H); 0 for none. Bold and Normal are the
	// terminal's sequences that start and end bold.
	Highlight    int
	Bold, Normal string
	// UserName returns the name of a UID for -u; nil or false prints the
	// number.
	UserName func(uid uint32) (string, bool)
	// Suffix, when set, returns text to print after a process (by its PID
	// in the view's numbering), such as " [docker:3f2a9c1d4e5f]" for
	// --containers; "" for none. Subtrees compact only where it agrees.
	Suffix func(pid int) string
}

// Symbols are the strings pstree draws tree lines with.
type Symbols struct {
	Empty2, Branch2, Vert2, Last2, Single3, First3 string
}

// The three line-drawing sets of pstree: -A, -U and -G.
var (
	ASCIISymbols = Symbols{"  ", "|-", "| ", "`-", "---", "-+-"}
	UTF8Symbols  = Symbols{"  ", "\u251c\u2500", "\u2502 ", "\u2514\u2500", "\u2500\u2500\u2500", "\u2500\u252c\u2500"}
	VT100Symbols = Symbols{
		"  ",
		vtBeg + "t" + "q" + vtEnd,
		vtBeg + "x" + vtEnd + " ",
		vtBeg + "m" + "q" + vtEnd,
		vtBeg + "qqq" + vtEnd,
		vtBeg + "q" + "w" + "q" + vtEnd,
	}
)

const (
	vtBeg = "\033(0\017" // switch to the DEC graphics set
	vtEnd = "\033(B"     // and back
)

// ErrNoUserProcesses is returned when a USER argument owns no process.
var ErrNoUserProcesses = errors.New("no processes found")

// pstree's own limits: a name holds at most COMM_LEN+1 bytes (thread names
// are cut to COMM_LEN inside their braces), and without truncation it reads
// at most BUFSIZ bytes of a command line.
const (
	pstreeCommLen = 64
	pstreeBufSize = 8192
)

// WritePstree prints the view as psmisc pstree 23.6 prints the same
// processes with the same options, byte for byte. Unlike pstree it prints
// every process of a parent cycle once (cut at the cycle's lowest PID and
// hung below PID 1, as pstree hangs processes whose parent is missing), it
// never recurses, and its work is linear in the number of processes (plus
// the output's size).
//
// A Root that is not in the view prints nothing and returns ErrNoProcess,
// as does ShowParents with such a Root; a User without processes returns
// ErrNoUserProcesses.
func (v *View) WritePstree(w io.Writer, o PstreeOptions) error {
	m, err := newPstreeModel(v, o)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	r := newPstreeRenderer(m, bw)
	err = r.run()
	if ferr := bw.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("write tree: %w", ferr)
	}
	return err
}

// pnode is one entry of pstree's process list: a process, a thread, or a
// "?" placeholder for a parent that was not seen.
type pnode struct {
	pid, pgid int
	uid       uint32
	comm      string      // as pstree keeps it: threads "{name}", placeholders "?"
	nspid     []int       // from the view's level inward; nil when unknown
	ns        *nsinfo.Set // nil for placeholders
	nsDenied  bool        // the process's reads were denied (links unknown when ns is zero)
	parent    int32
	kids      []int32
	thread    bool
	hilite    bool
	// argc and argv are pstree's parse of the command line (-a only):
	// argc -1 for an empty one.
	argc int
	argv []string
	// Ties between children of the same name and UID keep pstree's
	// insertion order: a process is added when /proc lists it (by PID),
	// its threads just before it, orphaned placeholders at the end.
	ord1 int
	ord2 int8
	ord3 int
}

const (
	ordLast = int(^uint(0) >> 1)
)

type pstreeModel struct {
	o       PstreeOptions
	nodes   []pnode
	byPID   map[int]int32
	root    int32 // PID 1, or its placeholder
	zero    int32 // the placeholder for PID 0, parent of PID 1 and of kernel threads
	compact bool
	ids     []int32 // canonical subtree ids, when compact
	nsRoots []nsGroup
}

type nsGroup struct {
	ino   uint64
	roots []int32
}

func newPstreeModel(v *View, o PstreeOptions) (*pstreeModel, error) {
	if o.Symbols == (Symbols{}) {
		o.Symbols = ASCIISymbols
	}
	if o.Width <= 0 {
		o.Width = 132
	}
	m := &pstreeModel{o: o, compact: !o.NoCompact && !o.PIDs && !o.NSpid}
	if err := m.build(v); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *pstreeModel) add(n pnode) int32 {
	i := int32(len(m.nodes))
	n.parent = -1
	m.nodes = append(m.nodes, n)
	m.byPID[n.pid] = i
	return i
}

func (m *pstreeModel) placeholder(pid int) int32 {
	return m.add(pnode{pid: pid, comm: "?", ord1: ordLast})
}

// build makes pstree's process list from the view: what read_proc, add_proc
// and fix_orphans do, with maps instead of list scans.
func (m *pstreeModel) build(v *View) error {
	o := &m.o
	level := v.Level
	nthreads := 0
	if !o.HideThreads {
		for i := range v.Entries {
			nthreads += len(v.Entries[i].Proc.Threads)
		}
	}
	m.nodes = make([]pnode, 0, len(v.Entries)+nthreads+2)
	m.byPID = make(map[int]int32, len(v.Entries)+nthreads+2)
	argBuf := pstreeBufSize + 1
	if !o.Long {
		argBuf = o.Width + 1
	}
	ppids := make([]int, 0, len(v.Entries)+nthreads)
	for i := range v.Entries {
		e := &v.Entries[i]
		p := e.Proc
		if !o.HideThreads {
			for j := range p.Threads {
				t := &p.Threads[j]
				chain := threadChain(p, t, level)
				tid := t.TID
				if level > 0 {
					if chain == nil {
						continue // exited while the scan read it
					}
					tid = chain[0]
				}
				name := p.Comm
				if o.ThreadNames && t.Comm != "" {
					name = fgetsComm(t.Comm, p.Comm)
				}
				n := pnode{
					pid: tid, pgid: e.PGID, uid: p.UID, comm: threadComm(name),
					nspid: chain, ns: &p.NS, thread: true,
					ord1: e.PID, ord2: 0, ord3: tid,
				}
				m.add(n)
				ppids = append(ppids, e.PID)
			}
		}
		n := pnode{
			pid: e.PID, pgid: e.PGID, uid: p.UID, comm: truncComm(p.Comm),
			nspid: e.NSpid, ns: &p.NS, nsDenied: p.Denied, ord1: e.PID, ord2: 1,
		}
		if o.Args {
			n.argc, n.argv = pstreeArgs(p, argBuf)
		}
		m.add(n)
		ppids = append(ppids, e.PPID)
	}
	real := len(m.nodes)

	// Parents: a missing one gets a "?" placeholder (add_proc), the
	// placeholder of PID 0 holds PID 1 and whatever came from outside.
	var selfParented []int32
	var orphans []int32
	for i := 0; i < real; i++ {
		ppid := ppids[i]
		n := &m.nodes[i]
		if ppid == n.pid {
			// A process cannot be its own parent; a hostile snapshot
			// can say so. pstree would hide it below PID 0.
			selfParented = append(selfParented, int32(i))
			continue
		}
		j, ok := m.byPID[ppid]
		if !ok {
			j = m.placeholder(ppid)
			if ppid != 0 && ppid != 1 {
				orphans = append(orphans, j)
			}
		}
		m.nodes[i].parent = j
	}
	if j, ok := m.byPID[0]; ok {
		m.zero = j
	} else {
		m.zero = m.placeholder(0)
	}
	if j, ok := m.byPID[1]; ok {
		m.root = j
	} else {
		m.root = m.placeholder(1) // fix_orphans
	}
	// fix_orphans walks its list newest first: orphaned placeholders end
	// up below PID 1 in the reverse order of their creation.
	for k, j := range orphans {
		m.nodes[j].parent = m.root
		m.nodes[j].ord3 = -k
	}
	for _, j := range selfParented {
		if j == m.root {
			m.nodes[j].parent = m.zero // as pstree reads PPid == PID: 0
			continue
		}
		m.nodes[j].parent = m.root
		m.nodes[j].ord1, m.nodes[j].ord2, m.nodes[j].ord3 = ordLast, 1, m.nodes[j].pid
	}
	for i := range m.nodes {
		if p := m.nodes[i].parent; p >= 0 {
			m.nodes[p].kids = append(m.nodes[p].kids, int32(i))
		}
	}
	m.cutCycles()
	for i := range m.nodes {
		if len(m.nodes[i].kids) > 1 {
			m.sortKids(m.nodes[i].kids)
		}
	}

	if o.Highlight != 0 {
		if j, ok := m.byPID[o.Highlight]; ok {
			for steps := 0; j >= 0 && steps <= len(m.nodes); steps++ {
				m.nodes[j].hilite = true
				j = m.nodes[j].parent
			}
		}
	}
	if o.ShowParents && o.HasRoot && o.User == nil {
		j, ok := m.byPID[o.Root]
		if !ok {
			return fmt.Errorf("process %d: %w", o.Root, ErrNoProcess)
		}
		for steps := 0; steps <= len(m.nodes); steps++ {
			p := m.nodes[j].parent
			if p < 0 {
				break
			}
			m.nodes[p].kids = []int32{j}
			j = p
		}
	}
	if o.NSSort != 0 {
		m.groupByNamespace(o.NSSort)
	}
	if m.compact {
		m.canonicalIDs()
	}
	return nil
}

// threadChain returns a thread's IDs from the view's level inward, nil when
// unknown.
func threadChain(p *Process, t *Thread, level int) []int {
	if len(t.NSpid) > level {
		return t.NSpid[level:]
	}
	if level == 0 && len(p.NSpid) <= 1 {
		return []int{t.TID}
	}
	return nil
}

// fgetsComm is the name pstree -t reads for a thread: it reads the first
// line of task/TID/stat, so a name holding a newline is cut there, and a
// line without ')' falls back to the process's name.
func fgetsComm(comm, procComm string) string {
	nl := strings.IndexByte(comm, '\n')
	if nl < 0 {
		return comm
	}
	if rp := strings.LastIndexByte(comm[:nl], ')'); rp >= 0 {
		return comm[:rp]
	}
	return procComm
}

func threadComm(name string) string {
	if len(name) > pstreeCommLen {
		name = name[:pstreeCommLen]
	}
	return truncComm("{" + name + "}")
}

func truncComm(s string) string {
	if len(s) > pstreeCommLen+1 {
		return s[:pstreeCommLen+1]
	}
	return s
}

// pstreeArgs parses a command line as pstree -a does: it reads at most
// bufSize-1 bytes, adds a NUL, and counts runs of NULs before that NUL as
// arguments; the first run ends the name, which is not printed (the comm
// is). A line that did not end in NUL thus loses the space before its last
// argument, and runs of NULs print as empty arguments.
func pstreeArgs(p *Process, bufSize int) (int, []string) {
	if p.Cmdline == nil {
		// Unreadable: pstree would drop the process; show it with "?".
		return 2, []string{"?", ""}
	}
	if len(p.Cmdline) == 0 {
		return -1, nil
	}
	n := len(p.Cmdline) - 1
	for _, a := range p.Cmdline {
		n += len(a)
	}
	if !p.CmdlineUnterminated {
		n++
	}
	raw := make([]byte, 0, min(n, bufSize)+1)
	for i, a := range p.Cmdline {
		if i > 0 {
			raw = append(raw, 0)
		}
		raw = append(raw, a...)
		if len(raw) >= bufSize {
			break
		}
	}
	if !p.CmdlineUnterminated {
		raw = append(raw, 0)
	}
	if len(raw) >= bufSize {
		raw = raw[:bufSize-1]
	}
	if len(raw) == 0 {
		return -1, nil
	}
	raw = append(raw, 0)
	size := len(raw)
	argc := 0
	for i := 0; i < size-1; i++ {
		if raw[i] == 0 {
			argc++
			for raw[i] == 0 && i < size-1 {
				i++
			}
		}
	}
	if argc == 0 {
		return 0, nil
	}
	argv := make([]string, argc)
	start := strings.IndexByte(string(raw), 0) + 1
	rest := raw[start:]
	for i := range argv {
		end := 0
		for rest[end] != 0 {
			end++
		}
		argv[i] = string(rest[:end])
		if i < argc-1 {
			rest = rest[end+1:]
		}
	}
	return argc, argv
}

// sortKids orders children as pstree's add_child inserts them: by name
// (bytes), then UID, then insertion order; or with -n by PID.
func (m *pstreeModel) sortKids(kids []int32) {
	nodes := m.nodes
	if m.o.ByPID {
		sortInt32(kids, func(a, b int32) int { return nodes[a].pid - nodes[b].pid })
		return
	}
	sortInt32(kids, func(a, b int32) int {
		x, y := &nodes[a], &nodes[b]
		if c := strings.Compare(x.comm, y.comm); c != 0 {
			return c
		}
		switch {
		case x.uid < y.uid:
			return -1
		case x.uid > y.uid:
			return 1
		case x.ord1 != y.ord1:
			return cmpInt(x.ord1, y.ord1)
		case x.ord2 != y.ord2:
			return int(x.ord2) - int(y.ord2)
		}
		return cmpInt(x.ord3, y.ord3)
	})
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cutCycles makes every node reachable from a parentless one: a cycle of
// parents (impossible in a kernel, possible in a hostile snapshot) is cut
// at its lowest PID, which is hung below PID 1 like an orphan, or made a
// root if it is PID 1.
func (m *pstreeModel) cutCycles() {
	n := len(m.nodes)
	seen := make([]bool, n)
	var stack []int32
	mark := func(from int32) {
		stack = append(stack[:0], from)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[i] {
				continue
			}
			seen[i] = true
			stack = append(stack, m.nodes[i].kids...)
		}
	}
	for i := range m.nodes {
		if m.nodes[i].parent < 0 {
			mark(int32(i))
		}
	}
	if r := m.root; !seen[r] {
		// PID 1 sits on or below a cycle: it is where pstree starts, so
		// it becomes a root before anything is hung below it.
		p := m.nodes[r].parent
		m.nodes[p].kids = removeInt32(m.nodes[p].kids, r)
		m.nodes[r].parent = -1
		mark(r)
	}
	for i := range m.nodes {
		if seen[i] {
			continue
		}
		// Walk up n steps to be on the cycle, then find its lowest PID.
		c := int32(i)
		for range n {
			c = m.nodes[c].parent
		}
		cut := c
		for x := m.nodes[c].parent; x != c; x = m.nodes[x].parent {
			if m.nodes[x].pid < m.nodes[cut].pid {
				cut = x
			}
		}
		p := m.nodes[cut].parent
		m.nodes[p].kids = removeInt32(m.nodes[p].kids, cut)
		m.nodes[cut].parent = m.root
		m.nodes[m.root].kids = append(m.nodes[m.root].kids, cut)
		m.nodes[cut].ord1, m.nodes[cut].ord2, m.nodes[cut].ord3 = ordLast, 1, m.nodes[cut].pid
		mark(cut)
	}
}

func removeInt32(s []int32, v int32) []int32 {
	for i, x := range s {
		if x == v {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}

// nsUnknown reports whether a node's namespaces could not be read: its
// links were denied, or it is a placeholder for a parent not seen (not
// PID 0, which stands for no parent at all).
func (m *pstreeModel) nsUnknown(i int32) bool {
	n := &m.nodes[i]
	if n.ns == nil {
		return n.pid != 0
	}
	return n.nsDenied && *n.ns == nsinfo.Set{}
}

// nsOf returns a node's namespace of type index t, 0 when unknown.
func (m *pstreeModel) nsOf(i int32, t int) uint64 {
	if ns := m.nodes[i].ns; ns != nil {
		return ns[t]
	}
	return 0
}

// groupByNamespace is pstree -N: walking from PID 1 in pre-order, every
// process whose namespace differs from its parent's starts a tree of its
// own under that namespace's header, in the order found.
func (m *pstreeModel) groupByNamespace(t nsinfo.Type) {
	ti := t.Index()
	index := make(map[uint64]int)
	detached := false
	stack := []int32{m.root}
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p := m.nodes[r].parent
		if p < 0 || m.nsOf(p, ti) != m.nsOf(r, ti) {
			ino := m.nsOf(r, ti)
			g, ok := index[ino]
			if !ok {
				g = len(m.nsRoots)
				index[ino] = g
				m.nsRoots = append(m.nsRoots, nsGroup{ino: ino})
			}
			m.nsRoots[g].roots = append(m.nsRoots[g].roots, r)
			if p >= 0 {
				m.nodes[r].parent = -2 // detached; kids lists fixed below
				detached = true
			}
		}
		kids := m.nodes[r].kids
		for k := len(kids) - 1; k >= 0; k-- {
			stack = append(stack, kids[k])
		}
	}
	if !detached {
		return
	}
	for i := range m.nodes {
		kids := m.nodes[i].kids
		keep := kids[:0]
		for _, k := range kids {
			if m.nodes[k].parent != -2 {
				keep = append(keep, k)
			}
		}
		m.nodes[i].kids = keep
	}
	for i := range m.nodes {
		if m.nodes[i].parent == -2 {
			m.nodes[i].parent = -1
		}
	}
}

// canonicalIDs gives every node the id of its subtree's shape as pstree's
// tree_equal compares it (name; UID with -u; namespaces with -S; children
// in order), bottom-up, so that equal subtrees have equal ids.
func (m *pstreeModel) canonicalIDs() {
	n := len(m.nodes)
	m.ids = make([]int32, n)
	intern := make(map[string]int32)
	// Post-order: children before parents, without recursion.
	order := make([]int32, 0, n)
	var stack []int32
	for i := range m.nodes {
		if m.nodes[i].parent >= 0 {
			continue
		}
		stack = append(stack[:0], int32(i))
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			order = append(order, x)
			stack = append(stack, m.nodes[x].kids...)
		}
	}
	var key []byte
	for k := len(order) - 1; k >= 0; k-- {
		x := order[k]
		nd := &m.nodes[x]
		key = append(key[:0], nd.comm...)
		key = append(key, 0)
		if m.o.Suffix != nil && !nd.thread {
			key = append(key, m.o.Suffix(nd.pid)...)
			key = append(key, 0)
		}
		if m.o.UIDChanges {
			key = appendUint(key, uint64(nd.uid))
		}
		if m.o.NSChanges {
			for t := range nsinfo.NumTypes {
				key = appendUint(key, m.nsOf(x, t))
			}
		}
		for _, c := range nd.kids {
			key = appendUint(key, uint64(m.ids[c]))
		}
		id, ok := intern[string(key)]
		if !ok {
			id = int32(len(intern))
			intern[string(key)] = id
		}
		m.ids[x] = id
	}
}

func appendUint(b []byte, v uint64) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56))
}

func sortInt32(s []int32, cmp func(a, b int32) int) { slices.SortFunc(s, cmp) }
