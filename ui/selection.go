package ui

import (
	"fmt"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// selected returns the selected process, nil for none.
func (m *Model) selected() *tree.Process {
	if !m.hasSel {
		return nil
	}
	p, _ := m.w.proc(m.sel)
	return p
}

// rebuild recomputes both panes after the world, the right pane's
// namespace, the filter or the folds changed. Cursors stay on the same
// process, at the same line of the screen.
func (m *Model) rebuild() {
	if m.w == nil {
		return
	}
	lscreen := m.left.cursor - m.left.offset
	rscreen := m.right.cursor - m.right.offset
	lkey, _ := m.left.currentKey()
	rkey, _ := m.right.currentKey()
	m.left.setView(m.w.host, m.w, "")
	m.refilter(false)
	if !m.hasSel || !m.left.has(m.sel) && !m.right.has(m.sel) {
		if k, ok := m.left.currentKey(); ok {
			m.sel, m.hasSel = k, true
		}
	}
	m.updateRight()
	// The same process stays on the same line of the screen; one newly
	// selected (a new sandbox, the survivor of a vanished one) is shown
	// with what is around it.
	place := func(p *treePane, before procKey, screen int) {
		r := p.rowFor(m.sel)
		switch {
		case r < 0:
		case before == m.sel:
			p.keepScreenRow(r, screen)
		default:
			p.reveal(r)
		}
	}
	place(m.left, lkey, lscreen)
	place(m.right, rkey, rscreen)
	m.titles()
}

// updateRight points the right pane at its namespace: the one chosen, or
// the selected process's own (levelUp levels up its chain).
func (m *Model) updateRight() {
	ns := m.rightNS
	if ns.IsZero() || !m.nsShown(ns) {
		ns = m.followNS()
	}
	m.rightNS = ns
	if ns.IsZero() {
		msg := "no process selected"
		if p := m.selected(); p != nil {
			msg = fmt.Sprintf("the PID namespace of %d is unknown (its links are unreadable)", p.PID)
		}
		m.right.setView(nil, m.w, msg)
		return
	}
	v, err := m.w.insideView(ns)
	if err != nil {
		m.right.setView(nil, m.w, err.Error())
		return
	}
	m.right.setView(v, m.w, "")
	m.refilter(true)
}

// nsShown reports whether some process is in the PID namespace.
func (m *Model) nsShown(ns nsinfo.ID) bool {
	for _, ino := range m.w.pidNS {
		if ino == ns.Ino {
			return true
		}
	}
	return false
}

// followNS is the namespace the right pane shows for the selection: the
// selected process's own PID namespace, levelUp levels toward the host.
func (m *Model) followNS() nsinfo.ID {
	p := m.selected()
	if p == nil {
		return nsinfo.ID{}
	}
	chain := m.w.chain(p)
	if len(chain) == 0 {
		if ino := m.w.pidNS[p.PID]; ino != 0 {
			return nsinfo.ID{Type: nsinfo.PID, Ino: ino}
		}
		return nsinfo.ID{}
	}
	return chain[max(0, len(chain)-1-m.levelUp)]
}

// refilter lays out one pane (right, or left) again with the current
// filter and namespace restriction.
func (m *Model) refilter(right bool) {
	p := m.left
	if right {
		p = m.right
	}
	if p.view == nil {
		p.flatten(nil)
		return
	}
	var keep []bool
	if !right && !m.onlyNS.IsZero() {
		keep = m.inNamespace(p, m.onlyNS)
	}
	if m.search.filter && m.search.query != "" {
		keep = filterKeep(p, m.search.matches, keep)
	}
	p.flatten(keep)
}

// inNamespace marks the pane's entries that are in PID namespace ns or
// below it.
func (m *Model) inNamespace(p *treePane, ns nsinfo.ID) []bool {
	keep := make([]bool, len(p.view.Entries))
	level := -1
	if n, ok := m.w.snap.Namespace(ns); ok {
		level = n.Level
	}
	for i := range p.view.Entries {
		pr := p.view.Entries[i].Proc
		if level < 0 {
			keep[i] = m.w.pidNS[pr.PID] == ns.Ino
			continue
		}
		keep[i] = len(pr.NSpid) > level && m.w.snap.PIDNamespaceAt(pr, level) == ns.Ino
	}
	return keep
}

// filterKeep keeps the matches (within base, when set) and their
// ancestors.
func filterKeep(p *treePane, matches map[int]bool, base []bool) []bool {
	keep := make([]bool, len(p.view.Entries))
	in := func(i int) bool { return base == nil || base[i] }
	for i := range p.view.Entries {
		if !matches[p.view.Entries[i].Proc.PID] || !in(i) {
			continue
		}
		for j := i; j >= 0 && !keep[j] && in(j); j = p.tr.Parent[j] {
			keep[j] = true
		}
	}
	return keep
}

// titles writes the panes' titles.
func (m *Model) titles() {
	w := m.w
	t := " host"
	if !w.hostNS.IsZero() {
		t += " " + w.hostNS.String()
	}
	t += fmt.Sprintf(" · %d processes", len(w.snap.Processes))
	if !m.onlyNS.IsZero() {
		t += " · only " + m.onlyNS.String()
	}
	if m.search.filter && m.search.query != "" {
		t += fmt.Sprintf(" · filter %q", m.search.query)
	}
	m.left.title = t
	if m.right.view != nil {
		level := m.right.view.Level
		rt := fmt.Sprintf(" inside %s · level %d · %d processes", m.rightNS, level, len(m.right.view.Entries))
		m.right.title = rt
	} else {
		m.right.title = " inside"
	}
}

// focused returns the focused tree pane, nil when the right pane shows the
// namespace list.
func (m *Model) focused() *treePane {
	if m.focus == paneLeft {
		return m.left
	}
	if m.rmode == rightList {
		return nil
	}
	return m.right
}

// selectRow selects the process on a row of a pane. Selecting on the left
// makes the right pane follow the process's namespace; selecting on the
// right keeps the right pane where it is.
func (m *Model) selectRow(p *treePane, row int) {
	p.moveTo(row)
	k, ok := p.currentKey()
	if !ok {
		return
	}
	m.selectKey(k, p == m.left)
}

// selectKey selects a process; follow points the right pane at its
// namespace.
func (m *Model) selectKey(k procKey, follow bool) {
	m.sel, m.hasSel = k, true
	if follow {
		if ns := m.followNS(); ns != m.rightNS || m.right.view == nil {
			m.rightNS = ns
			m.updateRight()
		}
	}
	m.sync()
}

// jumpTo selects a row of a pane far from the cursor (a search match, a
// namespace boundary) and shows it, in both panes, with its surroundings.
func (m *Model) jumpTo(p *treePane, row int) {
	p.reveal(row)
	m.selectRow(p, row)
	for _, q := range []*treePane{m.left, m.right} {
		if r := q.rowFor(m.sel); r >= 0 {
			q.reveal(r)
		}
	}
}

// sync moves both panes' cursors to the selection.
func (m *Model) sync() {
	for _, p := range []*treePane{m.left, m.right} {
		if r := p.rowFor(m.sel); r >= 0 {
			p.moveTo(r)
		}
	}
	m.titles()
}
