package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"

	"github.com/nsview/nsview/pkg/tree"
)

// searchState is the incremental search: / opens the prompt, every key
// moves to the first match from where the search started, enter keeps the
// matches for n and N, esc drops them. In filter mode the trees show only
// the matches and their ancestors.
type searchState struct {
	input   textinput.Model
	typing  bool
	query   string
	filter  bool
	matches map[int]bool // by host PID
	// origin is where the search started, to come back to on esc.
	origin    procKey
	hadOrigin bool
}

// matcher tells whether a process matches a query: an all-digit query is a
// PID in any numbering (the host's or inside any of the process's
// namespaces), or a whole argument ("sleep 3000"); anything else is a
// case-insensitive part of the name or the command line.
type matcher struct {
	text  string
	pid   int
	isPID bool
}

func newMatcher(q string) matcher {
	q = strings.TrimSpace(q)
	if n, err := strconv.Atoi(q); err == nil && n > 0 && strings.Trim(q, "0123456789") == "" {
		return matcher{text: q, pid: n, isPID: true}
	}
	return matcher{text: strings.ToLower(q)}
}

func (mt matcher) match(p *tree.Process) bool {
	if mt.isPID {
		if p.PID == mt.pid {
			return true
		}
		for _, n := range p.NSpid {
			if n == mt.pid {
				return true
			}
		}
		for _, a := range p.Cmdline {
			if a == mt.text {
				return true
			}
		}
		return false
	}
	if mt.text == "" {
		return false
	}
	if containsFold(p.Comm, mt.text) {
		return true
	}
	for _, a := range p.Cmdline {
		if containsFold(a, mt.text) {
			return true
		}
	}
	return len(p.Cmdline) > 1 && strings.Contains(strings.ToLower(strings.Join(p.Cmdline, " ")), mt.text)
}

// containsFold reports whether lower (already lower case) is in s, ignoring
// case; it does not allocate for ASCII s.
func containsFold(s, lower string) bool {
	if len(lower) > len(s) {
		return false
	}
	for i := 0; i+len(lower) <= len(s); i++ {
		ok := true
		for j := 0; j < len(lower); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	if hasUpperNonASCII(s) {
		return strings.Contains(strings.ToLower(s), lower)
	}
	return false
}

func hasUpperNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// findMatches recomputes the matches of the query over the world.
func (m *Model) findMatches() {
	m.search.matches = nil
	if m.search.query == "" || m.w == nil {
		return
	}
	mt := newMatcher(m.search.query)
	m.search.matches = map[int]bool{}
	for i := range m.w.snap.Processes {
		p := &m.w.snap.Processes[i]
		if mt.match(p) {
			m.search.matches[p.PID] = true
		}
	}
}

// matchCount returns how many processes match.
func (m *Model) matchCount() int { return len(m.search.matches) }

// jumpMatch moves the focused pane's cursor to the next (dir 1) or
// previous (dir -1) matching row, starting at from and wrapping around.
func (m *Model) jumpMatch(from, dir int) bool {
	p := m.focused()
	if p == nil || len(p.rows) == 0 || len(m.search.matches) == 0 {
		return false
	}
	n := len(p.rows)
	for i := range n {
		row := ((from+dir*i)%n + n) % n
		if m.search.matches[p.view.Entries[p.rows[row]].Proc.PID] {
			m.jumpTo(p, row)
			return true
		}
	}
	return false
}

// openSearch starts typing a query.
func (m *Model) openSearch(filter bool) {
	m.search.typing = true
	m.search.filter = filter || m.search.filter
	m.search.input.SetValue(m.search.query)
	m.search.input.CursorEnd()
	m.search.input.Focus()
	m.search.origin, m.search.hadOrigin = m.sel, m.hasSel
}

// searchChanged applies an edited query: matches, the filter, and the
// cursor on the first match at or after where the search started.
func (m *Model) searchChanged() {
	m.search.query = m.search.input.Value()
	m.findMatches()
	if m.search.filter {
		m.refilter(false)
		m.refilter(true)
	}
	from := 0
	if p := m.focused(); p != nil && m.search.hadOrigin {
		if r := p.rowFor(m.search.origin); r >= 0 {
			from = r
		}
	}
	if !m.jumpMatch(from, 1) {
		m.sync()
	}
	m.titles()
}

// closeSearch leaves the prompt; with keep false the query is dropped and
// the cursor goes back to where the search started.
func (m *Model) closeSearch(keep bool) {
	m.search.typing = false
	m.search.input.Blur()
	if keep {
		return
	}
	m.clearSearch()
	if m.search.hadOrigin {
		m.selectKey(m.search.origin, m.focus == paneLeft)
	}
}

// clearSearch drops the query, its matches and the filter.
func (m *Model) clearSearch() {
	m.search.query = ""
	m.search.input.SetValue("")
	m.search.matches = nil
	if m.search.filter {
		m.search.filter = false
		m.refilter(false)
		m.refilter(true)
		m.sync()
	}
	m.titles()
}
