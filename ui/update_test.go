package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/lucasb-eyer/go-colorful"

	"github.com/nsview/nsview/pkg/container"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// fakeLive is a fake live source: each scan returns the snapshot set
// last, or an error.
type fakeLive struct {
	mu    sync.Mutex
	snap  *tree.Snapshot
	err   error
	scans int
}

func (l *fakeLive) Scan([]int) (*tree.Snapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.scans++
	return l.snap, l.err
}
func (l *fakeLive) Live() bool { return true }

func (l *fakeLive) set(s *tree.Snapshot, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snap, l.err = s, err
}

// procsWithout returns the fixture's processes but those listed, plus
// extra.
func procsWithout(drop []int, extra ...fixProc) []fixProc {
	var out []fixProc
	for _, p := range fixtureProcs() {
		if !slices.Contains(drop, p.pid) {
			out = append(out, p)
		}
	}
	return append(out, extra...)
}

func newLive(t *testing.T, w, h int, o Options) (*testModel, *fakeLive) {
	src := &fakeLive{snap: fixture()}
	return newTestModel(t, src, w, h, o), src
}

// refresh makes the next scheduled refresh happen with snapshot s.
func (tm *testModel) refresh(src *fakeLive, s *tree.Snapshot) {
	tm.t.Helper()
	src.set(s, nil)
	tm.send(tickMsg{gen: tm.tickGen})
}

func (tm *testModel) selPID() int {
	if p := tm.selected(); p != nil {
		return p.PID
	}
	return 0
}

// rowText is the plain text of the row showing a host PID in a pane.
func (tm *testModel) rowText(p *treePane, pid int) string {
	for r, e := range p.rows {
		if p.view.Entries[e].Proc.PID == pid {
			var l line
			p.rowLine(&l, int(e), tm.paneCtx())
			_ = r
			return ansi.Strip(l.render(200, nil))
		}
	}
	return ""
}

func (tm *testModel) plain() string { return ansi.Strip(tm.View().Content) }

func TestMoveKeys(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{})
	if got := tm.selPID(); got != 1 {
		t.Fatalf("first selection is %d, want 1 (the first row)", got)
	}
	tm.key("j")
	if got := tm.selPID(); got != 250 {
		t.Errorf("j: selected %d, want 250", got)
	}
	tm.key("down", "down")
	if got := tm.selPID(); got != 48213 {
		t.Errorf("down down: selected %d, want 48213", got)
	}
	tm.key("k", "up")
	if got := tm.selPID(); got != 250 {
		t.Errorf("k up: selected %d, want 250", got)
	}
	tm.key("G")
	if got := tm.selPID(); got != 3 {
		t.Errorf("G: selected %d, want 3 (the last row)", got)
	}
	tm.key("g")
	if got := tm.selPID(); got != 1 {
		t.Errorf("g: selected %d, want 1", got)
	}
	tm.key("end")
	if got := tm.selPID(); got != 3 {
		t.Errorf("end: selected %d, want 3", got)
	}
	tm.key("home")
	body := tm.left.body()
	tm.key("pgdown")
	if got := tm.left.cursor; got != body-1 {
		t.Errorf("pgdown: cursor at row %d, want %d", got, body-1)
	}
	tm.key("pgup")
	if got := tm.left.cursor; got != 0 {
		t.Errorf("pgup: cursor at row %d, want 0", got)
	}
	tm.key("space")
	if got := tm.left.cursor; got != body-1 {
		t.Errorf("space: cursor at row %d, want %d", got, body-1)
	}
	tm.key("ctrl+b")
	tm.key("ctrl+f")
	if got := tm.left.cursor; got != body-1 {
		t.Errorf("ctrl+b ctrl+f: cursor at row %d, want %d", got, body-1)
	}
	tm.key("k")
	if tm.left.offset > tm.left.cursor || tm.left.cursor >= tm.left.offset+body {
		t.Errorf("cursor %d off screen (offset %d, %d rows)", tm.left.cursor, tm.left.offset, body)
	}
}

// Selecting a process on the left shows its PID namespace on the right,
// with the same process selected there: outer and inner PIDs together.
func TestSelectionSyncsPanes(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 160, 48, Options{})
	tm.selectPID(48230)
	if tm.rightNS.Ino != nsA {
		t.Fatalf("right pane shows %s, want pid:[%d]", tm.rightNS, nsA)
	}
	e := tm.right.current()
	if e < 0 || tm.right.view.Entries[e].PID != 2 || tm.right.view.Entries[e].Proc.PID != 48230 {
		t.Fatalf("right cursor is not on sleep 2 (host 48230)")
	}
	if got := tm.rowText(tm.left, 48230); !strings.Contains(got, "sleep 48230 → 2") {
		t.Errorf("left row %q, want it to show the host PID and the inner one", got)
	}
	// In the right pane, moving selects there, and the left follows; the
	// right pane stays on its namespace.
	tm.key("tab")
	if tm.focus != paneRight {
		t.Fatal("tab did not focus the right pane")
	}
	tm.key("j")
	if got := tm.selPID(); got != 48231 {
		t.Errorf("j on the right: selected %d, want 48231", got)
	}
	if tm.left.view.Entries[tm.left.current()].Proc.PID != 48231 {
		t.Error("left cursor did not follow")
	}
	tm.key("j") // into the nested namespace B: the right pane stays on A
	if got := tm.selPID(); got != 48232 || tm.rightNS.Ino != nsA {
		t.Errorf("selected %d showing %s, want 48232 in pid:[%d]", got, tm.rightNS, nsA)
	}
	tm.key("shift+tab")
	if tm.focus != paneLeft {
		t.Error("shift+tab did not focus the left pane")
	}
	tm.key("j") // on the left the right pane follows to B
	if got := tm.selPID(); got != 48233 || tm.rightNS.Ino != nsB {
		t.Errorf("selected %d showing %s, want 48233 in pid:[%d]", got, tm.rightNS, nsB)
	}
}

func TestFoldKeys(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{})
	tm.selectPID(48214)
	rows := len(tm.left.rows)
	tm.key("h") // fold bash 48214: its 4 descendants go
	if got := len(tm.left.rows); got != rows-4 {
		t.Errorf("h: %d rows, want %d", got, rows-4)
	}
	if got := tm.rowText(tm.left, 48214); !strings.Contains(got, "+4") {
		t.Errorf("folded row %q does not say how many rows it hides", got)
	}
	tm.key("h") // already folded: go to the parent
	if got := tm.selPID(); got != 48213 {
		t.Errorf("h on a folded row: selected %d, want its parent 48213", got)
	}
	tm.key("j", "l") // unfold
	if got := len(tm.left.rows); got != rows {
		t.Errorf("l: %d rows, want %d", got, rows)
	}
	tm.key("right") // unfolded: go to the first child
	if got := tm.selPID(); got != 48230 {
		t.Errorf("right on an unfolded row: selected %d, want 48230", got)
	}
	tm.key("left") // a leaf: go to the parent
	if got := tm.selPID(); got != 48214 {
		t.Errorf("left on a leaf: selected %d, want 48214", got)
	}
	tm.key("2") // two levels: roots and their children
	for _, e := range tm.left.rows {
		if d := tm.left.ddepth[e]; d > 1 {
			t.Fatalf("2: a row at depth %d is shown", d)
		}
	}
	if got := tm.selPID(); got != 250 {
		t.Errorf("2: the selection moved to %d, want the shown ancestor 250", got)
	}
	tm.key("0")
	if got := len(tm.left.rows); got != rows {
		t.Errorf("0: %d rows, want all %d", got, rows)
	}
	// Folds in the right pane are its own.
	tm.selectPID(48214)
	tm.key("tab", "h")
	if len(tm.right.rows) != 1 || len(tm.left.rows) != rows {
		t.Errorf("fold on the right: right %d rows, left %d; want 1 and %d", len(tm.right.rows), len(tm.left.rows), rows)
	}
}

func TestSearchKeys(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{})
	tm.key("/")
	if !tm.search.typing {
		t.Fatal("/ did not open the search prompt")
	}
	tm.typeText("ngi")
	if got := tm.selPID(); got != 401 {
		t.Errorf("typing ngi: selected %d, want the first match 401", got)
	}
	if !strings.Contains(tm.plain(), "3 match(es)") {
		t.Errorf("the prompt does not count 3 matches:\n%s", tm.plain())
	}
	tm.key("enter")
	tm.key("n")
	if got := tm.selPID(); got != 402 {
		t.Errorf("n: selected %d, want 402", got)
	}
	tm.key("N", "N")
	if got := tm.selPID(); got != 403 {
		t.Errorf("N N: selected %d, want 403 (wrapping)", got)
	}
	// A PID in any numbering: 5 is sleep 48233's PID in namespace A.
	tm.key("/")
	for range 3 {
		tm.key("backspace")
	}
	tm.typeText("5")
	if got := tm.selPID(); got != 48233 {
		t.Errorf("search 5: selected %d, want 48233 (PID 5 inside A)", got)
	}
	tm.key("esc")
	if tm.search.query != "" || tm.selPID() != 403 {
		t.Errorf("esc: query %q selected %d, want none and back at 403", tm.search.query, tm.selPID())
	}
	// By command line.
	tm.key("/")
	tm.typeText("http.server")
	tm.key("enter")
	if got := tm.selPID(); got != 600 {
		t.Errorf("search http.server: selected %d, want 600", got)
	}
	// Filter: matches and their ancestors only.
	tm.key("f")
	var shown []int
	for _, e := range tm.left.rows {
		shown = append(shown, tm.left.view.Entries[e].Proc.PID)
	}
	if !slices.Equal(shown, []int{1, 600}) {
		t.Errorf("filter: rows %v, want [1 600]", shown)
	}
	tm.key("f")
	if len(tm.left.rows) != len(tm.left.view.Entries) {
		t.Error("f again did not lift the filter")
	}
	tm.key("esc")
	if tm.search.query != "" || tm.search.matches != nil {
		t.Error("esc did not clear the search")
	}
	tm.key("f") // no query: f opens the prompt in filter mode
	if !tm.search.typing || !tm.search.filter {
		t.Error("f without a query did not open a filtering search")
	}
	tm.typeText("sleep")
	tm.key("enter")
	for _, e := range tm.left.rows {
		p := tm.left.view.Entries[e].Proc
		if !strings.Contains(p.Comm, "sleep") && tm.left.kids[e] == 0 {
			t.Errorf("filter sleep: %s %d is shown and is neither a match nor an ancestor", p.Comm, p.PID)
		}
	}
	tm.key("n")
	tm.key("esc")
	tm.key("n")
	if !strings.Contains(tm.status, "no search") {
		t.Errorf("n without a search: status %q", tm.status)
	}
}

func TestNamespaceKeys(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 160, 48, Options{})
	tm.key("]")
	if got := tm.selPID(); got != 48214 {
		t.Errorf("]: selected %d, want 48214 (starts A)", got)
	}
	tm.key("]")
	if got := tm.selPID(); got != 48232 {
		t.Errorf("] ]: selected %d, want 48232 (starts B)", got)
	}
	tm.key("]", "[")
	if got := tm.selPID(); got != 48232 {
		t.Errorf("] [: selected %d, want 48232", got)
	}
	// Levels: the right pane moves up B's chain and back.
	tm.key("<")
	if tm.rightNS.Ino != nsA {
		t.Errorf("<: right shows %s, want A", tm.rightNS)
	}
	tm.key("<")
	if tm.rightNS.Ino != nsHost {
		t.Errorf("< <: right shows %s, want the host's", tm.rightNS)
	}
	tm.key("<")
	if !strings.Contains(tm.status, "outermost") {
		t.Errorf("< at the top: status %q", tm.status)
	}
	tm.key(">")
	if tm.rightNS.Ino != nsA {
		t.Errorf("< < >: right shows %s, want A", tm.rightNS)
	}
	tm.key(">", ">")
	if tm.rightNS.Ino != nsB || !strings.Contains(tm.status, "own") {
		t.Errorf("> at the bottom: right %s status %q", tm.rightNS, tm.status)
	}
	// Only the selected PID namespace (and below) on the left.
	tm.selectPID(48214)
	tm.key("o")
	var shown []int
	for _, e := range tm.left.rows {
		shown = append(shown, tm.left.view.Entries[e].Proc.PID)
	}
	if !slices.Equal(shown, []int{48214, 48230, 48231, 48232, 48233}) {
		t.Errorf("o: left shows %v, want namespace A's processes", shown)
	}
	tm.key("o")
	if len(tm.left.rows) != len(tm.left.view.Entries) {
		t.Error("o again did not show everything")
	}
	tm.key("o", "esc")
	if !tm.onlyNS.IsZero() {
		t.Error("esc did not lift the namespace restriction")
	}
}

func TestNamespaceList(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 160, 48, Options{})
	tm.key("v")
	if tm.rmode != rightList || tm.focus != paneRight {
		t.Fatal("v did not show and focus the namespace list")
	}
	types := map[nsinfo.Type]bool{}
	for _, r := range tm.nsl.rows {
		types[r.id.Type] = true
	}
	if len(types) != nsinfo.NumTypes {
		t.Errorf("the list has %d types, want all %d", len(types), nsinfo.NumTypes)
	}
	if !strings.Contains(tm.plain(), "4026532501  pid") {
		t.Errorf("the list does not show C:\n%s", tm.plain())
	}
	// Choose C: its tree, its init selected.
	for tm.nsl.rows[tm.nsl.cursor].id != (nsinfo.ID{Type: nsinfo.PID, Ino: nsC}) {
		tm.key("j")
	}
	tm.key("enter")
	if tm.rmode != rightTree || tm.rightNS.Ino != nsC || tm.selPID() != 401 {
		t.Errorf("enter on C: mode %d, right %s, selected %d", tm.rmode, tm.rightNS, tm.selPID())
	}
	// Another type selects its first process and keeps the list.
	tm.key("v", "g")
	first := tm.nsl.rows[0]
	tm.key("enter")
	if tm.rmode != rightList || tm.selPID() != first.pid {
		t.Errorf("enter on %s: mode %d selected %d, want the list and %d", first.id, tm.rmode, tm.selPID(), first.pid)
	}
	tm.key("G", "k", "v")
	if tm.rmode != rightTree {
		t.Error("v did not go back to the tree")
	}
}

func TestRefreshKeepsSelectionAndMarksChanges(t *testing.T) {
	tm, src := newLive(t, 80, 24, Options{})
	if len(tm.timers) == 0 {
		t.Fatal("no refresh was scheduled")
	}
	tm.selectPID(48230)
	tm.key("tab") // the right pane keeps its own cursor too
	screen := tm.left.cursor - tm.left.offset
	// 900 appears before everything else in the tree (a child of 1 with
	// a low start), 48230 stays, 402 vanishes.
	tm.refresh(src, buildSnapshot(procsWithout([]int{402}, fixProc{251, 1, "cron", []int{251}, nsHost, nil, []string{"cron"}, 0, "S"})))
	if got := tm.selPID(); got != 48230 {
		t.Fatalf("after a refresh the selection is %d, want still 48230", got)
	}
	if got := tm.left.cursor - tm.left.offset; got != screen {
		t.Errorf("the selected row moved on screen from line %d to %d", screen, got)
	}
	if k := (procKey{251, 100 + 251*10}); tm.born[k].IsZero() {
		t.Error("the new process is not highlighted")
	}
	if k := (procKey{402, 100 + 402*10}); !tm.w.gone[k] {
		t.Error("the vanished process is not shown fading")
	}
	if got := tm.rowText(tm.left, 402); got == "" {
		t.Error("the vanished process is not in the tree while it fades")
	}
	// Time passes: the highlight goes, and with the next refresh the
	// fading row.
	tm.now = tm.now.Add(newFor)
	tm.send(fadeMsg{})
	if len(tm.born) != 0 {
		t.Errorf("after %s: %d highlighted", newFor, len(tm.born))
	}
	tm.refresh(src, buildSnapshot(procsWithout([]int{402}, fixProc{251, 1, "cron", []int{251}, nsHost, nil, []string{"cron"}, 0, "S"})))
	if len(tm.ghosts) != 0 || tm.rowText(tm.left, 402) != "" {
		t.Errorf("after %s and a refresh: %d fading", newFor, len(tm.ghosts))
	}
	// With refreshes further apart than the fading, a timer takes the
	// row away.
	tm.key("+", "+", "+") // 10s
	tm.refresh(src, buildSnapshot(procsWithout([]int{402, 403})))
	if tm.rowText(tm.left, 403) == "" {
		t.Fatal("403 does not fade")
	}
	tm.now = tm.now.Add(goneFor)
	tm.send(fadeMsg{})
	if tm.rowText(tm.left, 403) != "" {
		t.Error("at a 10s interval, 403 did not go after fading")
	}
}

func TestSelectedVanishesToAncestor(t *testing.T) {
	tm, src := newLive(t, 80, 24, Options{})
	tm.selectPID(48233)
	tm.refresh(src, buildSnapshot(procsWithout([]int{48233, 48232})))
	if got := tm.selPID(); got != 48231 {
		t.Errorf("selected 48233 and its parent vanished: selection is %d, want 48231", got)
	}
	if tm.rightNS.Ino != nsA {
		t.Errorf("right pane shows %s, want A (48231's)", tm.rightNS)
	}
}

func TestScanErrorKeepsLastSnapshot(t *testing.T) {
	tm, src := newLive(t, 80, 24, Options{})
	src.set(nil, errors.New("list /proc: too many open files"))
	tm.send(tickMsg{gen: tm.tickGen})
	if tm.w == nil || tm.selPID() != 1 {
		t.Fatal("a failed refresh lost the view")
	}
	if !strings.Contains(tm.plain(), "refresh failed") {
		t.Errorf("the header does not say the refresh failed:\n%s", tm.plain())
	}
	n := len(tm.timers)
	tm.refresh(src, fixture())
	if tm.scanErr != nil || len(tm.timers) != n+1 {
		t.Error("refresh did not recover after an error")
	}
}

func TestTicks(t *testing.T) {
	tm, src := newLive(t, 80, 24, Options{})
	scans := src.scans
	tm.send(tickMsg{gen: tm.tickGen - 1})
	if src.scans != scans {
		t.Error("a stale tick scanned")
	}
	tm.send(tickMsg{gen: tm.tickGen})
	if src.scans != scans+1 {
		t.Error("the current tick did not scan")
	}
	tm.key("r")
	if src.scans != scans+2 {
		t.Error("r did not scan")
	}
	tm.key("+")
	if tm.interval != 2*time.Second || !strings.Contains(tm.status, "2s") {
		t.Errorf("+: interval %s status %q", tm.interval, tm.status)
	}
	tm.key("-", "-", "-")
	if tm.interval != 250*time.Millisecond {
		t.Errorf("- - -: interval %s, want 250ms", tm.interval)
	}
	tm.key("-")
	if tm.interval != 250*time.Millisecond {
		t.Errorf("- at the fastest: %s", tm.interval)
	}
	// A snapshot is never refreshed.
	st := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{})
	if len(st.timers) != 0 {
		t.Error("a snapshot file is refreshed")
	}
	if !strings.Contains(st.plain(), "refresh off") {
		t.Error("the header does not say refresh is off")
	}
}

func TestOtherKeys(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{})
	tm.key("p")
	if strings.Contains(tm.rowText(tm.left, 250), "250") {
		t.Error("p did not hide PIDs")
	}
	tm.key("p")
	if !strings.Contains(tm.rowText(tm.left, 250), "250") {
		t.Error("p again did not show PIDs")
	}
	tm.key("?")
	if !tm.showHelp || !strings.Contains(tm.plain(), "fold below depth") {
		t.Error("? did not show the full help")
	}
	tm.key("?")
	if tm.showHelp {
		t.Error("? did not close the help")
	}
	tm.key("?", "esc")
	if tm.showHelp {
		t.Error("esc did not close the help")
	}
	tm.key("q")
	if !tm.quit {
		t.Error("q did not quit")
	}
	tm = newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{})
	tm.key("ctrl+c")
	if !tm.quit {
		t.Error("ctrl+c did not quit")
	}
}

func TestMessages(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{})
	tm.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	if lines := strings.Split(tm.plain(), "\n"); len(lines) != 10 || ansi.StringWidth(lines[0]) != 40 {
		t.Errorf("at 40x10 the view is %d lines of %d cells", len(lines), ansi.StringWidth(lines[0]))
	}
	light := NewStyles(false)
	tm.send(tea.BackgroundColorMsg{Color: colorful.Color{R: 1, G: 1, B: 1}})
	if fmt.Sprint(tm.st.NS[0]) != fmt.Sprint(light.NS[0]) {
		t.Error("a light background did not switch to the light styles")
	}
	tm.send(signalMsg{sig: syscall.SIGTERM})
	if !tm.quit || tm.Signal() != syscall.SIGTERM {
		t.Error("SIGTERM did not quit")
	}
}

// Every size from 40x10 up draws exactly the terminal's size, whatever is
// selected or open.
func TestSizes(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{})
	for _, keys := range [][]string{{}, {"G"}, {"]"}, {"v"}, {"?"}, {"/"}} {
		for _, sz := range [][2]int{{40, 10}, {41, 11}, {63, 15}, {64, 16}, {100, 30}, {250, 70}, {20, 5}} {
			tm.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			tm.key(keys...)
			lines := strings.Split(tm.plain(), "\n")
			if len(lines) != sz[1] {
				t.Errorf("%v at %dx%d: %d lines", keys, sz[0], sz[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Errorf("%v at %dx%d: line %d is %d cells: %q", keys, sz[0], sz[1], i, w, l)
					break
				}
			}
			tm.key("esc")
			if tm.showHelp {
				tm.key("?")
			}
		}
	}
}

// Names reach the screen escaped: no control byte, no bidi override.
func TestViewEscapesNames(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 160, 48, Options{})
	tm.selectPID(500)
	out := tm.View().Content
	for _, bad := range []string{"\x1b[31m", "\x1b]0", "\a", "\u202e", "A\nB"} {
		if strings.Contains(out, bad) {
			t.Errorf("the screen holds %q raw", bad)
		}
	}
	if !strings.Contains(tm.plain(), `\x1b[31mA\nB`) || !strings.Contains(tm.plain(), `\u202eevil`) {
		t.Errorf("the escaped name or argument is missing:\n%s", tm.plain())
	}
}

func TestMouse(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 160, 48, Options{})
	// Rows start below the header and the pane title: y=2 is row 0.
	row := tm.left.rowFor(procKey{400, 100 + 400*10})
	tm.send(tea.MouseClickMsg{X: 5, Y: 2 + row, Button: tea.MouseLeft})
	if got := tm.selPID(); got != 400 {
		t.Errorf("click on row %d: selected %d, want 400", row, got)
	}
	tm.selectPID(48214)
	tm.send(tea.MouseClickMsg{X: tm.lay.right.x + 3, Y: 3, Button: tea.MouseLeft})
	if tm.focus != paneRight || tm.selPID() != 48230 {
		t.Errorf("click on the right pane's second row: focus %d selected %d, want right and 48230", tm.focus, tm.selPID())
	}
	tm.send(tea.WindowSizeMsg{Width: 100, Height: 12})
	tm.key("shift+tab", "g")
	tm.send(tea.MouseWheelMsg{X: 5, Y: 5, Button: tea.MouseWheelDown})
	if tm.left.offset != 3 || tm.left.cursor < 3 {
		t.Errorf("wheel down: offset %d cursor %d, want 3 and on screen", tm.left.offset, tm.left.cursor)
	}
	tm.send(tea.MouseWheelMsg{X: 5, Y: 5, Button: tea.MouseWheelUp})
	if tm.left.offset != 0 {
		t.Errorf("wheel up: offset %d, want 0", tm.left.offset)
	}
}

func TestMatcher(t *testing.T) {
	s := fixture()
	match := func(q string) []int {
		var out []int
		mt := newMatcher(q)
		for i := range s.Processes {
			if mt.match(&s.Processes[i]) {
				out = append(out, s.Processes[i].PID)
			}
		}
		return out
	}
	for q, want := range map[string][]int{
		"NGINX":         {401, 402, 403},        // names, any case
		"daemon off":    {401},                  // across arguments
		"2":             {2, 402, 48230, 48233}, // PID 2 in any numbering
		"1000":          {48230},                // a whole argument
		"48233":         {48233},
		"kworker/0":     {3},
		"\x1b[31m":      {500}, // raw bytes of a hostile name
		"no-such-thing": nil,
	} {
		if got := match(q); !slices.Equal(got, want) {
			t.Errorf("%q matches %v, want %v", q, got, want)
		}
	}
}

func TestDetailsContainer(t *testing.T) {
	tm := newTestModel(t, SnapshotSource(fixture()), 160, 48, Options{
		Container: func(_ *tree.Snapshot, p *tree.Process) string { return container.OfProcess(p).String() },
	})
	tm.selectPID(402)
	if !strings.Contains(tm.plain(), "container docker:4f1c0a2b3c4d") {
		t.Errorf("the details do not name the container:\n%s", tm.plain())
	}
}
