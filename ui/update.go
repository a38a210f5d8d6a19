package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
	"github.com/nsview/nsview/pkg/tree"
)

// onKey handles a key press in whatever mode the UI is in.
func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case m.prompt.active:
		return m.promptKey(msg)
	case m.search.typing:
		return m.searchKey(msg)
	case m.showHelp:
		switch {
		case key.Matches(msg, k.Quit):
			return tea.Quit
		case key.Matches(msg, k.Help, k.Cancel):
			m.showHelp = false
		}
		return nil
	}
	m.status = ""
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.SwitchPane):
		m.switchPane()
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-max(1, m.pageSize()-1))
	case key.Matches(msg, k.PageDown):
		m.move(max(1, m.pageSize()-1))
	case key.Matches(msg, k.Top):
		m.moveAbs(0)
	case key.Matches(msg, k.Bottom):
		m.moveAbs(-1)
	case key.Matches(msg, k.Fold):
		m.fold()
	case key.Matches(msg, k.Unfold):
		m.unfold()
	case key.Matches(msg, k.FoldDepth):
		m.foldBelow(int(msg.Code - '0'))
	case key.Matches(msg, k.UnfoldAll):
		m.foldBelow(0)
	case key.Matches(msg, k.Search):
		m.openSearch(false)
	case key.Matches(msg, k.Filter):
		if m.search.query == "" {
			m.openSearch(true)
			break
		}
		m.search.filter = !m.search.filter
		m.refilter(false)
		m.refilter(true)
		m.sync()
	case key.Matches(msg, k.NextMatch, k.PrevMatch):
		dir := 1
		if key.Matches(msg, k.PrevMatch) {
			dir = -1
		}
		if m.search.query == "" {
			m.setStatus("no search: type / first", false)
		} else if p := m.focused(); p != nil && !m.jumpMatch(p.cursor+dir, dir) {
			m.setStatus(fmt.Sprintf("no process matches %q", m.search.query), false)
		}
	case key.Matches(msg, k.Clear):
		if m.search.query != "" {
			m.clearSearch()
		} else if !m.onlyNS.IsZero() {
			m.toggleOnly()
		}
	case key.Matches(msg, k.NextNS):
		m.jumpBoundary(1)
	case key.Matches(msg, k.PrevNS):
		m.jumpBoundary(-1)
	case key.Matches(msg, k.OnlyNS):
		m.toggleOnly()
	case key.Matches(msg, k.NSList):
		m.toggleList()
	case key.Matches(msg, k.Choose):
		if m.focus == paneRight && m.rmode == rightList {
			m.choose()
		}
	case key.Matches(msg, k.LevelUp):
		m.level(-1)
	case key.Matches(msg, k.LevelDown):
		m.level(1)
	case key.Matches(msg, k.Spawn):
		m.openPrompt(nil)
	case key.Matches(msg, k.SpawnNested):
		if s := m.selectedSandbox(); s != nil {
			m.openPrompt(s)
		} else {
			m.setStatus("S spawns inside a sandbox: select a process of one that s started", true)
		}
	case key.Matches(msg, k.EndSandbox):
		return m.endSandbox()
	case key.Matches(msg, k.Refresh):
		if !m.scanning {
			m.tickGen++
			return m.startScan()
		}
	case key.Matches(msg, k.Slower):
		return m.setInterval(1)
	case key.Matches(msg, k.Faster):
		return m.setInterval(-1)
	case key.Matches(msg, k.TogglePIDs):
		m.showPIDs = !m.showPIDs
	}
	return nil
}

// onPaste types pasted text into the open prompt.
func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.prompt.active:
		m.prompt.input, cmd = m.prompt.input.Update(msg)
	case m.search.typing:
		m.search.input, cmd = m.search.input.Update(msg)
		m.searchChanged()
	}
	return cmd
}

func (m *Model) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Accept):
		m.closeSearch(true)
		if m.search.query != "" && len(m.search.matches) == 0 {
			m.setStatus(fmt.Sprintf("no process matches %q", m.search.query), false)
		}
		return nil
	case key.Matches(msg, m.keys.Cancel):
		m.closeSearch(false)
		return nil
	}
	var cmd tea.Cmd
	m.search.input, cmd = m.search.input.Update(msg)
	if m.search.input.Value() != m.search.query {
		m.searchChanged()
	}
	return cmd
}

// pageSize is the number of rows the focused pane shows.
func (m *Model) pageSize() int {
	if p := m.focused(); p != nil {
		return p.body()
	}
	return m.nsl.body()
}

// move moves the focused pane's cursor by n rows.
func (m *Model) move(n int) {
	if p := m.focused(); p != nil {
		if len(p.rows) > 0 {
			m.selectRow(p, p.cursor+n)
		}
		return
	}
	m.nsl.moveTo(m.nsl.cursor + n)
}

// moveAbs moves to a row; -1 is the last.
func (m *Model) moveAbs(row int) {
	if p := m.focused(); p != nil {
		if row < 0 {
			row = len(p.rows) - 1
		}
		if len(p.rows) > 0 {
			m.selectRow(p, row)
		}
		return
	}
	if row < 0 {
		row = len(m.nsl.rows) - 1
	}
	m.nsl.moveTo(row)
}

func (m *Model) switchPane() {
	if m.focus == paneLeft {
		m.focus = paneRight
	} else {
		m.focus = paneLeft
	}
}

// fold folds the subtree under the cursor, or where there is none to fold,
// moves to the parent.
func (m *Model) fold() {
	p := m.focused()
	if p == nil {
		return
	}
	e := p.current()
	if e < 0 {
		return
	}
	if p.expandable(e) && !p.folded[p.key[e]] {
		p.folded[p.key[e]] = true
		m.relayout(p)
		return
	}
	if par := p.dparent[e]; par >= 0 {
		m.selectRow(p, int(p.rowOf[par]))
	}
}

// unfold unfolds the subtree under the cursor, or moves to its first
// child.
func (m *Model) unfold() {
	p := m.focused()
	if p == nil {
		return
	}
	e := p.current()
	if e < 0 || !p.expandable(e) {
		return
	}
	if p.folded[p.key[e]] {
		delete(p.folded, p.key[e])
		m.relayout(p)
		return
	}
	m.selectRow(p, p.cursor+1)
}

// foldBelow folds every subtree of the focused pane at depth n-1, so that n
// levels show; 0 unfolds everything.
func (m *Model) foldBelow(n int) {
	p := m.focused()
	if p == nil || p.view == nil {
		return
	}
	clear(p.folded)
	if n > 0 {
		p.tr.Walk(func(v tree.Visit, _ []bool) bool {
			if v.Depth == n-1 {
				if len(p.tr.Children[v.Node]) > 0 {
					p.folded[p.key[v.Node]] = true
				}
				return false
			}
			return true
		})
	}
	m.relayout(p)
	if n > 0 {
		m.setStatus(fmt.Sprintf("showing %d level(s); 0 unfolds all", n), false)
	}
}

// relayout lays out a pane again after its folds changed; the selection
// moves up to what is still shown.
func (m *Model) relayout(p *treePane) {
	p.flatten(p.keep)
	if r := p.rowFor(m.sel); r >= 0 {
		p.moveTo(r)
		if k, ok := p.currentKey(); ok && k != m.sel {
			m.selectKey(k, p == m.left)
		}
	}
}

// jumpBoundary moves to the next or previous row that starts a PID
// namespace.
func (m *Model) jumpBoundary(dir int) {
	p := m.focused()
	if p == nil || len(p.rows) == 0 {
		return
	}
	n := len(p.rows)
	for i := 1; i <= n; i++ {
		row := ((p.cursor+dir*i)%n + n) % n
		if p.boundary[p.rows[row]] {
			m.jumpTo(p, row)
			return
		}
	}
	m.setStatus("no PID namespace starts in this view", false)
}

// toggleOnly restricts the left pane to the selected process's PID
// namespace (and those below it), or lifts the restriction.
func (m *Model) toggleOnly() {
	if !m.onlyNS.IsZero() {
		m.onlyNS = nsinfo.ID{}
	} else {
		p := m.selected()
		if p == nil {
			return
		}
		ino := m.w.pidNS[p.PID]
		if ino == 0 {
			m.setStatus("the selected process's PID namespace is unknown", true)
			return
		}
		m.onlyNS = nsinfo.ID{Type: nsinfo.PID, Ino: ino}
	}
	m.refilter(false)
	m.sync()
}

// toggleList switches the right pane between the tree and the namespace
// list, focusing it.
func (m *Model) toggleList() {
	if m.rmode == rightList {
		m.rmode = rightTree
		return
	}
	m.rmode = rightList
	m.focus = paneRight
	m.nsl.selectNS(m.rightNS)
}

// choose acts on the namespace under the list's cursor: a PID namespace's
// tree replaces the list; for another type, its first process is selected.
func (m *Model) choose() {
	r, ok := m.nsl.current()
	if !ok {
		return
	}
	if r.id.Type == nsinfo.PID {
		m.rmode = rightTree
		m.rightNS = r.id
		m.levelUp = 0
		m.updateRight()
		if init, ok := m.initOf(r.id); ok {
			m.sel, m.hasSel = init, true
		}
		m.sync()
		return
	}
	if p, ok := m.w.snap.Proc(r.pid); ok && r.pid > 0 {
		m.selectKey(keyOf(p), true)
		m.setStatus(fmt.Sprintf("selected %d, the first process in %s", p.PID, r.id), false)
		return
	}
	m.setStatus(fmt.Sprintf("no process is in %s (held by a mount or a file descriptor)", r.id), false)
}

// initOf returns the first process of a PID namespace as the right pane
// shows it: its init, else its lowest PID.
func (m *Model) initOf(ns nsinfo.ID) (procKey, bool) {
	if m.right.view == nil || len(m.right.rows) == 0 {
		return procKey{}, false
	}
	if e := m.right.entryAt(0); e >= 0 {
		return m.right.key[e], true
	}
	return procKey{}, false
}

// level moves the right pane one PID namespace up (dir -1, toward the
// host) or down (dir 1) the selected process's chain.
func (m *Model) level(dir int) {
	p := m.selected()
	if p == nil {
		return
	}
	chain := m.w.chain(p)
	cur := slices.Index(chain, m.rightNS)
	if cur < 0 {
		cur = len(chain) - 1
	}
	next := cur + dir
	if next < 0 || next >= len(chain) || chain[next].IsZero() {
		if dir < 0 {
			m.setStatus("already at the outermost level", false)
		} else {
			m.setStatus("already at the process's own PID namespace", false)
		}
		return
	}
	m.levelUp = len(chain) - 1 - next
	m.rightNS = chain[next]
	m.rmode = rightTree
	m.updateRight()
	m.sync()
}

// selectedSandbox returns the innermost sandbox started by this UI that
// holds the selected process.
func (m *Model) selectedSandbox() *sandbox {
	p := m.selected()
	if p == nil {
		return nil
	}
	chain := m.w.chain(p)
	var best *sandbox
	bestDepth := -1
	for _, s := range m.sbx.all() {
		if s.ended {
			continue
		}
		for _, ns := range s.info.PIDNamespaces {
			if d := slices.Index(chain, ns); d > bestDepth {
				best, bestDepth = s, d
			}
		}
	}
	return best
}

// openPrompt asks for the command of a new sandbox (inside in, if set).
func (m *Model) openPrompt(in *sandbox) {
	m.prompt.active = true
	m.prompt.in = in
	m.prompt.input.Prompt = "spawn: "
	if in != nil {
		m.prompt.input.Prompt = fmt.Sprintf("spawn inside sandbox %d: ", in.id)
	}
	m.prompt.input.SetValue("")
	m.prompt.input.Focus()
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.prompt.active = false
		m.prompt.input.Blur()
		return nil
	case key.Matches(msg, m.keys.Accept):
		m.prompt.active = false
		m.prompt.input.Blur()
		return m.spawn(strings.TrimSpace(m.prompt.input.Value()), m.prompt.in)
	}
	var cmd tea.Cmd
	m.prompt.input, cmd = m.prompt.input.Update(msg)
	return cmd
}

// spawn starts a sandbox running command (the demo workload when empty)
// in a tea.Cmd.
func (m *Model) spawn(command string, in *sandbox) tea.Cmd {
	argv, label := DemoCommand, "demo"
	if command != "" {
		argv, label = []string{"/bin/sh", "-c", command}, command
	}
	opts := spawn.Options{Command: argv, Detach: m.o.Detach, UTS: true, Hostname: "nsview-sandbox"}
	var parent *Parent
	parentID := 0
	if in != nil {
		parentID = in.id
		parent = &Parent{PID: in.info.CommandPID, NS: in.innerNS()}
	}
	sp, sbx := m.o.Spawner, m.sbx
	m.setStatus("starting a sandbox…", false)
	return func() tea.Msg {
		s, err := sbx.start(sp, opts, parent, parentID, label)
		return spawnedMsg{sb: s, err: err}
	}
}

// endSandbox ends the sandbox that holds the selected process.
func (m *Model) endSandbox() tea.Cmd {
	s := m.selectedSandbox()
	if s == nil {
		m.setStatus("x ends a sandbox started here (s): select one of its processes", true)
		return nil
	}
	m.setStatus(fmt.Sprintf("ending sandbox %d…", s.id), false)
	s.ended = true
	return closeCmd(s)
}

// setInterval moves the refresh interval one step slower (1) or faster
// (-1).
func (m *Model) setInterval(dir int) tea.Cmd {
	i, _ := slices.BinarySearch(intervals, m.interval)
	switch {
	case dir > 0 && i < len(intervals) && intervals[i] == m.interval:
		i++
	case dir < 0:
		i--
	}
	i = min(max(i, 0), len(intervals)-1)
	m.interval = intervals[i]
	m.setStatus("refresh every "+m.interval.String(), false)
	if m.scanning {
		return nil
	}
	return m.scheduleTick()
}
