//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
)

// tmuxRun is nsview running in a pane of a tmux server of its own. The
// pane runs a shell script that saves the terminal settings before and
// after nsview and nsview's exit status, then stays open.
type tmuxRun struct {
	t      *testing.T
	socket string
	dir    string
	width  int
}

func startInTmux(t *testing.T, width, height int, env []string, args ...string) *tmuxRun {
	t.Helper()
	line := nsviewBin
	for _, a := range args {
		line += " '" + a + "'"
	}
	return startLineInTmux(t, width, height, env, "", line)
}

// startLineInTmux runs a shell command line in the pane, in dir (unless
// ""), with its stderr saved.
func startLineInTmux(t *testing.T, width, height int, env []string, dir, line string) *tmuxRun {
	t.Helper()
	testenv.NeedTools(t, "tmux")
	r := &tmuxRun{t: t, socket: fmt.Sprintf("nsview-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), dir: t.TempDir(), width: width}
	var script strings.Builder
	script.WriteString("stty -g > " + r.dir + "/before\n")
	for _, e := range env {
		script.WriteString("export " + e + "\n")
	}
	if dir != "" {
		script.WriteString("cd '" + dir + "'\n")
	}
	script.WriteString("{ " + line + "\n} 2>" + r.dir + "/stderr\n")
	script.WriteString("echo $? > " + r.dir + "/exit.tmp; mv " + r.dir + "/exit.tmp " + r.dir + "/exit\n")
	script.WriteString("stty -g > " + r.dir + "/after\n")
	script.WriteString("exec sleep 100000\n")
	if err := os.WriteFile(r.dir+"/run.sh", []byte(script.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	r.tmux("new-session", "-d", "-s", "e2e", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height),
		"env", "TERM=xterm-256color", "sh", r.dir+"/run.sh")
	t.Cleanup(func() {
		exec.Command("tmux", "-L", r.socket, "kill-server").Run()
	})
	return r
}

func (r *tmuxRun) tmux(args ...string) string {
	r.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", r.socket}, args...)...).CombinedOutput()
	if err != nil {
		r.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (r *tmuxRun) screen() string { return r.tmux("capture-pane", "-p", "-t", "e2e") }

func (r *tmuxRun) keys(keys ...string) {
	r.t.Helper()
	r.tmux(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// waitScreen waits until the screen satisfies ok.
// busyDeadline bounds every wait of these tests: generous, because the
// machine may be busy (other tests under -race, 10,000 processes); a wait
// that succeeds returns at once.
const busyDeadline = 60 * time.Second

func (r *tmuxRun) waitScreen(what string, ok func(string) bool) string {
	r.t.Helper()
	deadline := time.Now().Add(busyDeadline)
	for {
		s := r.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			stderr, _ := os.ReadFile(r.dir + "/stderr")
			r.t.Fatalf("the screen never showed %s; last screen:\n%s\nstderr:\n%s", what, s, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *tmuxRun) waitText(s string) string {
	r.t.Helper()
	return r.waitScreen(strconv.Quote(s), func(screen string) bool { return strings.Contains(screen, s) })
}

// nsviewPID returns the PID of nsview, the pane's shell's child.
func (r *tmuxRun) nsviewPID() int {
	r.t.Helper()
	shell, err := strconv.Atoi(strings.TrimSpace(r.tmux("display", "-p", "-t", "e2e", "#{pane_pid}")))
	if err != nil {
		r.t.Fatal(err)
	}
	for _, p := range children(shell) {
		if comm(p) == "nsview" {
			return p
		}
	}
	r.t.Fatalf("no nsview under the pane's shell %d", shell)
	return 0
}

// exitStatus waits for nsview to exit and returns its status.
func (r *tmuxRun) exitStatus() int {
	r.t.Helper()
	deadline := time.Now().Add(busyDeadline)
	for {
		b, err := os.ReadFile(r.dir + "/exit")
		if err == nil {
			n, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				r.t.Fatal(err)
			}
			return n
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("nsview did not exit; screen:\n%s", r.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkRestored checks the terminal after nsview: the same stty settings,
// the alternate screen left, the cursor shown.
func (r *tmuxRun) checkRestored() {
	r.t.Helper()
	deadline := time.Now().Add(busyDeadline)
	var after []byte
	for {
		var err error
		if after, err = os.ReadFile(r.dir + "/after"); err == nil && len(after) > 0 {
			break
		}
		if time.Now().After(deadline) {
			r.t.Fatal("the script never saved the terminal settings after nsview")
		}
		time.Sleep(20 * time.Millisecond)
	}
	before, _ := os.ReadFile(r.dir + "/before")
	if !bytes.Equal(before, after) {
		r.t.Errorf("terminal settings changed:\nbefore %s\nafter  %s", before, after)
	}
	if got := strings.TrimSpace(r.tmux("display", "-p", "-t", "e2e", "#{alternate_on} #{cursor_flag} #{mouse_any_flag}")); got != "0 1 0" {
		r.t.Errorf("alternate screen, cursor shown, mouse reporting = %q, want \"0 1 0\"", got)
	}
}

func (r *tmuxRun) stderr() string {
	b, _ := os.ReadFile(r.dir + "/stderr")
	return string(b)
}

// childrenByParent maps each parent PID to its children's, from one pass
// over /proc.
func childrenByParent() map[int][]int {
	kids := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st := stat(p); len(st) > 1 {
			if ppid, err := strconv.Atoi(st[1]); err == nil {
				kids[ppid] = append(kids[ppid], p)
			}
		}
	}
	return kids
}

// children returns the PIDs whose parent is pid.
func children(pid int) []int { return childrenByParent()[pid] }

// descendants returns every process below pid, from one pass over /proc
// (one per level took seconds with 10,000 processes and -race).
func descendants(pid int) []int {
	kids := childrenByParent()
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		k := kids[queue[0]]
		queue = append(queue[1:], k...)
		out = append(out, k...)
	}
	return out
}

// stat returns /proc/PID/stat's fields after the name: state, ppid, ...
func stat(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

func comm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}

// alive reports whether pid is a live process (a zombie counts as gone).
func alive(pid int) bool {
	st := stat(pid)
	return len(st) > 0 && st[0] != "Z" && st[0] != "X"
}

// nspid returns the NSpid chain of a process.
// The terminal is restored however nsview ends: q, Ctrl-C, SIGTERM, SIGHUP,
// a panic in Update, a panic in the scanner.
func TestTUIRestoresTerminal(t *testing.T) {
	cases := []struct {
		name   string
		env    []string
		end    func(r *tmuxRun, pid int)
		status int
		stderr string
	}{
		{"q", nil, func(r *tmuxRun, _ int) { r.keys("q") }, 0, ""},
		{"ctrl-c", nil, func(r *tmuxRun, _ int) { r.keys("C-c") }, 0, ""},
		{"sigterm", nil, func(r *tmuxRun, pid int) { syscall.Kill(pid, syscall.SIGTERM) }, 128 + 15, ""},
		{"sighup", nil, func(r *tmuxRun, pid int) { syscall.Kill(pid, syscall.SIGHUP) }, 128 + 1, ""},
		{"panic-update", []string{"NSVIEW_TEST_PANIC=update"}, nil, 1, "test panic in Update"},
		{"panic-scan", []string{"NSVIEW_TEST_PANIC=scan"}, nil, 1, "test panic in the scanner"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := startInTmux(t, 100, 30, c.env, "tui", "--interval", "200ms")
			if c.end != nil {
				r.waitText("processes")
				c.end(r, r.nsviewPID())
			}
			if got := r.exitStatus(); got != c.status {
				t.Errorf("exit status %d, want %d; stderr:\n%s", got, c.status, r.stderr())
			}
			r.checkRestored()
			if c.stderr != "" && !strings.Contains(r.stderr(), c.stderr) {
				t.Errorf("stderr does not say %q:\n%s", c.stderr, r.stderr())
			}
		})
	}
}

// The whole UI in a real terminal: s spawns a sandbox, which shows in both
// panes (its host PID on the left, PIDs 1 and 2 on the right); S nests one
// in it and x ends that one; q ends the rest, and nothing is left.
func TestTUISpawnEndToEnd(t *testing.T) {
	testenv.NeedRoot(t)
	r := startInTmux(t, 200, 50, nil, "tui")
	r.waitText("processes")
	pid := r.nsviewPID()
	r.keys("s")
	r.waitText("spawn:")
	r.keys("Enter")
	// The prompt's placeholder goes with enter; then the outcome shows.
	screen := r.waitScreen("a started sandbox or an error", func(s string) bool {
		return strings.Contains(s, "sandbox 1 started") ||
			strings.Contains(s, "spawn: ") && !strings.Contains(s, "demo workload")
	})
	if strings.Contains(screen, "not available") {
		testenv.SkipOrFail(t, "pkg/spawn is not implemented in this build (spawn.Start returns ErrUnsupported)")
	}
	// The sandbox: nsview's child that is PID 1 in a new namespace, and
	// the command below it, PID 2 there.
	var init, command int
	deadline := time.Now().Add(busyDeadline)
	for init == 0 || command == 0 {
		for _, p := range descendants(pid) {
			switch ns := nspid(p); {
			case len(ns) == 2 && ns[1] == 1:
				init = p
			case len(ns) == 2 && ns[1] == 2:
				command = p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sandbox below nsview %d; screen:\n%s", pid, r.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	sandbox := append([]int{init}, descendants(init)...)
	initName := comm(init)
	// Left: the host PIDs with the inner ones; right (from column 101):
	// the sandbox from inside, its init 1 and its command 2.
	screen = r.waitScreen("the sandbox in both panes", func(s string) bool {
		left, right := false, [2]bool{}
		for _, l := range strings.Split(s, "\n") {
			cells := []rune(l)
			half := min(len(cells), r.width/2)
			lh, rh := string(cells[:half]), string(cells[half:])
			left = left || strings.Contains(lh, fmt.Sprintf("%s %d → 1", initName, init))
			right[0] = right[0] || strings.Contains(rh, initName+" 1")
			right[1] = right[1] || strings.Contains(rh, "sh 2")
		}
		return left && right[0] && right[1]
	})
	t.Logf("screen with the sandbox:\n%s", screen)

	// S on its command: a sandbox nested in it, selected, seen from
	// inside at level 2.
	r.keys("j")
	r.waitScreen("the command selected", func(s string) bool {
		return strings.Contains(s, fmt.Sprintf("PID %d → 2 inside", command))
	})
	r.keys("S")
	r.waitText("spawn inside sandbox 1")
	r.keys("Enter")
	r.waitText("sandbox 2 started")
	var nested int
	deadline = time.Now().Add(busyDeadline)
	for nested == 0 {
		for _, p := range descendants(pid) {
			if ns := nspid(p); len(ns) == 3 && ns[2] == 1 && comm(p) == initName {
				nested = p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no nested sandbox below nsview %d; screen:\n%s", pid, r.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	nestedProcs := append([]int{nested}, descendants(nested)...)
	r.waitScreen("the nested sandbox in both panes", func(s string) bool {
		return strings.Contains(s, fmt.Sprintf("%s %d → 1", initName, nested)) && strings.Contains(s, "level 2")
	})
	// x ends the nested sandbox (it holds the selection), not the outer.
	r.keys("x")
	r.waitText("sandbox 2 ended")
	waitGone(t, nestedProcs)
	for _, p := range sandbox {
		if !alive(p) {
			t.Errorf("x on the nested sandbox ended %d of the outer one", p)
		}
	}

	r.keys("q")
	if got := r.exitStatus(); got != 0 {
		t.Errorf("exit status %d; stderr:\n%s", got, r.stderr())
	}
	r.checkRestored()
	waitGone(t, append(sandbox, nestedProcs...))
}

// waitGone waits until none of the processes is alive (a zombie counts as
// gone).
func waitGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(busyDeadline)
	for {
		var left []int
		for _, p := range pids {
			if alive(p) {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of the sandbox outlived it: %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
