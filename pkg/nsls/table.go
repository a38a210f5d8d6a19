package nsls

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"

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
	depth  int // ancestors above the line
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
		l.depth = parent.depth + 1
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

// The art is never built as a whole string per line: a tree N deep would
// cost N² time and memory before anything is printed. Widths come from the
// depth (every symbol is two cells wide), and a line's art is written from
// the path of lines above it (kept by the pre-order walk), only as far as
// it is printed.

// artWidth is the width of the art in front of l's own cell.
func (t *table) artWidth(l *line) int {
	if t.noTreeArt {
		return 0
	}
	return 2 * l.depth
}

// appendArt appends the art in front of the cell of path's last line (path
// is the line and its ancestors, root first), cut to at most limit cells.
// Each level is, top down, a vertical bar if the ancestor there has
// siblings below it, then the line's own branch.
func (t *table) appendArt(b []byte, path []*line, limit int) []byte {
	d := len(path) - 1
	if d <= 0 || t.noTreeArt {
		return b
	}
	for i := 1; i < d && limit > 0; i++ {
		sym := t.sym.vert
		if isLastChild(path[i]) {
			sym = "  "
		}
		b, limit = appendCells(b, sym, limit)
	}
	if limit > 0 {
		sym := t.sym.branch
		if isLastChild(path[d]) {
			sym = t.sym.right
		}
		b, _ = appendCells(b, sym, limit)
	}
	return b
}

// appendContinuation appends the art of an extra line of path's last line:
// a vertical bar or blanks for it and each ancestor below the root.
func (t *table) appendContinuation(b []byte, path []*line) []byte {
	for i := 1; i < len(path); i++ {
		if isLastChild(path[i]) {
			b = append(b, "  "...)
		} else {
			b = append(b, t.sym.vert...)
		}
	}
	return b
}

// appendCells appends the first limit runes of a symbol (each rune of the
// symbols is one cell wide) and returns the cells left.
func appendCells(b []byte, sym string, limit int) ([]byte, int) {
	for _, r := range sym {
		if limit == 0 {
			break
		}
		b = utf8.AppendRune(b, r)
		limit--
	}
	return b, limit
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

// treeCellWidth is the width a cell needs with the tree art in front of it
// (in a tree column), worked out without building the art: the art's last
// rune, which a combining mark at the start of text would join, is measured
// with the text.
func (t *table) treeCellWidth(c *column, l *line, text string) int {
	aw := 0
	if c.flags&flTree != 0 {
		aw = t.artWidth(l)
	}
	if aw == 0 {
		return c.cellWidth(text)
	}
	first, rest, wrapped := text, "", false
	if c.flags&flWrapNL != 0 {
		first, rest, wrapped = strings.Cut(text, "\n")
	}
	last, _ := utf8.DecodeLastRuneInString(t.sym.right)
	w := aw - 1 + width(string(last)+first)
	if wrapped {
		w = max(w, c.cellWidth(rest))
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
func (t *table) calculate(order []*line) {
	total, n := 0, 0
	for ci, c := range t.cols {
		if c.flags&flHidden != 0 {
			continue
		}
		c.width, c.widthMax, c.treeArt = 0, 0, 0
		c.widthMin = max(1, width(escape.Hex(c.name)))
		for _, l := range order {
			w := t.treeCellWidth(c, l, c.cellText(l.cells[ci]))
			c.widthMax = max(c.widthMax, w)
			c.width = max(c.width, w)
			if c.flags&flTree != 0 {
				c.treeArt = max(c.treeArt, t.artWidth(l))
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
	var path []*line
	var art []byte
	for _, l := range t.order() {
		if failed(w) {
			return
		}
		path = append(path[:l.depth], l)
		for i, c := range t.cols {
			cell := l.cells[i]
			if c.flags&flTree != 0 && l.depth > 0 && !t.noTreeArt {
				art = t.appendArt(art[:0], path, t.artWidth(l))
				cell = string(art) + cell
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
	t.calculate(order)
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
	// One line at a time: the path to it and its art are all that is kept.
	var path []*line
	var art []byte
	for _, l := range order {
		if failed(w) {
			return
		}
		path = append(path[:l.depth], l)
		for ci, c := range t.cols {
			if c.flags&flHidden != 0 {
				continue
			}
			text := c.cellText(l.cells[ci])
			if c.flags&flTree != 0 && l.depth > 0 && !t.noTreeArt {
				text, art = t.withArt(c, path, text, art[:0])
			}
			t.printCell(w, ci, c, text, path, ci == last)
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
					t.printEmpty(w, c, path, ci == last)
				}
			}
		}
		w.WriteByte('\n')
	}
}

// withArt puts the tree art in front of the text of path's last line, as
// far as printCell will print it: a truncatable column is cut to its width,
// so art wider than that is cut there and the text dropped (each art rune
// is one cell: cutting the art alone cuts where cutting art and text
// would). buf is reused for the art.
func (t *table) withArt(c *column, path []*line, text string, buf []byte) (string, []byte) {
	aw := t.artWidth(path[len(path)-1])
	if c.flags&flTrunc != 0 && aw > c.width {
		buf = t.appendArt(buf, path, c.width)
		return string(buf), buf
	}
	buf = t.appendArt(buf, path, aw)
	buf = append(buf, text...)
	return string(buf), buf
}

// failed reports whether a write failed (a closed pipe, as under `| head`):
// the rest of a deep tree's output, which grows as the square of its depth,
// is not worked out for nothing. print returns the error.
func failed(w *bufio.Writer) bool {
	_, err := w.Write(nil)
	return err != nil
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

// printCell prints one cell of path's last line (path is nil for the
// header).
func (t *table) printCell(w *bufio.Writer, ci int, c *column, data string, path []*line, isLast bool) {
	if path != nil && c.flags&flWrapNL != 0 {
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
				t.printEmpty(w, t.cols[i], path, i == t.lastVisible())
			}
		}
		return
	}
	w.WriteByte(' ')
}

// printEmpty prints a cell of an extra line: padding, or for the tree
// column the art that continues the tree.
func (t *table) printEmpty(w *bufio.Writer, c *column, path []*line, isLast bool) {
	n := 0
	if path != nil && c.flags&flTree != 0 && !t.noTreeArt {
		art := t.appendContinuation(nil, path)
		if len(path[len(path)-1].kids) > 0 && t.anyPending() {
			art = append(art, t.sym.vert...)
		}
		w.Write(art)
		n = width(string(art))
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
