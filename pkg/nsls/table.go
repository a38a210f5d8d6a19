package nsls

import (
	"bufio"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/nsview/nsview/pkg/escape"
)

// This file is a small table printer that lays out columns the way
// util-linux's libsmartcols does for lsns: the same widths, alignment,
// truncation, tree art, multi-line cells, raw and JSON forms, so that
// `nsview ns` prints what lsns prints.

// Format is an output form.
type Format uint8

// The output forms.
const (
	Human Format = iota // aligned columns (the default)
	Raw                 // fields separated by one space, blanks escaped
	JSON                // {"namespaces": [...]}
)

type colFlags uint8

const (
	flRight  colFlags = 1 << iota // right-aligned
	flTrunc                       // may be truncated to fit the terminal
	flTree                        // carries the tree art
	flWrapNL                      // a multi-line cell, one line per '\n' chunk
	flHidden                      // dropped to fit the terminal (-W)
)

type jsonType uint8

const (
	jsonString jsonType = iota
	jsonNumber
	jsonArray // of strings, one per '\n'-separated chunk
)

// column is one column of a table and its computed layout.
type column struct {
	name  string
	hint  float64 // width hint: >= 1 absolute, < 1 a share of the terminal
	flags colFlags
	json  jsonType

	width, widthMin, widthMax, treeArt int
	pending                            string // rest of a multi-line cell
	hasPending                         bool
}

// line is one row; its cells are raw (unescaped) text, "" for none.
type line struct {
	cells  []string
	parent *line
	kids   []*line
}

// table is a set of columns and lines, printed in one of the formats.
type table struct {
	name       string // the JSON array's name
	cols       []*column
	lines      []*line // in insertion order
	format     Format
	noHeadings bool
	isTerm     bool
	termWidth  int
	utf8       bool
	// noWrap joins multi-line cells with ',' (lsns -W and -r).
	noWrap bool
	// noTreeArt leaves tree art out (raw output: lsns 2.38 leaks it into
	// raw fields).
	noTreeArt bool

	sym symbols
}

type symbols struct{ branch, vert, right string }

func (t *table) newLine(parent *line) *line {
	l := &line{cells: make([]string, len(t.cols)), parent: parent}
	if parent != nil {
		parent.kids = append(parent.kids, l)
	}
	t.lines = append(t.lines, l)
	return l
}

func (t *table) isTree() bool {
	for _, c := range t.cols {
		if c.flags&flTree != 0 {
			return true
		}
	}
	return false
}

// order returns the lines in print order: a pre-order walk of the tree
// (roots and children in insertion order), or insertion order for a list.
// The walk is iterative.
func (t *table) order() []*line {
	if !t.isTree() {
		return t.lines
	}
	out := make([]*line, 0, len(t.lines))
	var stack []*line
	for i := len(t.lines) - 1; i >= 0; i-- {
		if t.lines[i].parent == nil {
			stack = append(stack, t.lines[i])
		}
	}
	for len(stack) > 0 {
		l := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, l)
		for i := len(l.kids) - 1; i >= 0; i-- {
			stack = append(stack, l.kids[i])
		}
	}
	return out
}

func isLastChild(l *line) bool {
	if l.parent == nil {
		return false
	}
	k := l.parent.kids
	return k[len(k)-1] == l
}

// ancestorArt is the art for the levels above l: for each ancestor that has
// a parent, top down, a vertical bar if it has siblings below it.
func (t *table) ancestorArt(l *line) string {
	var chain []*line
	for a := l; a != nil && a.parent != nil; a = a.parent {
		chain = append(chain, a)
	}
	var b strings.Builder
	for i := len(chain) - 1; i >= 0; i-- {
		if isLastChild(chain[i]) {
			b.WriteString("  ")
		} else {
			b.WriteString(t.sym.vert)
		}
	}
	return b.String()
}

// treeArt is the art in front of l's own cell.
func (t *table) treeArt(l *line) string {
	if l.parent == nil || t.noTreeArt {
		return ""
	}
	art := t.ancestorArt(l.parent)
	if isLastChild(l) {
		return art + t.sym.right
	}
	return art + t.sym.branch
}

// width is the number of terminal cells text (already escaped) takes.
func width(s string) int {
	w := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return runewidth.StringWidth(s)
		}
		w++
	}
	return w
}

// truncate cuts escaped text to at most w cells.
func truncate(s string, w int) string {
	if width(s) <= w {
		return s
	}
	return runewidth.Truncate(s, w, "")
}

// cellText returns the escaped text of a cell for human output; a
// multi-line cell keeps its '\n' separators.
func (c *column) cellText(raw string) string {
	if c.flags&flWrapNL != 0 {
		parts := strings.Split(raw, "\n")
		for i := range parts {
			parts[i] = escape.Hex(parts[i])
		}
		return strings.Join(parts, "\n")
	}
	return escape.Hex(raw)
}

// cellWidth is the width a cell needs: its widest chunk for multi-line
// cells.
func (c *column) cellWidth(text string) int {
	if c.flags&flWrapNL == 0 {
		return width(text)
	}
	w := 0
	for _, p := range strings.Split(text, "\n") {
		w = max(w, width(p))
	}
	return w
}

func (t *table) lastVisible() int {
	for i := len(t.cols) - 1; i >= 0; i-- {
		if t.cols[i].flags&flHidden == 0 {
			return i
		}
	}
	return -1
}

// calculate sets every column's width as libsmartcols does: the widest
// cell, at least the header and the width hint; on a terminal, then
// shrunk to fit.
func (t *table) calculate(texts [][]string, order []*line) {
	total, n := 0, 0
	for ci, c := range t.cols {
		if c.flags&flHidden != 0 {
			continue
		}
		c.width, c.widthMax, c.treeArt = 0, 0, 0
		c.widthMin = max(1, width(escape.Hex(c.name)))
		for li := range order {
			text := texts[li][ci]
			w := c.cellWidth(text)
			c.widthMax = max(c.widthMax, w)
			c.width = max(c.width, w)
			if c.flags&flTree != 0 {
				c.treeArt = max(c.treeArt, width(t.treeArt(order[li])))
			}
		}
		if c.width < c.widthMin {
			c.width = c.widthMin
		} else if c.hint >= 1 && c.width < int(c.hint) && c.widthMin < int(c.hint) {
			c.width = int(c.hint)
		}
		n++
		total += c.width
	}
	total += n - 1 // separators
	if !t.isTerm || t.format != Human {
		return
	}
	tw := t.termWidth
	if total < tw {
		// The last column takes the rest, unless right-aligned.
		if last := t.lastVisible(); last >= 0 && t.cols[last].flags&flRight == 0 {
			t.cols[last].width += tw - total
			total = tw
		}
	}
	for stage := 1; total > tw && stage <= 3; {
		before := total
		for _, c := range t.cols {
			if c.flags&flHidden != 0 {
				continue
			}
			if total <= tw {
				break
			}
			if c.width == c.widthMin || (c.flags&flTree != 0 && total <= c.treeArt) || c.width == 0 {
				continue
			}
			trunc := c.flags&flTrunc != 0
			relative := c.hint > 0 && c.hint < 1
			switch stage {
			case 1:
				if trunc && relative && c.width >= int(c.hint*float64(tw)) {
					c.width--
					total--
				}
			case 2:
				if trunc {
					c.width--
					total--
				}
			case 3:
				if relative {
					c.width--
					total--
				}
			}
			if c.width == 0 {
				c.flags |= flHidden
			}
		}
		if before == total {
			stage++
		}
	}
}

// print writes the table.
func (t *table) print(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if t.utf8 {
		t.sym = symbols{branch: "├─", vert: "│ ", right: "└─"}
	} else {
		t.sym = symbols{branch: "|-", vert: "| ", right: "`-"}
	}
	switch t.format {
	case JSON:
		t.printJSON(bw)
	case Raw:
		t.printRaw(bw)
	default:
		t.printHuman(bw)
	}
	return bw.Flush()
}

func (t *table) printRaw(w *bufio.Writer) {
	if len(t.lines) == 0 {
		return
	}
	last := len(t.cols) - 1
	if !t.noHeadings {
		for i, c := range t.cols {
			w.WriteString(escape.Blank(c.name))
			if i != last {
				w.WriteByte(' ')
			}
		}
		w.WriteByte('\n')
	}
	for _, l := range t.order() {
		for i, c := range t.cols {
			cell := l.cells[i]
			if c.flags&flTree != 0 {
				cell = t.treeArt(l) + cell
			}
			w.WriteString(escape.Blank(cell))
			if i != last {
				w.WriteByte(' ')
			}
		}
		w.WriteByte('\n')
	}
}

func (t *table) printHuman(w *bufio.Writer) {
	if len(t.lines) == 0 {
		return
	}
	order := t.order()
	texts := make([][]string, len(order))
	for li, l := range order {
		texts[li] = make([]string, len(t.cols))
		for ci, c := range t.cols {
			text := c.cellText(l.cells[ci])
			if c.flags&flTree != 0 {
				text = t.treeArt(l) + text
			}
			texts[li][ci] = text
		}
	}
	t.calculate(texts, order)
	last := t.lastVisible()
	if !t.noHeadings {
		for ci, c := range t.cols {
			if c.flags&flHidden != 0 {
				continue
			}
			t.printCell(w, ci, c, escape.Hex(c.name), nil, ci == last)
		}
		w.WriteByte('\n')
	}
	for li, l := range order {
		for ci, c := range t.cols {
			if c.flags&flHidden != 0 {
				continue
			}
			t.printCell(w, ci, c, texts[li][ci], l, ci == last)
		}
		for t.anyPending() {
			w.WriteByte('\n')
			for ci, c := range t.cols {
				if c.flags&flHidden != 0 {
					continue
				}
				if c.hasPending {
					t.printPending(w, c, ci == last)
				} else {
					t.printEmpty(w, c, l, ci == last)
				}
			}
		}
		w.WriteByte('\n')
	}
}

func (t *table) anyPending() bool {
	for _, c := range t.cols {
		if c.flags&flHidden == 0 && c.hasPending {
			return true
		}
	}
	return false
}

func pad(w *bufio.Writer, n int) {
	for ; n > 0; n-- {
		w.WriteByte(' ')
	}
}

// printCell prints one cell (l is nil for the header).
func (t *table) printCell(w *bufio.Writer, ci int, c *column, data string, l *line, isLast bool) {
	if l != nil && c.flags&flWrapNL != 0 {
		if i := strings.IndexByte(data, '\n'); i >= 0 {
			c.pending, c.hasPending = data[i+1:], data[i+1:] != ""
			data = data[:i]
		}
	}
	n := width(data)
	wd := c.width
	right := c.flags&flRight != 0
	if isLast && n < wd && !right {
		wd = n
	}
	if n > wd && c.flags&flTrunc != 0 {
		data = truncate(data, wd)
		n = width(data)
	}
	if data != "" {
		if right && n < wd {
			pad(w, wd-n)
			n = wd
		}
		w.WriteString(data)
	}
	if isLast {
		return
	}
	pad(w, wd-n)
	if n > wd && c.flags&flTrunc == 0 {
		// The next column starts on a new line, under its place.
		w.WriteByte('\n')
		for i := 0; i <= ci; i++ {
			if t.cols[i].flags&flHidden == 0 {
				t.printEmpty(w, t.cols[i], l, i == t.lastVisible())
			}
		}
		return
	}
	w.WriteByte(' ')
}

// printEmpty prints a cell of an extra line: padding, or for the tree
// column the art that continues the tree.
func (t *table) printEmpty(w *bufio.Writer, c *column, l *line, isLast bool) {
	n := 0
	if l != nil && c.flags&flTree != 0 && !t.noTreeArt {
		art := t.ancestorArt(l)
		if len(l.kids) > 0 && t.anyPending() {
			art += t.sym.vert
		}
		w.WriteString(art)
		n = width(art)
	}
	if isLast {
		return
	}
	pad(w, c.width-n)
	w.WriteByte(' ')
}

// printPending prints the next chunk of a multi-line cell.
func (t *table) printPending(w *bufio.Writer, c *column, isLast bool) {
	data := c.pending
	if i := strings.IndexByte(data, '\n'); i >= 0 {
		c.pending = data[i+1:]
		data = data[:i]
		c.hasPending = c.pending != ""
	} else {
		c.pending, c.hasPending = "", false
	}
	w.WriteString(data)
	if isLast {
		return
	}
	pad(w, c.width-width(data))
	w.WriteByte(' ')
}
