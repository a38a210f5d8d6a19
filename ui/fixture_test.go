package ui

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// The fixture's namespaces: the host's, and three PID namespaces (A nested
// in the host's, B in A, C a container's).
const (
	nsHost = 4026531836
	nsA    = 4026532301
	nsB    = 4026532401
	nsC    = 4026532501
	// The sandboxes of the fake spawner: S1, and S2 nested in it.
	nsS1 = 4026532601
	nsS2 = 4026532701
)

var fixtureTaken = time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)

type fixProc struct {
	pid, ppid int
	comm      string
	nspid     []int
	pidns     uint64 // 0: unreadable links
	own       map[nsinfo.Type]uint64
	argv      []string
	uid       uint32
	state     string
}

// fixture is a small host: systemd, kernel threads, an ssh login that ran
// `unshare --pid --fork` twice (namespaces A, then B inside A), a
// container (C), a process with a hostile name, a long command line, one
// whose links are unreadable and a zombie.
func fixture() *tree.Snapshot { return buildSnapshot(fixtureProcs()) }

// fixtureProcs are the fixture's processes.
func fixtureProcs() []fixProc {
	mntA := map[nsinfo.Type]uint64{nsinfo.Mount: 4026532300}
	mntB := map[nsinfo.Type]uint64{nsinfo.Mount: 4026532400}
	ctr := map[nsinfo.Type]uint64{nsinfo.Mount: 4026532500, nsinfo.Net: 4026532503, nsinfo.UTS: 4026532502, nsinfo.IPC: 4026532504}
	return []fixProc{
		{1, 0, "systemd", []int{1}, nsHost, nil, []string{"/sbin/init"}, 0, "S"},
		{2, 0, "kthreadd", []int{2}, nsHost, nil, []string{}, 0, "S"},
		{3, 2, "kworker/0:0", []int{3}, nsHost, nil, []string{}, 0, "I"},
		{250, 1, "sshd", []int{250}, nsHost, nil, []string{"sshd: /usr/sbin/sshd -D"}, 0, "S"},
		{300, 250, "bash", []int{300}, nsHost, nil, []string{"-bash"}, 1000, "S"},
		{48213, 300, "unshare", []int{48213}, nsHost, nil, []string{"unshare", "--pid", "--fork", "--mount-proc", "bash"}, 0, "S"},
		{48214, 48213, "bash", []int{48214, 1}, nsA, mntA, []string{"bash"}, 0, "S"},
		{48230, 48214, "sleep", []int{48230, 2}, nsA, mntA, []string{"sleep", "1000"}, 0, "S"},
		{48231, 48214, "unshare", []int{48231, 3}, nsA, mntA, []string{"unshare", "-p", "-f", "--mount-proc", "sh"}, 0, "S"},
		{48232, 48231, "sh", []int{48232, 4, 1}, nsB, mntB, []string{"sh"}, 0, "S"},
		{48233, 48232, "sleep", []int{48233, 5, 2}, nsB, mntB, []string{"sleep", "99"}, 0, "S"},
		{400, 1, "containerd-shim", []int{400}, nsHost, nil, []string{"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", "4f1c"}, 0, "S"},
		{401, 400, "nginx", []int{401, 1}, nsC, ctr, []string{"nginx: master process nginx -g daemon off;"}, 0, "S"},
		{402, 401, "nginx", []int{402, 2}, nsC, ctr, []string{"nginx: worker process"}, 101, "S"},
		{403, 401, "nginx", []int{403, 3}, nsC, ctr, []string{"nginx: worker process"}, 101, "S"},
		{500, 1, "\x1b[31mA\nB", []int{500}, nsHost, nil, []string{"\x1b]0;TITLE\a\x1b[2J", "\u202eevil"}, 0, "S"},
		{600, 1, "python3", []int{600}, nsHost, nil, []string{"python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", "/srv/www/a/very/long/path/that/does/not/fit/on/one/line/of/the/details/pane", "8080"}, 1000, "S"},
		{700, 1, "secret", []int{700}, 0, nil, []string{"secret-agent"}, 1001, "S"},
		{800, 250, "sshd", []int{800}, nsHost, nil, []string{}, 0, "Z"},
	}
}

// pidNSParents are the fixture's PID namespaces' parents, and those of
// the sandboxes the fake spawner makes.
var pidNSParents = map[uint64]uint64{nsA: nsHost, nsB: nsA, nsC: nsHost, nsS1: nsHost, nsS2: nsS1}

// buildSnapshot makes a snapshot of processes. A process's start time is
// derived from its PID, so that the same process has the same identity
// in every snapshot built.
func buildSnapshot(procs []fixProc) *tree.Snapshot {
	base := map[nsinfo.Type]uint64{
		nsinfo.Cgroup: 4026531835, nsinfo.IPC: 4026531839, nsinfo.Mount: 4026531841,
		nsinfo.Net: 4026531840, nsinfo.User: 4026531837, nsinfo.UTS: 4026531838, nsinfo.Time: 4026531834,
	}
	s := &tree.Snapshot{
		Schema:     tree.SchemaVersion,
		Taken:      fixtureTaken,
		Hostname:   "fixture",
		Kernel:     "6.18.0",
		ProcPath:   "/proc",
		ClockTicks: 100,
		BootTime:   fixtureTaken.Add(-2 * time.Hour),
		Read:       ScanOptions(),
	}
	for _, f := range procs {
		p := tree.Process{
			PID: f.pid, PPID: f.ppid, PGID: f.pid, SID: f.pid, UID: f.uid, Comm: f.comm,
			Cmdline: f.argv, State: f.state, StartTime: uint64(100 + f.pid%50000*10), NSpid: f.nspid,
			NumThreads: 1, Cgroup: "/system.slice",
		}
		if f.pidns == 0 {
			p.Denied = true
			s.Unreadable.Denied++
		} else {
			for t, ino := range base {
				p.NS.Put(nsinfo.ID{Type: t, Ino: ino})
			}
			for t, ino := range f.own {
				p.NS.Put(nsinfo.ID{Type: t, Ino: ino})
			}
			p.NS.Put(nsinfo.ID{Type: nsinfo.PID, Ino: f.pidns})
		}
		if f.pidns == nsC {
			p.Cgroup = "/system.slice/docker-4f1c0a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7.scope"
		}
		s.Processes = append(s.Processes, p)
	}
	s.Namespaces = namespacesOf(s, pidNSParents)
	s.Sort()
	return s
}

// namespacesOf lists the namespaces of the processes, as a scan does.
func namespacesOf(s *tree.Snapshot, parents map[uint64]uint64) []tree.Namespace {
	index := map[nsinfo.ID]int{}
	var out []tree.Namespace
	for i := range s.Processes {
		p := &s.Processes[i]
		for ti, ino := range p.NS {
			if ino == 0 {
				continue
			}
			id := nsinfo.ID{Type: nsinfo.Types[ti], Ino: ino}
			j, ok := index[id]
			if !ok {
				j = len(out)
				index[id] = j
				out = append(out, tree.Namespace{Type: id.Type, Ino: ino, PID: p.PID, Level: -1, OwnerUID: -1, Found: []string{"process"}})
			}
			n := &out[j]
			n.NProcs++
			n.PID = min(n.PID, p.PID)
			if id.Type == nsinfo.PID {
				n.Level = len(p.NSpid) - 1
				n.Parent = parents[ino]
			}
		}
	}
	return out
}

// testModel is a model on the fixture at a size, with a fixed clock, the
// first snapshot loaded; its timers are recorded, not run.
type testModel struct {
	*Model
	t      *testing.T
	now    time.Time
	timers []tea.Msg
	quit   bool
}

func newTestModel(t *testing.T, src Source, w, h int, o Options) *testModel {
	t.Helper()
	tm := &testModel{t: t, now: fixtureTaken}
	o.Source = src
	o.Location = time.UTC
	o.Now = func() time.Time { return tm.now }
	tm.Model = New(o)
	tm.Model.tick = func(d time.Duration, msg tea.Msg) tea.Cmd {
		tm.timers = append(tm.timers, msg)
		return nil
	}
	tm.send(tea.WindowSizeMsg{Width: w, Height: h})
	tm.run(tm.Model.startScan())
	return tm
}

// send updates the model with msg and runs the returned command.
func (tm *testModel) send(msg tea.Msg) {
	tm.t.Helper()
	_, cmd := tm.Update(msg)
	tm.run(cmd)
}

// run executes a command and feeds its messages back, as the program does
// (timers excepted: they are recorded by the fake tick).
func (tm *testModel) run(cmd tea.Cmd) {
	tm.t.Helper()
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			tm.run(c)
		}
	case tea.QuitMsg:
		tm.quit = true
	default:
		if isTerminalQuery(msg) {
			return
		}
		tm.send(msg)
	}
}

// isTerminalQuery tells the program's own requests (background color and
// the like), which a test has no terminal to answer.
func isTerminalQuery(msg tea.Msg) bool {
	switch msg.(type) {
	case snapshotMsg, tickMsg, fadeMsg, spawnedMsg, sandboxEndedMsg, signalMsg:
		return false
	}
	return true
}

// key sends key presses, by their names ("j", "enter", "ctrl+c").
func (tm *testModel) key(names ...string) {
	tm.t.Helper()
	for _, n := range names {
		tm.send(keyPress(n))
	}
}

func keyPress(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"tab": tea.KeyTab, "enter": tea.KeyEnter, "esc": tea.KeyEscape, "space": tea.KeySpace,
		"backspace": tea.KeyBackspace,
	}
	if c, ok := special[name]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if len(name) > 5 && name[:5] == "ctrl+" {
		return tea.KeyPressMsg{Code: rune(name[5]), Mod: tea.ModCtrl}
	}
	if name == "shift+tab" {
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// typeText types text into the model.
func (tm *testModel) typeText(s string) {
	tm.t.Helper()
	for _, r := range s {
		tm.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// screen renders the view as the terminal would get it with a 256-color
// profile.
func (tm *testModel) screen(profile colorprofile.Profile) string {
	var b bytes.Buffer
	w := &colorprofile.Writer{Forward: &b, Profile: profile}
	w.WriteString(tm.View().Content)
	return b.String()
}

// selectPID moves the left pane's cursor to a host PID with j/k presses,
// as a user would.
func (tm *testModel) selectPID(pid int) {
	tm.t.Helper()
	if tm.focus != paneLeft {
		tm.key("tab")
	}
	tm.key("g")
	for range len(tm.left.rows) {
		if p := tm.selected(); p != nil && p.PID == pid {
			return
		}
		tm.key("j")
	}
	tm.t.Fatalf("PID %d not reachable in the left pane", pid)
}

func fmtInt(n int) string { return strconv.Itoa(n) }
