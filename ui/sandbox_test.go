package ui

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
)

// fakeSpawner makes sandboxes from a list of Infos, in order.
type fakeSpawner struct {
	mu    sync.Mutex
	infos []spawn.Info
	err   error
	calls []spawnCall
	made  []*fakeSandbox
	// gate, when set, holds Spawn until it is closed; entered says that
	// Spawn is waiting there.
	gate    chan struct{}
	entered chan struct{}
}

type spawnCall struct {
	opts spawn.Options
	in   *Parent
}

type fakeSandbox struct {
	mu     sync.Mutex
	info   spawn.Info
	closed int
}

func (f *fakeSandbox) Info() spawn.Info { return f.info }
func (f *fakeSandbox) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
	return nil
}
func (f *fakeSandbox) closes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

func (f *fakeSpawner) Spawn(opts spawn.Options, in *Parent) (Sandbox, error) {
	if f.gate != nil {
		f.entered <- struct{}{}
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, spawnCall{opts, in})
	if f.err != nil {
		return nil, f.err
	}
	sb := &fakeSandbox{info: f.infos[0]}
	f.infos = f.infos[1:]
	f.made = append(f.made, sb)
	return sb, nil
}

// The fake sandboxes' processes: S1 (init 9000, its command sh 9001 with
// a sleep), and S2 inside S1 (init 9100 → 4 → 1, command 9101).
var (
	s1Info = spawn.Info{Inits: []int{9000}, CommandPID: 9001, CommandNSpid: []int{9001, 2},
		PIDNamespaces: []nsinfo.ID{{Type: nsinfo.PID, Ino: nsS1}}}
	s1Procs = []fixProc{
		{9000, 1, "nsview-init", []int{9000, 1}, nsS1, nil, []string{"nsview-init"}, 0, "S"},
		{9001, 9000, "sh", []int{9001, 2}, nsS1, nil, DemoCommand, 0, "S"},
		{9002, 9001, "sleep", []int{9002, 3}, nsS1, nil, []string{"sleep", "1000000"}, 0, "S"},
	}
	s2Info = spawn.Info{Inits: []int{9100}, CommandPID: 9101, CommandNSpid: []int{9101, 5, 2},
		PIDNamespaces: []nsinfo.ID{{Type: nsinfo.PID, Ino: nsS2}}}
	s2Procs = []fixProc{
		{9100, 1, "nsview-init", []int{9100, 4, 1}, nsS2, nil, []string{"nsview-init"}, 0, "S"},
		{9101, 9100, "top", []int{9101, 5, 2}, nsS2, nil, []string{"top"}, 0, "S"},
	}
)

func TestSpawnSelectNestEnd(t *testing.T) {
	sp := &fakeSpawner{infos: []spawn.Info{s1Info, s2Info}}
	tm, src := newLive(t, 160, 48, Options{Spawner: sp})

	tm.key("s")
	if !tm.prompt.active || !strings.Contains(tm.plain(), "spawn:") {
		t.Fatal("s did not open the spawn prompt")
	}
	// The scan that follows the spawn shows the sandbox: select its init.
	src.set(buildSnapshot(procsWithout(nil, s1Procs...)), nil)
	tm.key("enter")
	if len(sp.calls) != 1 || !slices.Equal(sp.calls[0].opts.Command, DemoCommand) || sp.calls[0].in != nil {
		t.Fatalf("enter: spawner called %+v, want the demo workload at the top level", sp.calls)
	}
	if got := tm.selPID(); got != 9000 {
		t.Fatalf("the new sandbox's init is not selected: %d", got)
	}
	// Both panes show it: host PID on the left, 1 and 2 on the right.
	if got := tm.rowText(tm.left, 9001); !strings.Contains(got, "sh 9001 → 2") {
		t.Errorf("left row %q", got)
	}
	if tm.rightNS.Ino != nsS1 || !strings.Contains(tm.rowText(tm.right, 9000), "nsview-init 1") || !strings.Contains(tm.rowText(tm.right, 9001), "sh 2") {
		t.Errorf("right pane: %s\n%s", tm.rightNS, tm.plain())
	}
	if !strings.Contains(tm.plain(), "sandbox 1 (demo)") {
		t.Errorf("the details do not name the sandbox:\n%s", tm.plain())
	}

	// S: a typed command, nested in the selected sandbox.
	tm.key("j") // sh 9001, still in S1
	tm.key("S")
	if !tm.prompt.active || !strings.Contains(tm.plain(), "inside sandbox 1") {
		t.Fatal("S did not open the nested spawn prompt")
	}
	tm.typeText("top")
	src.set(buildSnapshot(procsWithout(nil, append(slices.Clone(s1Procs), s2Procs...)...)), nil)
	tm.key("enter")
	call := sp.calls[1]
	if !slices.Equal(call.opts.Command, []string{"/bin/sh", "-c", "top"}) {
		t.Errorf("S: command %q", call.opts.Command)
	}
	if call.in == nil || call.in.NS.Ino != nsS1 || call.in.PID != 9001 {
		t.Errorf("S: spawned in %+v, want S1 through its command 9001", call.in)
	}
	if got := tm.selPID(); got != 9100 || tm.rightNS.Ino != nsS2 {
		t.Errorf("the nested sandbox is not selected: %d, right %s", got, tm.rightNS)
	}
	if s := tm.selectedSandbox(); s == nil || s.id != 2 || s.parent != 1 {
		t.Errorf("selected sandbox %+v, want 2 inside 1", s)
	}

	// x ends the innermost sandbox holding the selection.
	tm.key("x")
	if sp.made[1].closes() != 1 || sp.made[0].closes() != 0 {
		t.Errorf("x: closes %d/%d, want S2 only", sp.made[0].closes(), sp.made[1].closes())
	}
	if !strings.Contains(tm.status, "sandbox 2 ended") {
		t.Errorf("status %q", tm.status)
	}
	// A sandbox whose command exits on its own is ended (reaped) too.
	tm.refresh(src, buildSnapshot(procsWithout(nil, s1Procs[0])))
	if sp.made[0].closes() != 1 {
		t.Error("a sandbox whose command exited was not closed")
	}
	// Closing everything again (on quit) closes each once only... the
	// fake counts calls: Sandboxes.close is once per sandbox.
	if err := tm.Sandboxes().CloseAll(); err != nil {
		t.Fatal(err)
	}
	if sp.made[0].closes() != 1 || sp.made[1].closes() != 1 {
		t.Errorf("CloseAll closed again: %d/%d", sp.made[0].closes(), sp.made[1].closes())
	}
}

func TestSpawnCancelAndErrors(t *testing.T) {
	sp := &fakeSpawner{err: spawn.ErrUnsupported}
	tm, _ := newLive(t, 80, 24, Options{Spawner: sp})
	tm.key("s", "esc")
	if tm.prompt.active || len(sp.calls) != 0 {
		t.Error("esc did not cancel the prompt")
	}
	tm.key("s")
	tm.send(tea.PasteMsg{Content: "sleep 5"})
	if got := tm.prompt.input.Value(); got != "sleep 5" {
		t.Errorf("paste into the prompt: %q", got)
	}
	tm.key("enter")
	if !tm.stErr || !strings.Contains(tm.status, "not available") {
		t.Errorf("ErrUnsupported: status %q", tm.status)
	}
	if !strings.Contains(tm.plain(), "not available") {
		t.Error("the error is not on screen")
	}
	tm.key("S")
	if !strings.Contains(tm.status, "select a process") {
		t.Errorf("S outside a sandbox: status %q", tm.status)
	}
	tm.key("x")
	if !strings.Contains(tm.status, "x ends a sandbox") {
		t.Errorf("x outside a sandbox: status %q", tm.status)
	}
	sp.err = errors.New("unshare: operation not permitted (set user.max_user_namespaces)")
	tm.key("s", "enter")
	if !strings.Contains(tm.status, "max_user_namespaces") {
		t.Errorf("spawn error: status %q", tm.status)
	}
	// A snapshot file cannot spawn: the keys are off.
	st := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{Spawner: sp})
	st.key("s")
	if st.prompt.active {
		t.Error("s opened the prompt on a snapshot file")
	}
}

// A sandbox whose start finishes after the UI began quitting is ended at
// once, and CloseAll waits for it.
func TestCloseAllWaitsForStarts(t *testing.T) {
	sp := &fakeSpawner{infos: []spawn.Info{s1Info}, gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	var x Sandboxes
	done := make(chan error)
	go func() {
		_, err := x.start(sp, spawn.Options{}, nil, 0, "demo")
		done <- err
	}()
	// Quit while the start is under way.
	<-sp.entered
	closed := make(chan struct{})
	go func() { x.CloseAll(); close(closed) }()
	for {
		x.mu.Lock()
		closing := x.closed
		x.mu.Unlock()
		if closing {
			break
		}
		runtime.Gosched()
	}
	select {
	case <-closed:
		t.Fatal("CloseAll returned while a start was under way")
	default:
	}
	close(sp.gate)
	<-closed
	if err := <-done; !errors.Is(err, ErrClosing) {
		t.Errorf("start during CloseAll: %v, want ErrClosing", err)
	}
	if sp.made[0].closes() != 1 {
		t.Errorf("the sandbox started during CloseAll was closed %d times, want 1", sp.made[0].closes())
	}
	if _, err := x.start(sp, spawn.Options{}, nil, 0, "late"); !errors.Is(err, ErrClosing) {
		t.Errorf("start after CloseAll: %v, want ErrClosing", err)
	}
}

func TestDetachedSandboxOutlivesCloseAll(t *testing.T) {
	sp := &fakeSpawner{infos: []spawn.Info{s1Info}}
	var x Sandboxes
	if _, err := x.start(sp, spawn.Options{Detach: true}, nil, 0, "demo"); err != nil {
		t.Fatal(err)
	}
	x.CloseAll()
	if sp.made[0].closes() != 0 {
		t.Error("a detached sandbox was ended")
	}
}
