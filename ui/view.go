package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
)

// rect is a region of the screen.
type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

// layout places the parts of the screen. Below singleWidth columns only the
// focused pane shows, full width.
type layout struct {
	header, left, right, details, footer rect
	single                               bool
}

const singleWidth = 64

func computeLayout(w, h int) layout {
	var l layout
	l.header = rect{0, 0, w, min(1, h)}
	l.footer = rect{0, max(0, h-1), w, min(1, max(0, h-1))}
	avail := max(0, h-2)
	det := 0
	switch {
	case avail >= 12:
		det = min(max(avail/4, 4), 8)
	case avail >= 6:
		det = 2
	}
	paneH := avail - det
	l.single = w < singleWidth
	if l.single {
		l.left = rect{0, 1, w, paneH}
		l.right = l.left
	} else {
		lw := (w - 1) / 2
		l.left = rect{0, 1, lw, paneH}
		l.right = rect{lw + 1, 1, w - lw - 1, paneH}
	}
	l.details = rect{0, 1 + paneH, w, det}
	return l
}

// resize lays the screen out for a new terminal size.
func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.lay = computeLayout(w, h)
	m.left.SetSize(m.lay.left.w, m.lay.left.h)
	m.right.SetSize(m.lay.right.w, m.lay.right.h)
	m.nsl.SetSize(m.lay.right.w, m.lay.right.h)
	m.det.SetSize(m.lay.details.w, m.lay.details.h)
	m.help.SetWidth(w)
	m.search.input.SetWidth(max(1, w-24))
	m.prompt.input.SetWidth(max(1, w-32))
	for _, p := range []*treePane{m.left, m.right} {
		if len(p.rows) > 0 {
			p.moveTo(p.cursor)
		}
	}
}

// View draws the whole screen; only the rows on screen are drawn, and
// only after something changed.
func (m *Model) View() tea.View {
	if !m.frameValid {
		m.frame, m.frameValid = m.render(), true
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

func (m *Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.headerLine())
	body := m.lay.left.h + m.lay.details.h
	switch {
	case m.showHelp:
		lines = append(lines, m.helpLines(body)...)
	case m.w == nil:
		msg := " scanning…"
		if m.scanErr != nil {
			msg = " scan failed: " + oneLine(m.scanErr.Error())
		}
		for i := range body {
			if i == 1 {
				lines = append(lines, m.st.Note.Render(fit(msg, m.width)))
				continue
			}
			lines = append(lines, strings.Repeat(" ", m.width))
		}
	default:
		lines = append(lines, m.paneLines()...)
		if m.lay.details.h > 0 {
			lines = append(lines, strings.Split(m.det.View(m.detailsCtx()), "\n")...)
		}
	}
	if m.height > 1 {
		lines = append(lines, m.footerLine())
	}
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}

// paneLines draws the two panes side by side (or the focused one alone).
func (m *Model) paneLines() []string {
	ctx := m.paneCtx()
	left := func() []string {
		ctx.focused = m.focus == paneLeft
		return strings.Split(m.left.View(ctx), "\n")
	}
	right := func() []string {
		ctx.focused = m.focus == paneRight
		if m.rmode == rightList {
			var mine nsinfo.Set
			if p := m.selected(); p != nil {
				mine = nsinfo.Set(p.NS)
			}
			return strings.Split(m.nsl.View(&m.st, ctx.focused, mine), "\n")
		}
		return strings.Split(m.right.View(ctx), "\n")
	}
	if m.lay.left.h <= 0 {
		return nil
	}
	if m.lay.single {
		if m.focus == paneLeft {
			return left()
		}
		return right()
	}
	l, r := left(), right()
	div := m.st.Divider.Render("│")
	out := make([]string, m.lay.left.h)
	for i := range out {
		out[i] = at(l, i, m.lay.left.w) + div + at(r, i, m.lay.right.w)
	}
	return out
}

func at(lines []string, i, width int) string {
	if i < len(lines) {
		return lines[i]
	}
	return strings.Repeat(" ", width)
}

func (m *Model) paneCtx() *paneCtx {
	c := &paneCtx{
		st:       &m.st,
		colors:   m.colors,
		born:     m.born,
		matches:  m.search.matches,
		now:      m.now(),
		showPIDs: m.showPIDs,
	}
	if m.w != nil {
		c.hostNS = m.w.hostNS.Ino
		c.gone = m.w.gone
	}
	return c
}

func (m *Model) detailsCtx() *detailsCtx {
	c := &detailsCtx{st: &m.st, w: m.w, p: m.selected(), users: m.users, colors: m.paneCtx(), loc: m.o.Location}
	if c.p != nil && m.o.Container != nil {
		c.container = m.o.Container(m.w.snap, c.p)
	}
	if s := m.selectedSandbox(); s != nil {
		c.sandbox = fmt.Sprintf("%d (%s)", s.id, s.command)
		if s.parent != 0 {
			c.sandbox += fmt.Sprintf(", inside sandbox %d", s.parent)
		}
	}
	return c
}

// headerLine: the host, counts, scan time, interval, warnings. When the
// line is too long, the least important parts go first.
func (m *Model) headerLine() string {
	type part struct {
		text string
		prio int // lower goes first
		warn bool
	}
	var parts []part
	add := func(text string, prio int, warn bool) { parts = append(parts, part{text, prio, warn}) }
	add(" nsview", 9, false)
	if m.w != nil {
		s := m.w.snap
		if m.live {
			if s.Hostname != "" {
				add("host "+oneLine(s.Hostname), 6, false)
			}
		} else {
			add("snapshot "+oneLine(m.o.Title), 6, false)
			taken := "taken " + s.Taken.In(m.o.Location).Format("2006-01-02 15:04:05")
			if s.Hostname != "" {
				taken += " on " + oneLine(s.Hostname)
			}
			add(taken, 1, false)
		}
		add(fmt.Sprintf("%d processes", len(s.Processes)), 5, false)
		add(fmt.Sprintf("%d PID ns / %d ns", m.w.pidNamespaces, len(s.Namespaces)), 4, false)
		for _, w := range s.Warnings {
			add("⚠ "+shortWarning(w), 8, true)
		}
		if n := s.Unreadable.Unread(); n > 0 {
			add(fmt.Sprintf("⚠ %d unreadable", n), 7, true)
		}
	}
	if m.live {
		add("scan "+roundDuration(m.took), 2, false)
		add("every "+m.interval.String(), 3, false)
	} else {
		add("refresh off", 3, false)
	}
	if m.scanErr != nil && m.w != nil {
		add("⚠ refresh failed: "+oneLine(m.scanErr.Error()), 8, true)
	}
	const sep = "  "
	width := func() int {
		w := 0
		for i, p := range parts {
			if i > 0 {
				w += len(sep)
			}
			w += ansi.StringWidth(p.text)
		}
		return w
	}
	for len(parts) > 1 && width() > m.width {
		drop := 0
		for i, p := range parts {
			if p.prio < parts[drop].prio {
				drop = i
			}
		}
		parts = append(parts[:drop], parts[drop+1:]...)
	}
	var l line
	for i, p := range parts {
		if i > 0 {
			l.add(sep, m.st.HeaderKey)
		}
		st := m.st.HeaderKey
		if p.warn {
			st = m.st.Header
		} else if i == 0 {
			st = m.st.Header
		}
		l.add(p.text, st)
	}
	over := m.st.HeaderKey
	return l.render(m.width, &over)
}

// shortWarning shortens known warnings for the header; the details are in
// the snapshot.
func shortWarning(w string) string {
	if strings.Contains(w, "belongs to another PID namespace") {
		return "/proc belongs to another PID namespace"
	}
	if strings.Contains(w, "mounted with hidepid") {
		return "hidepid: other users' processes hidden"
	}
	return oneLine(w)
}

func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// footerLine: the open prompt, else a status message, else key help.
func (m *Model) footerLine() string {
	switch {
	case m.prompt.active:
		return fit(m.prompt.input.View(), m.width)
	case m.search.typing:
		count := fmt.Sprintf("  %d match(es)", m.matchCount())
		if m.search.filter {
			count += " · filter"
		}
		in := m.search.input.View()
		return fitStyled(in+m.st.Label.Render(count), m.width)
	case m.status != "":
		st := m.st.Status
		if m.stErr {
			st = m.st.Error
		}
		return st.Render(fit(" "+oneLine(m.status), m.width))
	}
	return fitStyled(" "+m.help.ShortHelpView(m.keys.ShortHelp()), m.width)
}

// helpLines is the full help, in the space of the panes and details: the
// key columns flow left to right and wrap to the next block of rows when
// the width is used up.
func (m *Model) helpLines(n int) []string {
	out := []string{m.st.TitleFocused.Render(fit(" keys (? or esc to close)", m.width)), strings.Repeat(" ", m.width)}
	var block []string // the lines of the current row of columns
	used := 0
	flush := func() {
		for _, l := range block {
			out = append(out, fitStyled(l, m.width))
		}
		if len(block) > 0 {
			out = append(out, strings.Repeat(" ", m.width))
		}
		block, used = nil, 0
	}
	for _, group := range m.keys.FullHelp() {
		col := strings.Split(m.help.FullHelpView([][]key.Binding{group}), "\n")
		w := 0
		for _, l := range col {
			w = max(w, ansi.StringWidth(l))
		}
		if w == 0 {
			continue
		}
		if used > 0 && used+w+3 > m.width {
			flush()
		}
		for len(block) < len(col) {
			block = append(block, strings.Repeat(" ", used))
		}
		for i := range block {
			l := ""
			if i < len(col) {
				l = col[i]
			}
			block[i] = fitStyled(block[i], used) + "   " + fitStyled(l, w)
		}
		used += w + 3
	}
	flush()
	for len(out) < n {
		out = append(out, strings.Repeat(" ", m.width))
	}
	return out[:n]
}

// fitStyled cuts or pads styled text to exactly width cells.
func fitStyled(s string, width int) string {
	w := ansi.StringWidth(s)
	if w > width {
		return ansi.Truncate(s, width, "…")
	}
	return s + strings.Repeat(" ", width-w)
}

// oneLine escapes text (an error may hold a process name) for one line.
func oneLine(s string) string { return escapeText(strings.TrimRight(s, "\n")) }

// onClick selects the clicked row and focuses its pane.
func (m *Model) onClick(ms tea.Mouse) {
	if m.showHelp || m.w == nil || ms.Button != tea.MouseLeft {
		return
	}
	pane, r, ok := m.paneAt(ms.X, ms.Y)
	if !ok {
		return
	}
	m.focus = pane
	row := ms.Y - r.y - 1
	if row < 0 {
		return
	}
	if pane == paneRight && m.rmode == rightList {
		row -= 1
		if row >= 0 && m.nsl.offset+row < len(m.nsl.rows) {
			m.nsl.moveTo(m.nsl.offset + row)
		}
		return
	}
	p := m.left
	if pane == paneRight {
		p = m.right
	}
	if idx := p.offset + row; idx < len(p.rows) {
		m.selectRow(p, idx)
	}
}

// onWheel scrolls the pane under the mouse.
func (m *Model) onWheel(ms tea.Mouse) {
	if m.showHelp || m.w == nil {
		return
	}
	pane, _, ok := m.paneAt(ms.X, ms.Y)
	if !ok {
		return
	}
	d := 0
	switch ms.Button {
	case tea.MouseWheelUp:
		d = -3
	case tea.MouseWheelDown:
		d = 3
	default:
		return
	}
	if pane == paneRight && m.rmode == rightList {
		m.nsl.scroll(d)
		return
	}
	p := m.left
	if pane == paneRight {
		p = m.right
	}
	before := p.cursor
	p.scroll(d)
	if p.cursor != before {
		m.selectRow(p, p.cursor)
	}
}

// paneAt returns the pane at a screen position.
func (m *Model) paneAt(x, y int) (paneID, rect, bool) {
	l := m.lay
	if l.single {
		if l.left.contains(x, y) {
			return m.focus, l.left, true
		}
		return 0, rect{}, false
	}
	switch {
	case l.left.contains(x, y):
		return paneLeft, l.left, true
	case l.right.contains(x, y):
		return paneRight, l.right, true
	}
	return 0, rect{}, false
}

func escapeText(s string) string { return escape.Text(s) }
