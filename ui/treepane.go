package ui

import (
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/tree"
)

// treePane is a process tree in one PID namespace's numbering, with folds,
// a cursor and a scroll position. The left pane is the host's view, the
// right one a namespace's from inside; both are this component.
//
// Everything per process is computed when the view, the folds or the
// filter change (flatten); View draws only the rows on screen.
type treePane struct {
	width, height int // the whole pane, title line included
	title         string
	// msg replaces the rows when there is nothing to show, and says why.
	msg string

	view *tree.View
	tr   *tree.Tree
	// Per entry of view:
	key      []procKey
	own      []uint64 // own PID namespace, 0 unknown
	boundary []bool   // starts a PID namespace below its parent's
	entryOf  map[procKey]int32

	// The displayed forest, per entry (-1 where hidden) and per row.
	rows    []int32
	rowOf   []int32
	dparent []int32
	ddepth  []int32
	last    []bool
	kids    []int32 // displayed children, folded or not
	hidden  []int32 // for a folded entry, how many rows it hides

	folded map[procKey]bool
	keep   []bool // nil: every entry

	cursor, offset int
}

func newTreePane() *treePane { return &treePane{folded: map[procKey]bool{}} }

// SetSize sets the pane's size in cells, title line included.
func (p *treePane) SetSize(width, height int) {
	p.width, p.height = max(0, width), max(0, height)
	p.clampOffset()
}

// body is the number of rows on screen.
func (p *treePane) body() int { return max(0, p.height-1) }

// setView shows v (nil for none, with msg saying why) and computes what
// never changes for it: identities, namespaces and boundaries.
func (p *treePane) setView(v *tree.View, w *world, msg string) {
	p.view, p.msg = v, msg
	if v == nil {
		p.tr = nil
		p.rows = p.rows[:0]
		p.cursor, p.offset = 0, 0
		return
	}
	p.tr = w.tree(v)
	n := len(v.Entries)
	p.key = resize(p.key, n)
	p.own = resize(p.own, n)
	p.boundary = resize(p.boundary, n)
	p.entryOf = make(map[procKey]int32, n)
	for i := range v.Entries {
		pr := v.Entries[i].Proc
		p.key[i] = keyOf(pr)
		p.own[i] = w.pidNS[pr.PID]
		p.entryOf[p.key[i]] = int32(i)
	}
	// A process starts a namespace where its own differs from the
	// nearest known one above it (the view's for a root).
	eff := make([]uint64, n)
	for i := range p.boundary {
		p.boundary[i] = false
	}
	p.tr.Walk(func(vis tree.Visit, _ []bool) bool {
		i := vis.Node
		above := v.NS.Ino
		if par := p.tr.Parent[i]; par >= 0 {
			above = eff[par]
		}
		eff[i] = above
		if own := p.own[i]; own != 0 {
			eff[i] = own
			p.boundary[i] = above != 0 && own != above
		}
		return true
	})
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// flatten lays out the displayed rows: the kept entries (all when keep is
// nil), children under unfolded parents, each kept entry whose parent is
// not kept as a root.
func (p *treePane) flatten(keep []bool) {
	p.keep = keep
	p.rows = p.rows[:0]
	if p.view == nil {
		return
	}
	n := len(p.view.Entries)
	p.rowOf = resize(p.rowOf, n)
	p.dparent = resize(p.dparent, n)
	p.ddepth = resize(p.ddepth, n)
	p.last = resize(p.last, n)
	p.kids = resize(p.kids, n)
	p.hidden = resize(p.hidden, n)
	kept := func(i int) bool { return keep == nil || keep[i] }
	for i := range n {
		p.rowOf[i], p.dparent[i], p.ddepth[i] = -1, -1, 0
		p.last[i], p.kids[i], p.hidden[i] = false, 0, 0
	}
	var roots []int32
	for i := range n {
		if !kept(i) {
			continue
		}
		if par := p.tr.Parent[i]; par < 0 || !kept(par) {
			roots = append(roots, int32(i))
		} else {
			p.dparent[i] = int32(par)
			p.kids[par]++
		}
	}
	if len(roots) > 0 {
		p.last[roots[len(roots)-1]] = true
	}
	stack := make([]int32, 0, 64)
	for i := len(roots) - 1; i >= 0; i-- {
		stack = append(stack, roots[i])
	}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p.rowOf[e] = int32(len(p.rows))
		p.rows = append(p.rows, e)
		if p.kids[e] == 0 {
			continue
		}
		if p.folded[p.key[e]] {
			p.hidden[e] = p.countBelow(e, kept)
			continue
		}
		children := p.tr.Children[e]
		lastKept := -1
		for _, c := range children {
			if kept(c) {
				lastKept = c
			}
		}
		p.last[lastKept] = true
		for j := len(children) - 1; j >= 0; j-- {
			if c := children[j]; kept(c) {
				p.ddepth[c] = p.ddepth[e] + 1
				stack = append(stack, int32(c))
			}
		}
	}
	p.cursor = min(p.cursor, max(0, len(p.rows)-1))
	p.clampOffset()
}

// countBelow counts the kept entries below e.
func (p *treePane) countBelow(e int32, kept func(int) bool) int32 {
	var n int32
	stack := []int{int(e)}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range p.tr.Children[i] {
			if kept(c) {
				n++
				stack = append(stack, c)
			}
		}
	}
	return n
}

// entryAt returns the entry on a row, -1 for none.
func (p *treePane) entryAt(row int) int {
	if row < 0 || row >= len(p.rows) {
		return -1
	}
	return int(p.rows[row])
}

// current returns the entry under the cursor, -1 for none.
func (p *treePane) current() int { return p.entryAt(p.cursor) }

// currentKey returns the identity of the process under the cursor.
func (p *treePane) currentKey() (procKey, bool) {
	e := p.current()
	if e < 0 {
		return procKey{}, false
	}
	return p.key[e], true
}

// has reports whether the process is in the view.
func (p *treePane) has(k procKey) bool {
	if p.view == nil {
		return false
	}
	_, ok := p.entryOf[k]
	return ok
}

// rowFor returns the row showing the process, or where it is hidden (by
// a fold or the filter) the row of its nearest shown ancestor; -1 when it
// is not in the view at all.
func (p *treePane) rowFor(k procKey) int {
	if p.view == nil || len(p.rows) == 0 {
		return -1
	}
	e, ok := p.entryOf[k]
	if !ok {
		return -1
	}
	for i := int(e); i >= 0; i = p.tr.Parent[i] {
		if r := p.rowOf[i]; r >= 0 {
			return int(r)
		}
	}
	return -1
}

// moveTo puts the cursor on a row, scrolling as little as needed.
func (p *treePane) moveTo(row int) {
	if len(p.rows) == 0 {
		p.cursor, p.offset = 0, 0
		return
	}
	p.cursor = min(max(row, 0), len(p.rows)-1)
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if b := p.body(); b > 0 && p.cursor >= p.offset+b {
		p.offset = p.cursor - b + 1
	}
	p.clampOffset()
}

// reveal puts the cursor on row; a row off screen is brought to a third of
// the way down, with its ancestors above and its children below.
func (p *treePane) reveal(row int) {
	if b := p.body(); row < p.offset || row >= p.offset+b {
		p.offset = row - b/3
		p.clampOffset()
	}
	p.moveTo(row)
}

// keepScreenRow puts the cursor on row while keeping it on the same
// screen line as before (a refresh must not make the list jump).
func (p *treePane) keepScreenRow(row, screen int) {
	p.cursor = min(max(row, 0), max(0, len(p.rows)-1))
	p.offset = p.cursor - screen
	p.clampOffset()
	p.moveTo(p.cursor)
}

// scroll moves the view by n rows and keeps the cursor on screen.
func (p *treePane) scroll(n int) {
	p.offset += n
	p.clampOffset()
	if b := p.body(); b > 0 {
		p.cursor = min(max(p.cursor, p.offset), p.offset+b-1)
		p.cursor = min(p.cursor, max(0, len(p.rows)-1))
	}
}

func (p *treePane) clampOffset() {
	b := p.body()
	p.offset = min(p.offset, max(0, len(p.rows)-b))
	p.offset = max(p.offset, 0)
}

// expandable reports whether the entry has displayed children.
func (p *treePane) expandable(e int) bool { return e >= 0 && p.kids[e] > 0 }

// paneCtx is what a pane needs from the model to draw its rows.
type paneCtx struct {
	st       *Styles
	colors   map[uint64]int
	hostNS   uint64
	born     map[procKey]time.Time
	gone     map[procKey]bool
	matches  map[int]bool // by host PID
	now      time.Time
	showPIDs bool
	focused  bool
}

// View draws the pane: its title and the rows on screen.
func (p *treePane) View(c *paneCtx) string {
	var b strings.Builder
	title := c.st.Title
	if c.focused {
		title = c.st.TitleFocused
	}
	b.WriteString(title.Render(fit(focusMark(p.title, c.focused), p.width)))
	var l line
	for i := range p.body() {
		b.WriteByte('\n')
		row := p.offset + i
		if p.view == nil || row >= len(p.rows) {
			if p.view == nil && i == 1 && p.msg != "" {
				b.WriteString(c.st.Note.Render(fit(" "+p.msg, p.width)))
				continue
			}
			b.WriteString(strings.Repeat(" ", p.width))
			continue
		}
		l.reset()
		p.rowLine(&l, p.entryAt(row), c)
		var over *lipgloss.Style
		if row == p.cursor {
			over = &c.st.SelectedBlur
			if c.focused {
				over = &c.st.Selected
			}
		}
		b.WriteString(l.render(p.width, over))
	}
	return b.String()
}

// rowLine builds one process's row: tree guides, a fold marker, the name
// in its namespace's color, the PID (and the innermost PID when deeper),
// and, where it starts a PID namespace, that namespace.
func (p *treePane) rowLine(l *line, e int, c *paneCtx) {
	st := c.st
	p.guides(l, e, c.st.Guide)
	en := &p.view.Entries[e]
	k := p.key[e]
	if p.hidden[e] > 0 {
		l.add("▸", st.Folded)
	}
	if p.boundary[e] {
		l.add("◆", st.nsStyle(c.slot(p.own[e])).Bold(true))
	}
	name := st.nsStyle(c.slot(p.nsColorOf(e)))
	switch {
	case c.gone[k]:
		name = st.Gone
	case !c.born[k].IsZero() && c.now.Before(c.born[k]):
		name = st.New
	}
	if c.matches[en.Proc.PID] {
		name = name.Inherit(st.Match)
	}
	l.add(escape.Text(en.Proc.Comm), name)
	if c.showPIDs {
		l.add(" ", st.Name)
		l.add(strconv.Itoa(en.PID), st.PID)
		if n := len(en.NSpid); n > 1 {
			l.add(" → ", st.Arrow)
			l.add(strconv.Itoa(en.NSpid[n-1]), st.Inner)
		}
	}
	if p.hidden[e] > 0 {
		l.add(" +"+strconv.Itoa(int(p.hidden[e])), st.Folded)
	}
	if p.boundary[e] {
		l.add(" pid:["+strconv.FormatUint(p.own[e], 10)+"]", st.nsStyle(c.slot(p.own[e])).Bold(true))
	}
}

// nsColorOf is the namespace whose color a row takes: its own, or where
// unknown the nearest known one above it.
func (p *treePane) nsColorOf(e int) uint64 {
	for i := e; i >= 0; i = p.tr.Parent[i] {
		if p.own[i] != 0 {
			return p.own[i]
		}
	}
	return p.view.NS.Ino
}

// slot returns a namespace's palette slot, -1 (default color) for the
// host's and unknown ones.
func (c *paneCtx) slot(ns uint64) int {
	if ns == 0 || ns == c.hostNS {
		return -1
	}
	if s, ok := c.colors[ns]; ok {
		return s
	}
	return -1
}

// guides draws the tree lines left of a row. A row deeper than half the
// pane's width shows its depth as a number instead of that many guides.
func (p *treePane) guides(l *line, e int, guideStyle lipgloss.Style) {
	d := int(p.ddepth[e])
	if d == 0 {
		return
	}
	maxLevels := max(1, (p.width/2-2)/2)
	conn := "├─"
	if p.last[e] {
		conn = "└─"
	}
	if d > maxLevels {
		l.add("…"+strconv.Itoa(d)+" ", guideStyle)
		l.add(conn, guideStyle)
		return
	}
	// The columns above this row, from its parent up: a line where an
	// ancestor has siblings below it.
	var cols [64]string
	parts := cols[:0]
	for a, i := p.dparent[e], 0; a >= 0 && i < d-1; a, i = p.dparent[a], i+1 {
		if p.last[a] {
			parts = append(parts, "  ")
		} else {
			parts = append(parts, "│ ")
		}
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	b.WriteString(conn)
	l.add(b.String(), guideStyle)
}

// focusMark marks the focused pane's title (its first cell is a space),
// visible without color too.
func focusMark(title string, focused bool) string {
	if focused && strings.HasPrefix(title, " ") {
		return "▶" + title[1:]
	}
	return title
}
