package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// needForTree skips a test that needs root and real tools outside CI, and
// fails it in CI (NSVIEW_CI=1), where they must be there.
func needForTree(t *testing.T) {
	t.Helper()
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "nsenter", "pstree", "ps", "bash", "setpriv", "go")
}

// nestedTree is three nested PID namespaces with real processes.
type nestedTree struct {
	top   *exec.Cmd
	inits [3]int      // host PIDs of each level's init (levels 1..3)
	ns    [3]uint64   // their PID namespaces
	mnt   [3]uint64   // and mount namespaces
	procs map[int]int // host PID -> NSpid depth, every process started
}

const levelScripts = `
# level1.sh: sleeps, a multi-threaded process with a hostile name and
# arguments, a process of another user, and the next level.
sleep 100000 &
sleep 100000 &
(HELPER_COMM=$'x (y)\e[1m z' HELPER_THREADS='w 1,w 1,w(2)' exec -a 'helper (x)' "$DIR/threadhelper" 'arg one' $'\e]0;T\a' '(x)' 'back\slash') &
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 100000 &
unshare --pid --fork --mount-proc --kill-child bash "$DIR/level2.sh" &
wait
---
# level2.sh: an argv[0] with spaces and parentheses, a shell renamed with
# escape bytes that waits on a child, and the next level.
sleep 100000 &
(exec -a 'sp ace (x)' sleep 100000) &
bash -c 'printf "r) n\033[31m" > /proc/$$/comm; sleep 100000 & sleep 100000 & wait' &
unshare --pid --fork --mount-proc --kill-child bash "$DIR/level3.sh" &
wait
---
# level3.sh
sleep 100000 &
sleep 100000 &
sleep 100001 &
wait
`

// startNested starts the namespaces and waits until every process is
// there and the multi-threaded one has all its threads.
func startNested(t *testing.T, dir string) *nestedTree {
	t.Helper()
	for i, body := range strings.Split(levelScripts, "\n---\n") {
		name := filepath.Join(dir, fmt.Sprintf("level%d.sh", i+1))
		if err := os.WriteFile(name, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "bash", filepath.Join(dir, "level1.sh"))
	cmd.Env = append(os.Environ(), "DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start namespaces: %v", err)
	}
	n := &nestedTree{top: cmd}
	t.Cleanup(func() { n.stop(t) })

	// Ready: 6 + 7 + 4 processes below unshare (the inits included),
	// the helper with its 3 named threads, and a stable thread count.
	deadline := time.Now().Add(20 * time.Second)
	lastThreads := -1
	for {
		s := scanNow(t)
		sub := subtree(s, cmd.Process.Pid)
		helper := 0
		for _, p := range sub {
			if strings.HasPrefix(p.Comm, "x (y)") {
				helper = p.NumThreads
			}
		}
		if len(sub) == 17 && helper >= 4 && helper == lastThreads {
			n.procs = map[int]int{}
			for _, p := range sub {
				n.procs[p.PID] = len(p.NSpid)
				if len(p.NSpid) >= 2 && p.NSpid[len(p.NSpid)-1] == 1 {
					lvl := len(p.NSpid) - 2
					n.inits[lvl] = p.PID
					n.ns[lvl] = p.NS.Get(nsinfo.PID).Ino
					n.mnt[lvl] = p.NS.Get(nsinfo.Mount).Ino
				}
			}
			if n.inits[0] != 0 && n.inits[1] != 0 && n.inits[2] != 0 {
				return n
			}
		}
		lastThreads = helper
		if time.Now().After(deadline) {
			t.Fatalf("namespaces not ready after 20s: %d processes below %d", len(sub), cmd.Process.Pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the processes: SIGKILL to the first level's init ends every
// process in its namespace and below, then unshare exits. It then checks
// that none of the namespaces outlives the test.
func (n *nestedTree) stop(t *testing.T) {
	if n.inits[0] != 0 {
		_ = syscall.Kill(n.inits[0], syscall.SIGKILL)
	}
	_ = n.top.Process.Kill()
	_ = n.top.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := []string{}
		s := scanNow(t)
		for i := range s.Processes {
			p := &s.Processes[i]
			if p.State == "Z" {
				continue
			}
			for lvl := range n.ns {
				if n.ns[lvl] != 0 && (p.NS.Get(nsinfo.PID).Ino == n.ns[lvl] || p.NS.Get(nsinfo.Mount).Ino == n.mnt[lvl]) {
					left = append(left, fmt.Sprintf("%d %s", p.PID, p.Comm))
				}
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes left in the test's namespaces: %v", left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func scanNow(t *testing.T) *tree.Snapshot {
	t.Helper()
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	s, err := tree.Scan(proc, tree.Options{NSpid: true, Namespaces: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// subtree returns the processes below pid (not pid itself).
func subtree(s *tree.Snapshot, pid int) []*tree.Process {
	kids := map[int][]int{}
	for i := range s.Processes {
		kids[s.Processes[i].PPID] = append(kids[s.Processes[i].PPID], s.Processes[i].PID)
	}
	var out []*tree.Process
	stack := append([]int(nil), kids[pid]...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p, ok := s.Proc(x); ok {
			out = append(out, p)
		}
		stack = append(stack, kids[x]...)
	}
	return out
}

// buildNsview builds the command and the thread helper once for the test.
func buildNsview(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "nsview")
	for _, b := range [][2]string{{bin, "."}, {filepath.Join(dir, "threadhelper"), "./testdata/threadhelper"}} {
		out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	return bin
}

// same runs two commands until their standard outputs agree (the live
// system may change between them), at most three times, and fails with
// the last difference.
func same(t *testing.T, label string, env []string, want, got []string) {
	t.Helper()
	var w, g []byte
	for try := 0; try < 3; try++ {
		w = output(t, env, want)
		g = output(t, env, got)
		if bytes.Equal(w, g) {
			if len(w) == 0 {
				t.Errorf("%s: both printed nothing", label)
			}
			return
		}
	}
	t.Errorf("%s: %q and %q differ\n--- %s\n%s--- %s\n%s", label, strings.Join(want, " "), strings.Join(got, " "), want[0], w, got[0], g)
}

func output(t *testing.T, env []string, argv []string) []byte {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	return out
}

func TestTreeMatchesPstreeOnNestedNamespaces(t *testing.T) {
	needForTree(t)
	dir := t.TempDir()
	bin := buildNsview(t, dir)
	n := startNested(t, dir)
	top := strconv.Itoa(n.top.Process.Pid)

	for _, cols := range []string{"300", "80"} {
		env := append(os.Environ(), "COLUMNS="+cols, "LC_ALL=C.UTF-8")
		// (a) the subtree below unshare, pstree's flags.
		for _, flags := range [][]string{
			{}, {"-p"}, {"-a"}, {"-A"}, {"-U"}, {"-c"}, {"-n"}, {"-S"}, {"-g"}, {"-T"}, {"-l"},
			{"-t"}, {"-u"}, {"-a", "-p"}, {"-a", "-t"}, {"-p", "-g", "-S"}, {"-n", "-p", "-U"}, {"-G"}, {"-a", "-l"},
		} {
			args := append(append([]string{}, flags...), top)
			same(t, "COLUMNS="+cols+" "+strings.Join(flags, " "), env,
				append([]string{"pstree"}, args...), append([]string{bin, "tree"}, args...))
		}
		// (b) each level as its own namespace sees it.
		for lvl, init := range n.inits {
			pid := strconv.Itoa(init)
			for _, flags := range [][]string{{"-p"}, {"-a"}, {"-p", "-g", "-t"}} {
				same(t, fmt.Sprintf("COLUMNS=%s level %d %s", cols, lvl+1, strings.Join(flags, " ")), env,
					append([]string{"nsenter", "-t", pid, "-p", "-m", "pstree"}, flags...),
					append([]string{bin, "tree", "--inside", pid}, flags...))
			}
		}
	}

	// (c) every NSpid entry is the PID that ps prints inside that level.
	var view struct {
		Processes []struct {
			HostPID int    `json:"host_pid"`
			NSpid   []int  `json:"nspid"`
			Comm    string `json:"comm"`
		} `json:"processes"`
	}
	if err := json.Unmarshal(output(t, os.Environ(), []string{bin, "tree", "--json", "-T", top}), &view); err != nil {
		t.Fatalf("--json: %v", err)
	}
	if len(view.Processes) != len(n.procs)+1 {
		t.Errorf("--json lists %d processes, want %d", len(view.Processes), len(n.procs)+1)
	}
	for lvl, init := range n.inits {
		out := output(t, os.Environ(), []string{"nsenter", "-t", strconv.Itoa(init), "-p", "-m", "ps", "-e", "-o", "pid=,comm="})
		inside := map[int]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			pid, err := strconv.Atoi(f[0])
			if err != nil {
				t.Fatalf("ps line %q", line)
			}
			inside[pid] = strings.Join(f[1:], " ")
		}
		seen := 0
		for _, p := range view.Processes {
			if len(p.NSpid) <= lvl+1 {
				continue
			}
			seen++
			pid := p.NSpid[lvl+1]
			comm, ok := inside[pid]
			switch {
			case !ok:
				t.Errorf("level %d: host PID %d has NSpid %v, but ps inside has no PID %d", lvl+1, p.HostPID, p.NSpid, pid)
			case isPlainASCII(p.Comm) && comm != p.Comm:
				t.Errorf("level %d: PID %d is %q inside, %q in nsview", lvl+1, pid, comm, p.Comm)
			}
			delete(inside, pid)
		}
		for pid, comm := range inside {
			if comm != "ps" {
				t.Errorf("level %d: ps inside shows PID %d (%s) that nsview does not", lvl+1, pid, comm)
			}
		}
		if seen == 0 {
			t.Errorf("level %d: no process seen", lvl+1)
		}
	}
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
