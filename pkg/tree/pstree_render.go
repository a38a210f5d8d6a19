package tree

import (
	"bufio"
	"fmt"
	"strconv"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// pstreeRenderer is pstree's dump_tree with an explicit stack. It keeps
// pstree's column arithmetic exactly (cur_x, the per-level width and more
// arrays, the count of UTF-8 lead bytes), because the cut at the output
// width and the '+' that marks it depend on it.
type pstreeRenderer struct {
	m *pstreeModel
	o *PstreeOptions
	w *bufio.Writer

	curX    int
	charlen int
	trunc   bool
	width   int

	widths []int  // pstree's width[level]
	more   []bool // pstree's more[level]
	// cum[k] is the number of columns the prefix of levels 0..k-1 takes
	// (each level: width+1 spaces and a two-column symbol), so a prefix
	// beyond the cut is skipped in O(1) instead of written column by
	// column: an args-mode chain 100,000 deep stays linear.
	cum []int

	symCols   struct{ empty, branch, vert, last int }
	nsNames   [nsinfo.NumTypes]string
	userCache map[uint32]string
	scratch   []byte
}

func newPstreeRenderer(m *pstreeModel, w *bufio.Writer) *pstreeRenderer {
	r := &pstreeRenderer{m: m, o: &m.o, w: w, curX: 1, trunc: !m.o.Long, width: m.o.Width}
	s := &m.o.Symbols
	r.symCols.empty = leadBytes(s.Empty2)
	r.symCols.branch = leadBytes(s.Branch2)
	r.symCols.vert = leadBytes(s.Vert2)
	r.symCols.last = leadBytes(s.Last2)
	for i, t := range nsinfo.Types {
		r.nsNames[i] = t.String()
	}
	return r
}

// leadBytes counts the characters of s as pstree's out_char counts them.
func leadBytes(s string) int {
	n, charlen := 0, 0
	for i := 0; i < len(s); i++ {
		if charlen == 0 {
			charlen = utf8Len(s[i])
			n++
		}
		charlen--
	}
	return n
}

func utf8Len(c byte) int {
	switch {
	case c&0x80 == 0:
		return 1
	case c&0xe0 == 0xc0:
		return 2
	case c&0xf0 == 0xe0:
		return 3
	case c&0xf8 == 0xf0:
		return 4
	}
	return 1
}

func (r *pstreeRenderer) outChar(c byte) {
	if r.charlen == 0 {
		r.charlen = utf8Len(c)
		r.curX++ // pstree counts the first byte of a character only
	}
	r.charlen--
	if !r.trunc || r.curX <= r.width {
		r.w.WriteByte(c)
	} else if r.curX == r.width+1 {
		r.w.WriteByte('+')
	}
}

func (r *pstreeRenderer) outString(s string) {
	for i := 0; i < len(s); i++ {
		r.outChar(s[i])
	}
}

// outInt is pstree's out_int: note that 0 prints nothing (and counts 1).
func (r *pstreeRenderer) outInt(x int) int {
	if x <= 0 {
		return 1
	}
	r.scratch = strconv.AppendInt(r.scratch[:0], int64(x), 10)
	for _, c := range r.scratch {
		r.outChar(c)
	}
	return len(r.scratch)
}

// outArgs is pstree's out_args: printable ASCII as is, a backslash doubled,
// every other byte as \ooo. It returns the columns written.
func (r *pstreeRenderer) outArgs(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			r.outChar('\\')
			r.outChar('\\')
			n += 2
		case c >= ' ' && c <= '~':
			r.outChar(c)
			n++
		default:
			r.outChar('\\')
			r.outChar('0' + c>>6)
			r.outChar('0' + c>>3&7)
			r.outChar('0' + c&7)
			n += 4
		}
	}
	return n
}

func (r *pstreeRenderer) newline() {
	r.w.WriteByte('\n')
	r.curX = 1
}

func (r *pstreeRenderer) grow(level int) {
	for len(r.widths) <= level {
		r.widths = append(r.widths, 0)
		r.more = append(r.more, false)
		r.cum = append(r.cum, 0)
	}
}

func (r *pstreeRenderer) run() error {
	m := r.m
	o := r.o
	switch {
	case o.NSSort != 0:
		for _, g := range m.nsRoots {
			// pstree writes the header with out_string, newline
			// included, so the first line below it starts at column 14.
			h := "[" + strconv.FormatUint(g.ino, 10) + "]\n"
			if len(h) > 13 {
				h = h[:13] // snprintf into char[14]
			}
			r.outString(h)
			for _, root := range g.roots {
				r.dump(root, 0)
			}
		}
	case o.User != nil:
		uid := *o.User
		dumped := false
		stack := []int32{m.root}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if m.nodes[x].uid == uid {
				if dumped {
					r.w.WriteByte('\n')
				}
				r.dump(x, uid)
				dumped = true
				continue
			}
			kids := m.nodes[x].kids
			for k := len(kids) - 1; k >= 0; k-- {
				stack = append(stack, kids[k])
			}
		}
		if !dumped {
			return ErrNoUserProcesses
		}
	default:
		start := m.root
		if o.HasRoot && !o.ShowParents {
			j, ok := m.byPID[o.Root]
			if !ok {
				return fmt.Errorf("process %d: %w", o.Root, ErrNoProcess)
			}
			start = j
		}
		r.dump(start, 0)
	}
	return nil
}

// frame is one dump_tree call whose children are being printed.
type frame struct {
	node    int32
	level   int
	closing int
	args    bool
	reps    []int32 // the children printed, after compaction
	counts  []int32 // how many equal siblings each one stands for
	next    int
}

// dump prints one tree as dump_tree(current, 0, 1, 1, 1, prevUID, 0).
func (r *pstreeRenderer) dump(root int32, prevUID uint32) {
	var stack []frame
	if f, ok := r.enter(root, 0, 1, true, true, prevUID, 0); ok {
		stack = append(stack, f)
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next >= len(f.reps) {
			stack = stack[:len(stack)-1]
			continue
		}
		i := f.next
		f.next++
		kid := f.reps[i]
		count := int(f.counts[i])
		last := i == len(f.reps)-1
		uid := r.m.nodes[f.node].uid
		var nf frame
		var ok bool
		if f.args {
			if r.m.compact && r.m.nodes[kid].thread {
				// After its closing loop pstree's closing is -1, so
				// this passes 1 for a compacted thread, 0 otherwise.
				c := f.closing + 1
				if count > 0 {
					c++
				}
				nf, ok = r.enter(kid, f.level+1, count+1, false, last, uid, c)
			} else {
				nf, ok = r.enter(kid, f.level+1, 1, false, last, uid, 0)
			}
		} else {
			if i == 0 {
				if len(f.reps) > 1 {
					r.outString(r.o.Symbols.First3)
				} else {
					r.outString(r.o.Symbols.Single3)
				}
			}
			c := f.closing
			if count > 0 {
				c++
			}
			nf, ok = r.enter(kid, f.level+1, count+1, i == 0, last, uid, c)
		}
		if ok {
			stack = append(stack, nf)
		}
	}
}

// enter prints a node's line (or its part of the line) as dump_tree does
// before it loops over the children, and returns the frame for the loop.
func (r *pstreeRenderer) enter(x int32, level, rep int, leaf, last bool, prevUID uint32, closing int) (frame, bool) {
	m := r.m
	o := r.o
	n := &m.nodes[x]
	sym := &o.Symbols
	if !leaf {
		r.prefix(level, last)
	}
	add := 0
	if rep >= 2 {
		add = r.outInt(rep) + 2
		r.outString("*[")
	}
	if n.hilite && o.Bold != "" {
		r.w.WriteString(o.Bold)
	}
	swapped := o.Args
	info := 0
	if o.Args {
		info = 1
	}
	sep := func() {
		if info > 0 {
			r.outChar(',')
		} else {
			r.outChar('(')
		}
		info++
	}
	if swapped && n.argc < 0 {
		r.outChar('(')
	}
	commLen := r.outArgs(n.comm)
	offset := r.curX
	if o.PIDs || o.NSpid {
		sep()
		if o.NSpid {
			r.outChain(n)
		} else {
			r.outInt(n.pid)
		}
	}
	if o.PGIDs {
		sep()
		r.outInt(n.pgid)
	}
	if o.UIDChanges && prevUID != n.uid {
		sep()
		if name, ok := r.userName(n.uid); ok {
			r.outString(name)
		} else {
			r.outInt(int(n.uid))
		}
	}
	if o.NSChanges && n.parent >= 0 {
		for t := range nsinfo.NumTypes {
			a, b := m.nsOf(x, t), m.nsOf(n.parent, t)
			if a == 0 || b == 0 || a == b {
				continue
			}
			sep()
			r.outString(r.nsNames[t])
		}
		// pstree drops the markers it cannot compute without a word;
		// nsview says that it does not know ("?") when the links of the
		// process or of its parent could not be read (not root, or a
		// parent hidden by hidepid).
		if !n.thread && (m.nsUnknown(x) || m.nsUnknown(n.parent)) {
			sep()
			r.outChar('?')
		}
	}
	if (swapped && n.argc < 0) || (!swapped && info > 0) {
		r.outChar(')')
	}
	if n.hilite && o.Normal != "" {
		r.w.WriteString(o.Normal)
	}
	if o.Suffix != nil && !n.thread {
		if sfx := o.Suffix(n.pid); sfx != "" {
			r.outArgs(sfx)
		}
	}
	if o.Args {
		for i := 0; i < n.argc; i++ {
			if i < n.argc-1 {
				r.outChar(' ')
			}
			l := 0
			a := n.argv[i]
			for j := 0; j < len(a); j++ {
				if a[j] >= ' ' && a[j] <= '~' {
					l++
				} else {
					l += 4
				}
			}
			room := r.width
			if i != n.argc-1 {
				room -= 4
			}
			if r.curX+l <= room || !r.trunc {
				r.outArgs(a)
			} else {
				r.outString("...")
				break
			}
		}
	}
	if o.Args || len(n.kids) == 0 {
		for ; closing > 0; closing-- {
			r.outChar(']')
		}
		closing = -1 // what pstree's while (closing--) leaves
		r.newline()
	}
	r.grow(level)
	r.more[level] = !last
	if level > 0 {
		cols := r.symCols.empty
		if r.more[level] {
			cols = r.symCols.vert
		}
		r.cum[level] = r.cum[level-1] + r.widths[level-1] + 1 + cols
	}
	if o.Args {
		w := 1
		if commLen <= 1 {
			w = 0
		}
		r.widths[level] = w
		f := frame{node: x, level: level, closing: closing, args: true}
		f.reps, f.counts = r.group(n.kids, true)
		return f, len(f.reps) > 0
	}
	r.widths[level] = commLen + r.curX - offset + add
	if r.curX >= r.width && r.trunc {
		r.outString(sym.First3)
		r.outString("+")
		r.newline()
		return frame{}, false
	}
	f := frame{node: x, level: level, closing: closing}
	f.reps, f.counts = r.group(n.kids, false)
	return f, len(f.reps) > 0
}

// prefix draws the indentation of a line at the given level.
func (r *pstreeRenderer) prefix(level int, last bool) {
	sym := &r.o.Symbols
	for lvl := 0; lvl < level; lvl++ {
		if r.trunc && r.charlen == 0 && r.curX >= r.width+1 {
			// Nothing more of this line shows: count the rest.
			rest := r.cum[level-1] - r.cum[lvl] + r.widths[level-1] + 1
			if last {
				rest += r.symCols.last
			} else {
				rest += r.symCols.branch
			}
			r.curX += rest
			return
		}
		for i := r.widths[lvl] + 1; i > 0; i-- {
			r.outChar(' ')
		}
		switch {
		case lvl == level-1 && last:
			r.outString(sym.Last2)
		case lvl == level-1:
			r.outString(sym.Branch2)
		case r.more[lvl+1]:
			r.outString(sym.Vert2)
		default:
			r.outString(sym.Empty2)
		}
	}
}

// group returns the children pstree prints and how many equal later
// siblings each absorbs. Without -a every child absorbs the later siblings
// whose subtree equals its own; with -a only threads do (the rest print
// each on its own line).
func (r *pstreeRenderer) group(kids []int32, args bool) ([]int32, []int32) {
	counts := make([]int32, 0, len(kids))
	if !r.m.compact || len(kids) < 2 {
		return kids, counts[:len(kids)]
	}
	ids := r.m.ids
	nodes := r.m.nodes
	reps := make([]int32, 0, len(kids))
	absorbs := func(k int32) bool { return !args || nodes[k].thread }
	if len(kids) <= 16 {
		for _, k := range kids {
			absorbed := false
			for j, rp := range reps {
				if ids[rp] == ids[k] && absorbs(rp) {
					counts[j]++
					absorbed = true
					break
				}
			}
			if !absorbed {
				reps = append(reps, k)
				counts = append(counts, 0)
			}
		}
		return reps, counts
	}
	first := make(map[int32]int, len(kids))
	for _, k := range kids {
		if j, ok := first[ids[k]]; ok {
			counts[j]++
			continue
		}
		if absorbs(k) {
			first[ids[k]] = len(reps)
		}
		reps = append(reps, k)
		counts = append(counts, 0)
	}
	return reps, counts
}

// outChain prints --nspid's chain, outer to inner: 4150/4/2.
func (r *pstreeRenderer) outChain(n *pnode) {
	if len(n.nspid) == 0 {
		r.outInt(n.pid)
		if n.ns != nil {
			r.outString("/?")
		}
		return
	}
	for i, pid := range n.nspid {
		if i > 0 {
			r.outChar('/')
		}
		r.outInt(pid)
	}
}

func (r *pstreeRenderer) userName(uid uint32) (string, bool) {
	if r.o.UserName == nil {
		return "", false
	}
	if name, ok := r.userCache[uid]; ok {
		return name, name != ""
	}
	if r.userCache == nil {
		r.userCache = make(map[uint32]string)
	}
	name, ok := r.o.UserName(uid)
	if !ok {
		name = ""
	}
	r.userCache[uid] = name
	return name, ok && name != ""
}
