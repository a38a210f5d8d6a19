package ui

import (
	"errors"
	"fmt"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
	"github.com/nsview/nsview/pkg/tree"
)

// How long a new process stays highlighted, and a vanished one dimmed.
const (
	newFor  = 5 * time.Second
	goneFor = 3 * time.Second
)

// DefaultInterval is the refresh interval of a live view.
const DefaultInterval = time.Second

// intervals are the steps + and - move the refresh interval through.
var intervals = []time.Duration{
	250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
	5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute,
}

// Options configure a Model.
type Options struct {
	// Source gives the snapshots; required.
	Source Source
	// Spawner starts sandboxes (s, S); nil disables them.
	Spawner Spawner
	// Sandboxes keeps the sandboxes the UI starts, for the caller to end
	// with CloseAll when the UI is gone; nil makes a set of its own.
	Sandboxes *Sandboxes
	// Interval between refreshes of a live source; 0 means
	// DefaultInterval.
	Interval time.Duration
	// Detach starts sandboxes that outlive nsview.
	Detach bool
	// Title names what is shown when the source is not live (the
	// snapshot file).
	Title string
	// Now is the clock (for tests); nil means time.Now.
	Now func() time.Time
	// Location is where start times are shown; nil means time.Local.
	Location *time.Location
	// Container names a process's container; nil or "" where unknown.
	Container func(s *tree.Snapshot, p *tree.Process) string
	// TestPanic, for tests of terminal restoration only, makes the UI
	// panic: "update" in Update on the first snapshot, "scan" in the
	// scanning tea.Cmd of the second scan.
	TestPanic string
}

type paneID int

const (
	paneLeft paneID = iota
	paneRight
)

type rightMode int

const (
	rightTree rightMode = iota
	rightList
)

// Model is the terminal UI: a header, the host's process tree on the left,
// the selected PID namespace from inside on the right (or the namespace
// list), the selected process's details below, and a footer with key help
// or a prompt.
type Model struct {
	o      Options
	keys   KeyMap
	st     Styles
	width  int
	height int
	lay    layout
	now    func() time.Time
	// tick schedules msg after d; tests replace it.
	tick func(d time.Duration, msg tea.Msg) tea.Cmd

	live     bool
	interval time.Duration
	scanning bool
	tickGen  int
	took     time.Duration
	scanErr  error
	scans    int
	fadeAt   time.Time

	raw    *tree.Snapshot
	w      *world
	users  map[uint32]string
	born   map[procKey]time.Time
	ghosts map[procKey]ghost
	colors map[uint64]int

	sel     procKey
	hasSel  bool
	focus   paneID
	left    *treePane
	right   *treePane
	nsl     nsList
	rmode   rightMode
	rightNS nsinfo.ID
	levelUp int
	onlyNS  nsinfo.ID
	det     details

	search   searchState
	prompt   promptState
	help     help.Model
	showHelp bool
	showPIDs bool
	status   string
	stErr    bool

	sbx       *Sandboxes
	selectPID int // a new sandbox's init, selected when it appears

	sig os.Signal

	// frame is the last screen drawn; View draws again only when an
	// Update may have changed it.
	frame      string
	frameValid bool
}

// promptState is the spawn prompt: the command to run in a new sandbox.
type promptState struct {
	input  textinput.Model
	active bool
	in     *sandbox // spawn inside this one (S), nil for s
}

// New returns the UI's model.
func New(o Options) *Model {
	m := &Model{
		o:        o,
		keys:     DefaultKeyMap(),
		st:       NewStyles(true),
		now:      o.Now,
		live:     o.Source != nil && o.Source.Live(),
		interval: o.Interval,
		born:     map[procKey]time.Time{},
		ghosts:   map[procKey]ghost{},
		colors:   map[uint64]int{},
		left:     newTreePane(),
		right:    newTreePane(),
		help:     help.New(),
		showPIDs: true,
		sbx:      o.Sandboxes,
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.o.Location == nil {
		m.o.Location = time.Local
	}
	if m.interval <= 0 {
		m.interval = DefaultInterval
	}
	if m.sbx == nil {
		m.sbx = &Sandboxes{}
	}
	m.tick = func(d time.Duration, msg tea.Msg) tea.Cmd {
		return tea.Tick(d, func(time.Time) tea.Msg { return msg })
	}
	m.search.input = newInput("/", m.st)
	m.prompt.input = newInput("", m.st)
	m.prompt.input.Placeholder = "command (enter: demo workload)"
	m.help.Styles = m.st.Help
	if !m.live || o.Spawner == nil {
		m.keys.Spawn.SetEnabled(false)
		m.keys.SpawnNested.SetEnabled(false)
		m.keys.EndSandbox.SetEnabled(false)
	}
	if !m.live {
		m.keys.Refresh.SetEnabled(false)
		m.keys.Slower.SetEnabled(false)
		m.keys.Faster.SetEnabled(false)
	}
	m.resize(80, 24)
	m.width, m.height = 0, 0
	return m
}

func newInput(prompt string, st Styles) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.SetStyles(st.Input)
	ti.CharLimit = 256
	return ti
}

// Sandboxes returns the set of sandboxes the UI started.
func (m *Model) Sandboxes() *Sandboxes { return m.sbx }

// Signal returns the signal that ended the UI, nil if none did.
func (m *Model) Signal() os.Signal { return m.sig }

// Init starts the first scan and asks the terminal for its background.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.startScan(), tea.RequestBackgroundColor)
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case tickMsg, tea.ModeReportMsg, tea.EnvMsg, tea.ColorProfileMsg, tea.KeyboardEnhancementsMsg:
		// Nothing on screen changes: a tick only starts a scan.
	default:
		m.frameValid = false
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		m.setStyles(NewStyles(msg.IsDark()))
	case snapshotMsg:
		if m.o.TestPanic == "update" {
			panic("nsview: test panic in Update (NSVIEW_TEST_PANIC=update)")
		}
		return m, m.onSnapshot(msg)
	case tickMsg:
		if msg.gen == m.tickGen && m.live && !m.scanning {
			return m, m.startScan()
		}
	case fadeMsg:
		m.fadeAt = time.Time{}
		m.expire(true)
		return m, m.scheduleFade()
	case spawnedMsg:
		return m, m.onSpawned(msg)
	case sandboxEndedMsg:
		return m, m.onSandboxEnded(msg)
	case signalMsg:
		m.sig = msg.sig
		return m, tea.Quit
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.PasteMsg:
		return m, m.onPaste(msg)
	case tea.MouseClickMsg:
		m.onClick(msg.Mouse())
	case tea.MouseWheelMsg:
		m.onWheel(msg.Mouse())
	}
	return m, nil
}

// setStyles switches the styles (light or dark background).
func (m *Model) setStyles(st Styles) {
	m.st = st
	m.help.Styles = st.Help
	m.search.input.SetStyles(st.Input)
	m.prompt.input.SetStyles(st.Input)
}

// startScan runs one scan in a tea.Cmd.
func (m *Model) startScan() tea.Cmd {
	if m.o.Source == nil || m.scanning {
		return nil
	}
	m.scanning = true
	src, live, known, fresh := m.o.Source, m.live, m.users, m.onScreen()
	panicNow := m.o.TestPanic == "scan" && m.scans >= 1
	return func() tea.Msg {
		if panicNow {
			panic("nsview: test panic in the scanner (NSVIEW_TEST_PANIC=scan)")
		}
		start := time.Now()
		s, err := src.Scan(fresh)
		took := time.Since(start)
		if err != nil {
			return snapshotMsg{err: err, took: took}
		}
		var users map[uint32]string
		if live {
			users = lookupUsers(s, known)
		}
		return snapshotMsg{snap: s, took: took, users: users}
	}
}

// onScreen returns the host PIDs of the rows on screen and of the
// selection: a refresh reads them fresh.
func (m *Model) onScreen() []int {
	var out []int
	for _, p := range []*treePane{m.left, m.right} {
		if p.view == nil {
			continue
		}
		for i := p.offset; i < min(len(p.rows), p.offset+p.body()); i++ {
			out = append(out, p.view.Entries[p.rows[i]].Proc.PID)
		}
	}
	if m.hasSel {
		out = append(out, m.sel.pid)
	}
	return out
}

// scheduleTick plans the next refresh.
func (m *Model) scheduleTick() tea.Cmd {
	if !m.live {
		return nil
	}
	m.tickGen++
	return m.tick(m.interval, tickMsg{gen: m.tickGen})
}

// onSnapshot shows a new scan: what appeared is highlighted, what vanished
// fades, the selection, folds and scroll stay on the same processes.
func (m *Model) onSnapshot(msg snapshotMsg) tea.Cmd {
	m.scanning = false
	m.scans++
	m.took = msg.took
	if msg.err != nil {
		m.scanErr = msg.err
		return m.scheduleTick()
	}
	m.scanErr = nil
	if msg.users != nil {
		m.users = msg.users
	}
	now := m.now()
	old := m.w
	if prev := m.raw; prev != nil && prev != msg.snap {
		diff(prev, msg.snap, func(p *tree.Process) {
			m.born[keyOf(p)] = now.Add(newFor)
		}, func(p *tree.Process) {
			m.ghosts[keyOf(p)] = ghost{p: *p, until: now.Add(goneFor)}
		})
	}
	m.raw = msg.snap
	m.expire(false)
	m.w = newWorld(m.raw, m.ghosts)
	m.assignColors()
	m.nsl.setSnapshot(m.w.snap)
	m.findMatches()

	switch {
	case m.selectPID != 0:
		if p, ok := m.raw.Proc(m.selectPID); ok {
			m.selectPID = 0
			m.sel, m.hasSel = keyOf(p), true
			m.levelUp = 0
			m.rightNS = nsinfo.ID{}
			m.rmode = rightTree
		}
	case m.hasSel && !m.alive(m.sel):
		m.sel, m.hasSel = m.survivor(old, m.sel)
		m.rightNS = nsinfo.ID{}
	}
	m.rebuild()
	cmds := []tea.Cmd{m.scheduleTick(), m.scheduleFade()}
	cmds = append(cmds, m.checkSandboxes()...)
	return tea.Batch(cmds...)
}

// diff calls born for each process of cur not in prev and gone for each of
// prev not in cur (same PID and start time is the same process).
func diff(prev, cur *tree.Snapshot, born, gone func(*tree.Process)) {
	for i := range cur.Processes {
		q := &cur.Processes[i]
		if p, ok := prev.Proc(q.PID); !ok || p.StartTime != q.StartTime {
			born(q)
		}
	}
	for i := range prev.Processes {
		p := &prev.Processes[i]
		if q, ok := cur.Proc(p.PID); !ok || q.StartTime != p.StartTime {
			gone(p)
		}
	}
}

// alive reports whether the process is in the latest scan.
func (m *Model) alive(k procKey) bool {
	if m.raw == nil {
		return false
	}
	p, ok := m.raw.Proc(k.pid)
	return ok && p.StartTime == k.start
}

// survivor returns the nearest ancestor of a vanished process that is
// still alive, as the previous world knew its ancestry.
func (m *Model) survivor(old *world, k procKey) (procKey, bool) {
	p, ok := old.proc(k)
	for steps := 0; ok && steps < len(old.snap.Processes); steps++ {
		if p, ok = old.parentOf(p); ok && m.alive(keyOf(p)) {
			return keyOf(p), true
		}
	}
	return procKey{}, false
}

// expire forgets highlights and fading processes whose time is up. With
// redraw (a fadeMsg) the faded processes also leave the screen now, unless
// a refresh, which rebuilds everything anyway, comes soon enough.
func (m *Model) expire(redraw bool) {
	now := m.now()
	for k, t := range m.born {
		if !now.Before(t) {
			delete(m.born, k)
		}
	}
	if redraw && !m.fadeByTimer() {
		return
	}
	faded := false
	for k, g := range m.ghosts {
		if !now.Before(g.until) {
			delete(m.ghosts, k)
			faded = true
		}
	}
	if redraw && faded && m.raw != nil {
		m.w = newWorld(m.raw, m.ghosts)
		m.rebuild()
	}
}

// fadeByTimer reports whether vanished processes leave the screen on a
// timer of their own: when no refresh comes within their time.
func (m *Model) fadeByTimer() bool { return !m.live || m.interval > goneFor }

// scheduleFade plans a redraw for when the next highlight (or fading
// process, see fadeByTimer) expires.
func (m *Model) scheduleFade() tea.Cmd {
	var next time.Time
	for _, t := range m.born {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if m.fadeByTimer() {
		for _, g := range m.ghosts {
			if next.IsZero() || g.until.Before(next) {
				next = g.until
			}
		}
	}
	if next.IsZero() || (!m.fadeAt.IsZero() && !m.fadeAt.After(next)) {
		return nil
	}
	m.fadeAt = next
	return m.tick(max(next.Sub(m.now()), 10*time.Millisecond), fadeMsg{})
}

// assignColors gives each PID namespace not seen before a palette slot, in
// the order of the namespace tree, so that colors stay put across
// refreshes.
func (m *Model) assignColors() {
	known := true
	for i := range m.w.snap.Namespaces {
		n := &m.w.snap.Namespaces[i]
		if _, ok := m.colors[n.Ino]; n.Type == nsinfo.PID && !ok && n.Ino != m.w.hostNS.Ino {
			known = false
			break
		}
	}
	if known {
		return
	}
	nt := m.w.snap.NamespaceTree()
	stack := append([]int(nil), nt.Roots...)
	for len(stack) > 0 {
		i := stack[0]
		stack = stack[1:]
		ino := nt.Nodes[i].NS.Ino
		if _, ok := m.colors[ino]; !ok && ino != m.w.hostNS.Ino {
			m.colors[ino] = len(m.colors)
		}
		stack = append(stack, nt.Nodes[i].Children...)
	}
}

// onSpawned selects a new sandbox as soon as a scan shows it.
func (m *Model) onSpawned(msg spawnedMsg) tea.Cmd {
	if msg.err != nil {
		switch {
		case errors.Is(msg.err, spawn.ErrUnsupported):
			m.setStatus("spawn: not available in this build of nsview (pkg/spawn: "+msg.err.Error()+")", true)
		default:
			m.setStatus("spawn: "+msg.err.Error(), true)
		}
		return nil
	}
	info := msg.sb.info
	m.selectPID = info.CommandPID
	if len(info.Inits) > 0 {
		m.selectPID = info.Inits[0]
	}
	m.setStatus(fmt.Sprintf("sandbox %d started: host PID %d, %s", msg.sb.id, m.selectPID, msg.sb.innerNS()), false)
	m.tickGen++ // the scheduled tick is replaced by this scan
	return m.startScan()
}

// onSandboxEnded reports an ended sandbox and refreshes, so that its
// processes go.
func (m *Model) onSandboxEnded(msg sandboxEndedMsg) tea.Cmd {
	s := m.sbx.byID(msg.id)
	if s == nil {
		return nil
	}
	s.ended = true
	if msg.err != nil {
		m.setStatus(fmt.Sprintf("sandbox %d: %v", msg.id, msg.err), true)
	} else {
		m.setStatus(fmt.Sprintf("sandbox %d ended", msg.id), false)
	}
	m.tickGen++
	return m.startScan()
}

// checkSandboxes ends (reaps) the sandboxes whose command has exited.
func (m *Model) checkSandboxes() []tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range m.sbx.all() {
		if s.ended {
			continue
		}
		_, ok := m.raw.Proc(s.info.CommandPID)
		switch {
		case ok:
			s.seen = true
		case s.seen:
			s.ended = true
			cmds = append(cmds, closeCmd(s))
		}
	}
	return cmds
}

// closeCmd ends a sandbox in a tea.Cmd.
func closeCmd(s *sandbox) tea.Cmd {
	return func() tea.Msg { return sandboxEndedMsg{id: s.id, err: s.close()} }
}

func (m *Model) setStatus(s string, isErr bool) { m.status, m.stErr = s, isErr }
