package nsls

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/nsview/nsview/pkg/container"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// Column is one column of `nsview ns`.
type Column int

// The columns: lsns 2.38's thirteen, in its order, then nsview's own.
const (
	ColNS Column = iota
	ColType
	ColPath
	ColNProcs
	ColPID
	ColPPID
	ColCommand
	ColUID
	ColUser
	ColNetNSID
	ColNSFS
	ColPNS
	ColONS
	ColFound
	ColContainer
	ColKernelID
	numColumns
)

// NumLsnsColumns is how many columns lsns 2.38 has (the first ones).
const NumLsnsColumns = int(ColFound)

type colInfo struct {
	name  string
	hint  float64
	flags colFlags
	json  jsonType
	help  string
}

// infos are lsns's column definitions (width hints, alignment, JSON types),
// and nsview's own after them.
var infos = [numColumns]colInfo{
	ColNS:        {"NS", 10, flRight, jsonNumber, "namespace identifier (inode number)"},
	ColType:      {"TYPE", 5, 0, jsonString, "kind of namespace"},
	ColPath:      {"PATH", 0, 0, jsonString, "path to the namespace"},
	ColNProcs:    {"NPROCS", 5, flRight, jsonNumber, "number of processes in the namespace"},
	ColPID:       {"PID", 5, flRight, jsonNumber, "lowest PID in the namespace"},
	ColPPID:      {"PPID", 5, flRight, jsonNumber, "PPID of the PID"},
	ColCommand:   {"COMMAND", 0, flTrunc, jsonString, "command line of the PID"},
	ColUID:       {"UID", 0, flRight, jsonNumber, "UID of the PID"},
	ColUser:      {"USER", 0, 0, jsonString, "username of the PID"},
	ColNetNSID:   {"NETNSID", 0, flRight, jsonString, "namespace ID as used by network subsystem"},
	ColNSFS:      {"NSFS", 0, flWrapNL, jsonString, "nsfs mountpoint (usually used network subsystem)"},
	ColPNS:       {"PNS", 10, flRight, jsonNumber, "parent namespace identifier (inode number)"},
	ColONS:       {"ONS", 10, flRight, jsonNumber, "owner namespace identifier (inode number)"},
	ColFound:     {"FOUND", 0, flWrapNL, jsonArray, "how nsview found it: process, fd PID/N, bind PATH, hierarchy"},
	ColContainer: {"CONTAINER", 0, 0, jsonString, "container or unit of the PID, from its cgroup"},
	ColKernelID:  {"KERNELID", 0, flRight, jsonNumber, "64-bit namespace id from NS_GET_ID (never reused)"},
}

// Name returns the column's header.
func (c Column) Name() string { return infos[c].name }

// Help returns the column's one-line description.
func (c Column) Help() string { return infos[c].help }

// AllColumns lists every column, lsns's first.
func AllColumns() []Column {
	cols := make([]Column, numColumns)
	for i := range cols {
		cols[i] = Column(i)
	}
	return cols
}

// ErrUnknownColumn is wrapped by ParseColumns.
var ErrUnknownColumn = errors.New("unknown column")

// ParseColumns applies an -o LIST to cols: LIST replaces them, "+LIST"
// appends to them. Names are matched without regard to case.
func ParseColumns(list string, cols []Column) ([]Column, error) {
	add := strings.HasPrefix(list, "+")
	if add {
		list = list[1:]
	} else {
		cols = nil
	}
	if list == "" {
		return nil, fmt.Errorf("%w: empty list", ErrUnknownColumn)
	}
	out := slices.Clone(cols)
	for _, name := range strings.Split(list, ",") {
		c, ok := columnByName(name)
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrUnknownColumn, name)
		}
		out = append(out, c)
	}
	return out, nil
}

func columnByName(name string) (Column, bool) {
	for i := range infos {
		if strings.EqualFold(infos[i].name, name) {
			return Column(i), true
		}
	}
	return 0, false
}

// Tree is the kind of tree lsns draws.
type Tree uint8

// The tree kinds (-T).
const (
	TreeNone    Tree = iota
	TreeProcess      // by process parentage (the default)
	TreeOwner        // by owning user namespace
	TreeParent       // by parent PID or user namespace
)

// ParseTree parses a -T argument.
func ParseTree(s string) (Tree, error) {
	switch strings.TrimPrefix(s, "=") {
	case "", "owner":
		return TreeOwner, nil
	case "parent":
		return TreeParent, nil
	case "process":
		return TreeProcess, nil
	}
	return 0, fmt.Errorf("unknown tree type: %s (want parent, owner or process)", s)
}

// Options are `nsview ns`'s flags, named as lsns names them.
type Options struct {
	// Output is the -o LIST arguments in order ("+LIST" appends).
	Output []string
	// OutputAll is --output-all: lsns's thirteen columns.
	OutputAll bool
	Format    Format
	// Tree is -T; TreeNone leaves the default (a process tree, unless
	// List or --output-all).
	Tree Tree
	// List is -l.
	List       bool
	NoHeadings bool
	NoTrunc    bool
	NoWrap     bool
	// Types is -t (repeatable); empty for all.
	Types []nsinfo.Type
	// PID is -p: only the namespaces of this process.
	PID int
	// NS, when set, lists the processes of this namespace (the
	// positional argument).
	NS uint64
	// ProcessesOnly leaves out the namespaces no process is in, as lsns
	// 2.38 does.
	ProcessesOnly bool

	// The terminal: IsTerm enables fitting to TermWidth; UTF8 chooses
	// box-drawing tree art.
	IsTerm    bool
	TermWidth int
	UTF8      bool
}

// ErrNotFound is wrapped when the namespace argument names no namespace.
var ErrNotFound = errors.New("not found namespace")

// Render prints the snapshot's namespaces as lsns would.
func Render(w io.Writer, s *tree.Snapshot, o Options) error {
	r, err := newRenderer(s, o)
	if err != nil {
		return err
	}
	r.build()
	return r.t.print(w)
}

type renderer struct {
	s    *tree.Snapshot
	o    Options
	cols []Column
	tree Tree
	t    *table
	// types allowed by -t.
	types [nsinfo.NumTypes]bool
	// list is the namespaces shown, by inode.
	list []*tree.Namespace
	// avail finds related namespaces (parents, owners) by identity.
	avail map[nsinfo.ID]*tree.Namespace
	// outline is the last line shown for each process (process tree);
	// nsLine the line of each namespace (owner/parent trees).
	outline map[int]*line
	nsLine  map[nsinfo.ID]*line
	// callerMnt is the mount namespace whose bind mounts NSFS shows.
	callerMnt uint64
}

func newRenderer(s *tree.Snapshot, o Options) (*renderer, error) {
	r := &renderer{s: s, o: o, tree: o.Tree, outline: map[int]*line{}, nsLine: map[nsinfo.ID]*line{}}
	if o.List && o.Tree != TreeNone {
		return nil, errors.New("options --list and --tree are mutually exclusive")
	}
	isNet := false
	for _, t := range o.Types {
		if i := t.Index(); i >= 0 {
			r.types[i] = true
		}
		if t == nsinfo.Net {
			isNet = true
		}
	}
	if len(o.Types) == 0 {
		for i := range r.types {
			r.types[i] = true
		}
	}
	var cols []Column
	if o.OutputAll {
		cols = AllColumns()[:NumLsnsColumns]
	}
	if o.NS != 0 {
		if r.tree == TreeNone && !o.List {
			r.tree = TreeProcess
		}
		if len(cols) == 0 {
			cols = []Column{ColPID, ColPPID, ColUser, ColCommand}
		}
	}
	if len(cols) == 0 {
		cols = []Column{ColNS, ColType, ColNProcs, ColPID, ColUser}
		if isNet {
			cols = append(cols, ColNetNSID, ColNSFS)
		}
		cols = append(cols, ColCommand)
		if r.tree == TreeNone && !o.List {
			r.tree = TreeProcess
		}
	}
	for _, list := range o.Output {
		var err error
		if cols, err = ParseColumns(list, cols); err != nil {
			return nil, err
		}
	}
	r.cols = cols
	r.t = &table{name: "namespaces", format: o.Format, noHeadings: o.NoHeadings, isTerm: o.IsTerm,
		termWidth: o.TermWidth, utf8: o.UTF8, noWrap: o.NoWrap || o.Format == Raw,
		// Raw rows keep the tree's order but not its art, which lsns
		// 2.38 leaks into raw fields.
		noTreeArt: o.Format == Raw}
	if r.t.termWidth <= 0 {
		r.t.termWidth = 80
	}
	for _, c := range cols {
		in := infos[c]
		flags := in.flags
		if o.NoTrunc {
			flags &^= flTrunc
		}
		if r.tree == TreeProcess && c == ColCommand {
			flags |= flTree
		}
		if r.t.noWrap {
			flags &^= flWrapNL
		}
		if (r.tree == TreeOwner || r.tree == TreeParent) && c == ColNS {
			flags |= flTree
			flags &^= flRight
		}
		r.t.cols = append(r.t.cols, &column{name: in.name, hint: in.hint, flags: flags, json: in.json})
	}

	if p, ok := s.Proc(s.Caller.ProcSelf); ok {
		r.callerMnt = p.NS[nsinfo.Mount.Index()]
	}
	r.avail = make(map[nsinfo.ID]*tree.Namespace)
	for i := range s.Namespaces {
		n := &s.Namespaces[i]
		if !r.types[n.Type.Index()] && !(r.tree == TreeOwner && n.Type == nsinfo.User) {
			continue
		}
		if o.ProcessesOnly && n.NProcs == 0 {
			continue
		}
		r.avail[n.ID()] = n
		if r.types[n.Type.Index()] {
			r.list = append(r.list, n)
		}
	}
	slices.SortStableFunc(r.list, func(a, b *tree.Namespace) int {
		switch {
		case a.Ino < b.Ino:
			return -1
		case a.Ino > b.Ino:
			return 1
		}
		return 0
	})
	return r, nil
}

func (r *renderer) build() {
	if r.o.NS != 0 {
		r.buildProcesses()
		return
	}
	for _, n := range r.list {
		if r.o.PID != 0 && !r.hasProcess(n, r.o.PID) {
			continue
		}
		if _, shown := r.nsLine[n.ID()]; !shown {
			r.showNamespace(n)
		}
	}
}

func (r *renderer) hasProcess(n *tree.Namespace, pid int) bool {
	p, ok := r.s.Proc(pid)
	return ok && p.NS[n.Type.Index()] == n.Ino
}

func (r *renderer) parentOf(n *tree.Namespace) *tree.Namespace {
	if !n.Type.Hierarchical() || n.Parent == 0 || n.Parent == n.Ino {
		return nil
	}
	return r.avail[nsinfo.ID{Type: n.Type, Ino: n.Parent}]
}

func (r *renderer) ownerOf(n *tree.Namespace) *tree.Namespace {
	if n.Owner == 0 || n.Owner == n.Ino {
		return nil
	}
	return r.avail[nsinfo.ID{Type: nsinfo.User, Ino: n.Owner}]
}

// showNamespace adds n's line, after the lines of the relatives it hangs
// from in an owner or parent tree (lsns shows those first).
func (r *renderer) showNamespace(n *tree.Namespace) {
	chain := []*tree.Namespace{n}
	inChain := map[nsinfo.ID]bool{n.ID(): true}
	for cur := n; ; {
		var next *tree.Namespace
		switch r.tree {
		case TreeOwner:
			next = r.ownerOf(cur)
		case TreeParent:
			if p := r.parentOf(cur); p != nil {
				next = p
			} else if r.types[nsinfo.User.Index()] {
				// lsns shows the owner first (not as a parent).
				next = r.ownerOf(cur)
			}
		}
		if next == nil || inChain[next.ID()] {
			break
		}
		if _, shown := r.nsLine[next.ID()]; shown {
			break
		}
		inChain[next.ID()] = true
		chain = append(chain, next)
		cur = next
	}
	for i := len(chain) - 1; i >= 0; i-- {
		m := chain[i]
		var p *tree.Process
		if m.PID > 0 {
			p, _ = r.s.Proc(m.PID)
		}
		r.addLine(m, p)
	}
}

// buildProcesses lists the processes of the namespace named by NS.
func (r *renderer) buildProcesses() {
	var ns *tree.Namespace
	for _, n := range r.list {
		if n.Ino == r.o.NS {
			ns = n
			break
		}
	}
	if ns == nil {
		return
	}
	ti := ns.Type.Index()
	for i := range r.s.Processes {
		p := &r.s.Processes[i]
		if p.NS[ti] != ns.Ino {
			continue
		}
		if _, shown := r.outline[p.PID]; shown {
			continue
		}
		// Show the ancestors in the same namespace first.
		chain := []*tree.Process{p}
		for cur := p; r.tree == TreeProcess && len(chain) <= len(r.s.Processes); {
			pp := r.parentProc(cur)
			if pp == nil || pp.NS[ti] != ns.Ino {
				break
			}
			if _, shown := r.outline[pp.PID]; shown {
				break
			}
			chain = append(chain, pp)
			cur = pp
		}
		for j := len(chain) - 1; j >= 0; j-- {
			r.addLine(ns, chain[j])
		}
	}
}

// HasNamespace reports whether the NS argument names a namespace that the
// options let through, so callers can report "not found" as lsns does.
func HasNamespace(s *tree.Snapshot, o Options) bool {
	r, err := newRenderer(s, o)
	if err != nil {
		return false
	}
	for _, n := range r.list {
		if n.Ino == o.NS {
			return true
		}
	}
	return false
}

func (r *renderer) parentProc(p *tree.Process) *tree.Process {
	if p.PPID == 0 || p.PPID == p.PID {
		return nil
	}
	pp, ok := r.s.Proc(p.PPID)
	if !ok {
		return nil
	}
	return pp
}

func (r *renderer) addLine(n *tree.Namespace, p *tree.Process) {
	var parent *line
	switch {
	case r.tree == TreeProcess && p != nil:
		if pp := r.parentProc(p); pp != nil {
			parent = r.outline[pp.PID]
		}
	case r.tree == TreeParent:
		if rel := r.parentOf(n); rel != nil {
			parent = r.nsLine[rel.ID()]
		}
	case r.tree == TreeOwner:
		if rel := r.ownerOf(n); rel != nil {
			parent = r.nsLine[rel.ID()]
		}
	}
	l := r.t.newLine(parent)
	for i, c := range r.cols {
		l.cells[i] = r.cell(c, n, p)
	}
	if r.tree == TreeOwner || r.tree == TreeParent || r.o.NS == 0 {
		r.nsLine[n.ID()] = l
	}
	if p != nil {
		r.outline[p.PID] = l
	}
}

// maxCommand is how much of a command line lsns shows (it reads BUFSIZ
// bytes and drops the last).
const maxCommand = 8191

func (r *renderer) cell(c Column, n *tree.Namespace, p *tree.Process) string {
	switch c {
	case ColNS:
		return strconv.FormatUint(n.Ino, 10)
	case ColType:
		return n.Type.String()
	case ColPath:
		return r.path(n, p)
	case ColNProcs:
		return strconv.Itoa(n.NProcs)
	case ColPID:
		if p != nil {
			return strconv.Itoa(p.PID)
		}
	case ColPPID:
		if p != nil {
			return strconv.Itoa(p.PPID)
		}
	case ColCommand:
		if p != nil {
			return Command(p)
		}
	case ColUID:
		if uid, ok := r.uid(n, p); ok {
			return strconv.FormatUint(uint64(uid), 10)
		}
	case ColUser:
		if uid, ok := r.uid(n, p); ok {
			return r.userName(uid)
		}
	case ColNetNSID:
		if n.Type == nsinfo.Net && n.NetNSID != nil {
			if *n.NetNSID < 0 {
				return "unassigned"
			}
			return strconv.Itoa(*n.NetNSID)
		}
	case ColNSFS:
		return r.nsfs(n)
	case ColPNS:
		return strconv.FormatUint(n.Parent, 10)
	case ColONS:
		return strconv.FormatUint(n.Owner, 10)
	case ColFound:
		return strings.Join(n.Found, "\n")
	case ColContainer:
		if p != nil {
			return container.OfProcess(p).String()
		}
	case ColKernelID:
		if n.KernelID != 0 {
			return strconv.FormatUint(n.KernelID, 10)
		}
	}
	return ""
}

// Command is what lsns shows as a process's command: its arguments joined
// by spaces, or its name when it has none (kernel threads).
func Command(p *tree.Process) string {
	if len(p.Cmdline) == 0 {
		return p.Comm
	}
	s := strings.Join(p.Cmdline, " ")
	if len(s) > maxCommand {
		s = s[:maxCommand]
	}
	return s
}

func (r *renderer) path(n *tree.Namespace, p *tree.Process) string {
	proc := r.s.ProcPath
	if proc == "" {
		proc = "/proc"
	}
	if p != nil {
		return proc + "/" + strconv.Itoa(p.PID) + "/ns/" + n.Type.String()
	}
	// No process is in it: name what holds it.
	for _, m := range n.Mounts {
		if m.MntNS == r.callerMnt {
			return m.Path
		}
	}
	for _, f := range n.Found {
		if rest, ok := strings.CutPrefix(f, "fd "); ok {
			pid, fd, _ := strings.Cut(rest, "/")
			return proc + "/" + pid + "/fd/" + fd
		}
	}
	return ""
}

// uid is the process's UID or, for a namespace no process is in, the UID
// of the user that created it (for a user namespace) or its owning user
// namespace. lsns 2.38 shows 0 for the latter.
func (r *renderer) uid(n *tree.Namespace, p *tree.Process) (uint32, bool) {
	if p != nil {
		return p.UID, true
	}
	u := n.OwnerUID
	if n.Type != nsinfo.User {
		u = -1
		if o, ok := r.s.Namespace(nsinfo.ID{Type: nsinfo.User, Ino: n.Owner}); ok && n.Owner != 0 {
			u = o.OwnerUID
		}
	}
	if u < 0 || u >= 1<<32 {
		return 0, false
	}
	return uint32(u), true
}

func (r *renderer) userName(uid uint32) string {
	if name, ok := r.s.Users[uid]; ok {
		return name
	}
	return strconv.FormatUint(uint64(uid), 10)
}

// nsfs lists the bind mounts of n in the caller's mount namespace (as lsns
// reads /proc/self/mountinfo), each once.
func (r *renderer) nsfs(n *tree.Namespace) string {
	sep := "\n"
	if r.t.noWrap {
		sep = ","
	}
	var out []string
	for _, m := range n.Mounts {
		if m.MntNS != r.callerMnt || slices.Contains(out, m.Path) {
			continue
		}
		out = append(out, m.Path)
	}
	return strings.Join(out, sep)
}
