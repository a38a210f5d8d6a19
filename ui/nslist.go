package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// nsList is the right pane's other face: every namespace of the snapshot,
// all eight types, as `nsview ns` lists them (by inode number, with the
// process count and the lowest PID's command). Choosing a PID namespace
// shows its tree.
type nsList struct {
	width, height int
	rows          []nsInfoRow
	cursor        int
	offset        int
}

type nsInfoRow struct {
	id      nsinfo.ID
	nprocs  int
	pid     int
	command string // escaped
}

// SetSize sets the pane's size in cells, title and column header included.
func (n *nsList) SetSize(width, height int) {
	n.width, n.height = max(0, width), max(0, height)
	n.moveTo(n.cursor)
}

func (n *nsList) body() int { return max(0, n.height-2) }

// setSnapshot lists s's namespaces, keeping the cursor on the same one.
func (n *nsList) setSnapshot(s *tree.Snapshot) {
	var cur nsinfo.ID
	if n.cursor < len(n.rows) {
		cur = n.rows[n.cursor].id
	}
	n.rows = n.rows[:0]
	for i := range s.Namespaces {
		ns := &s.Namespaces[i]
		r := nsInfoRow{id: ns.ID(), nprocs: ns.NProcs, pid: ns.PID}
		if p, ok := s.Proc(ns.PID); ok && ns.PID > 0 {
			r.command = commandLine(p)
		}
		n.rows = append(n.rows, r)
	}
	slices.SortStableFunc(n.rows, func(a, b nsInfoRow) int {
		switch {
		case a.id.Ino < b.id.Ino:
			return -1
		case a.id.Ino > b.id.Ino:
			return 1
		}
		return 0
	})
	n.cursor = 0
	for i, r := range n.rows {
		if r.id == cur {
			n.cursor = i
		}
	}
	n.moveTo(n.cursor)
}

// selectNS puts the cursor on a namespace.
func (n *nsList) selectNS(id nsinfo.ID) {
	for i, r := range n.rows {
		if r.id == id {
			n.moveTo(i)
			return
		}
	}
}

func (n *nsList) moveTo(row int) {
	if len(n.rows) == 0 {
		n.cursor, n.offset = 0, 0
		return
	}
	n.cursor = min(max(row, 0), len(n.rows)-1)
	b := n.body()
	if n.cursor < n.offset {
		n.offset = n.cursor
	}
	if b > 0 && n.cursor >= n.offset+b {
		n.offset = n.cursor - b + 1
	}
	n.offset = max(0, min(n.offset, len(n.rows)-b))
}

func (n *nsList) scroll(d int) {
	b := n.body()
	n.offset = max(0, min(n.offset+d, len(n.rows)-b))
	if b > 0 {
		n.cursor = min(max(n.cursor, n.offset), min(n.offset+b-1, len(n.rows)-1))
	}
}

// current returns the namespace under the cursor.
func (n *nsList) current() (nsInfoRow, bool) {
	if n.cursor < len(n.rows) {
		return n.rows[n.cursor], true
	}
	return nsInfoRow{}, false
}

// View draws the list; mine marks the selected process's namespaces.
func (n *nsList) View(st *Styles, focused bool, mine nsinfo.Set) string {
	var b strings.Builder
	title := st.Title
	if focused {
		title = st.TitleFocused
	}
	b.WriteString(title.Render(fit(focusMark(fmt.Sprintf(" namespaces: %d (enter: PID namespace's tree)", len(n.rows)), focused), n.width)))
	b.WriteByte('\n')
	b.WriteString(st.Label.Render(fit("  NS          TYPE   NPROCS    PID COMMAND", n.width)))
	var l line
	for i := range n.body() {
		b.WriteByte('\n')
		row := n.offset + i
		if row >= len(n.rows) {
			b.WriteString(strings.Repeat(" ", n.width))
			continue
		}
		r := n.rows[row]
		l.reset()
		mark := "  "
		if mine.Get(r.id.Type) == r.id && !r.id.IsZero() {
			mark = "● "
		}
		l.add(mark, st.Mark)
		l.add(fmt.Sprintf("%-11d %-6s %6d %6d ", r.id.Ino, r.id.Type, r.nprocs, r.pid), st.Name)
		l.add(r.command, st.PID)
		var over *lipgloss.Style
		if row == n.cursor {
			over = &st.SelectedBlur
			if focused {
				over = &st.Selected
			}
		}
		b.WriteString(l.render(n.width, over))
	}
	return b.String()
}

// commandLine is the process's command line for display, escaped, or its
// name in brackets where it has none (a kernel thread, a zombie).
func commandLine(p *tree.Process) string {
	if len(p.Cmdline) == 0 {
		return "[" + escape.Text(p.Comm) + "]"
	}
	var b strings.Builder
	for i, a := range p.Cmdline {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(escape.Text(a))
	}
	return b.String()
}
