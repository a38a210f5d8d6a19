//go:build linux

package ui

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
)

// startNamespace runs `unshare --pid --fork --mount-proc` with a shell that
// has two children and returns the host PID of the namespace's init; the
// namespace ends with the test.
func startNamespace(t *testing.T) int {
	t.Helper()
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "nsenter", "pstree", "ps")
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", "sleep 1000 & (sleep 1000; :) & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var ns string
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		// Killing unshare kills its init (--kill-child is not the default
		// for unshare -f, so end the init too) and with it the namespace.
		waitGone(t, ns)
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, p := range childrenOf(cmd.Process.Pid) {
			if chain := nspidOf(p); len(chain) == 2 && chain[1] == 1 && len(childrenOf(p)) == 2 {
				ns, _ = os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", p))
				t.Cleanup(func() { syscall.Kill(p, syscall.SIGKILL) })
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the namespace's processes did not appear")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGone waits until no process is in PID namespace ns (link text).
func waitGone(t *testing.T, ns string) {
	if ns == "" {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		held := false
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			if l, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err == nil && l == ns {
				held = true
				break
			}
		}
		if !held {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("namespace %s outlived the test", ns)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func childrenOf(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if st, err := nsinfo.ParseStat(b); err == nil && st.PPID == pid {
			out = append(out, p)
		}
	}
	return out
}

func nspidOf(pid int) []int {
	chain, _ := nsinfo.ReadNSpid(pid)
	return chain
}

// The right pane on a live system shows what `nsenter -t PID -p -m pstree
// -p` shows: the same names and PIDs, and the parents `ps` gives inside.
func TestRightPaneMatchesNsenter(t *testing.T) {
	init := startNamespace(t)
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, LiveSource(proc), 200, 50, Options{})
	p, ok := tm.w.snap.Proc(init)
	if !ok {
		t.Fatalf("init %d not in the scan", init)
	}
	tm.selectKey(keyOf(p), true)
	if got := tm.rowText(tm.left, init); !strings.Contains(got, fmt.Sprintf("sh %d → 1", init)) {
		t.Errorf("left row %q, want sh %d → 1", got, init)
	}

	// What the pane shows: name(pid) and each one's parent, inside.
	var got []string
	for _, e := range tm.right.rows {
		en := tm.right.view.Entries[e]
		ppid := 0
		if par := tm.right.tr.Parent[e]; par >= 0 {
			ppid = tm.right.view.Entries[par].PID
		}
		got = append(got, fmt.Sprintf("%s(%d)<%d", en.Proc.Comm, en.PID, ppid))
	}
	slices.Sort(got)

	// What the peers say from inside.
	nsenter := func(args ...string) string {
		out, err := exec.Command("nsenter", append([]string{"-t", strconv.Itoa(init), "-p", "-m"}, args...)...).Output()
		if err != nil {
			t.Fatalf("nsenter %v: %v", args, err)
		}
		return string(out)
	}
	pstree := nsenter("pstree", "-p")
	parents := map[int]int{}
	for _, l := range strings.Split(nsenter("ps", "-eo", "pid=,ppid="), "\n") {
		f := strings.Fields(l)
		if len(f) == 2 {
			pid, _ := strconv.Atoi(f[0])
			ppid, _ := strconv.Atoi(f[1])
			parents[pid] = ppid
		}
	}
	var want []string
	for _, m := range regexp.MustCompile(`([^\s|+\x60-][^(]*)\((\d+)\)`).FindAllStringSubmatch(pstree, -1) {
		pid, _ := strconv.Atoi(m[2])
		if m[1] == "ps" || m[1] == "pstree" || m[1] == "nsenter" {
			continue // the peers' own processes
		}
		want = append(want, fmt.Sprintf("%s(%d)<%d", m[1], pid, parents[pid]))
	}
	slices.Sort(want)
	if len(want) != 4 {
		t.Fatalf("pstree shows %d processes, want the shell, its subshell and two sleeps:\n%s", len(want), pstree)
	}
	if !slices.Equal(got, want) {
		t.Errorf("right pane:\n%s\nnsenter pstree -p, ps:\n%s\n(pstree said:\n%s)", strings.Join(got, "\n"), strings.Join(want, "\n"), pstree)
	}
}
