package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/pidmap"
)

// nestedSleep starts a sleep three PID-namespace levels deep (the
// caller's, and two below) and returns the PIDs of the inner unshare (init
// of level 1) and of the sleep (init of level 2). Everything is killed by
// PID when the test ends.
func nestedSleep(t *testing.T) (n1, n2 int) {
	t.Helper()
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare")
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
		"unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n0 := cmd.Process.Pid
	t.Cleanup(func() {
		for _, p := range []int{n2, n1, n0} {
			if p > 0 {
				syscall.Kill(p, syscall.SIGKILL)
			}
		}
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for n2 == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the nested sleep did not start")
		}
		n1 = childOf(n0, "unshare")
		if n1 > 0 {
			n2 = childOf(n1, "sleep")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return n1, n2
}

// childOf returns a child of parent whose name is comm, 0 if none yet.
func childOf(parent int, comm string) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(parent) + "/task/" + strconv.Itoa(parent) + "/children")
	if err != nil {
		return 0
	}
	for _, f := range strings.Fields(string(b)) {
		c, _ := os.ReadFile("/proc/" + f + "/comm")
		if strings.TrimSpace(string(c)) == comm {
			n, _ := strconv.Atoi(f)
			return n
		}
	}
	return 0
}

// nspid is pid's NSpid chain, nil once it has ended (for polls).
func nspid(pid int) []int {
	chain, _ := nsinfo.ReadNSpid(pid)
	return chain
}

// nspidOf is pid's NSpid chain, which must be there.
func nspidOf(t *testing.T, pid int) []int {
	t.Helper()
	chain := nspid(pid)
	if chain == nil {
		t.Fatalf("no NSpid for process %d", pid)
	}
	return chain
}

func runNSView(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(nsviewBin, args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("nsview %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// TestPIDLevels checks every level of a process three levels deep, by both
// methods, against the kernel's own NSpid line and namespace links.
func TestPIDLevels(t *testing.T) {
	n1, n2 := nestedSleep(t)
	want := nspidOf(t, n2)
	if len(want) != 3 {
		t.Fatalf("NSpid of the nested sleep is %v, want 3 levels", want)
	}
	for _, method := range []string{"kernel", "nspid"} {
		t.Run(method, func(t *testing.T) {
			var doc struct {
				Processes []struct {
					Levels []pidmap.Level `json:"levels"`
					Method string         `json:"method"`
				} `json:"processes"`
			}
			out := runNSView(t, "pid", "--json", "--method", method, strconv.Itoa(n2))
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			p := doc.Processes[0]
			if p.Method != method {
				t.Errorf("method %s, want %s", p.Method, method)
			}
			if len(p.Levels) != 3 {
				t.Fatalf("levels %+v, want 3", p.Levels)
			}
			inits := []int{1, n1, n2}
			owners := []int{1, n1, n2}
			for l, lv := range p.Levels {
				if lv.Level != l || lv.PID != want[l] {
					t.Errorf("level %d: %+v, want PID %d", l, lv, want[l])
				}
				if l > 0 && lv.Init != inits[l] {
					t.Errorf("level %d: init %d, want %d", l, lv.Init, inits[l])
				}
				if l == 0 {
					continue
				}
				link, err := os.Readlink("/proc/" + strconv.Itoa(owners[l]) + "/ns/pid")
				if err != nil {
					t.Fatal(err)
				}
				if id, _ := nsinfo.ParseID(link); lv.NS != id.Ino {
					t.Errorf("level %d: namespace %d, want %s", l, lv.NS, link)
				}
			}
		})
	}
}

// TestPIDTranslate maps PIDs into and out of each of three levels, by both
// methods, and checks them against NSpid.
func TestPIDTranslate(t *testing.T) {
	n1, n2 := nestedSleep(t)
	nspid := nspidOf(t, n2)
	ns2, err := os.Readlink("/proc/" + strconv.Itoa(n2) + "/ns/pid")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		ns    string
		inner int
	}{
		{"pid:" + strconv.Itoa(n1), nspid[1]},
		{"pid:" + strconv.Itoa(n2), nspid[2]},
		{ns2, nspid[2]},
		{strings.Trim(ns2, "pid:[]"), nspid[2]},
		{"pid:1", nspid[0]},
	}
	for _, method := range []string{"kernel", "nspid"} {
		for _, c := range cases {
			if method == "kernel" && c.ns == "pid:1" {
				continue // PID 1's link is unreadable in this sandbox
			}
			got := strings.TrimSpace(runNSView(t, "pid", "--method", method, "--in", c.ns, strconv.Itoa(c.inner)))
			if got != strconv.Itoa(n2) {
				t.Errorf("%s: --in %s %d = %s, want %d", method, c.ns, c.inner, got, n2)
			}
			got = strings.TrimSpace(runNSView(t, "pid", "--method", method, "--to", c.ns, strconv.Itoa(n2)))
			if got != strconv.Itoa(c.inner) {
				t.Errorf("%s: --to %s %d = %s, want %d", method, c.ns, n2, got, c.inner)
			}
		}
	}
	// A process outside a namespace has no PID in it.
	cmd := exec.Command(nsviewBin, "pid", "--to", "pid:"+strconv.Itoa(n2), strconv.Itoa(os.Getpid()))
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("--to a namespace the caller is not in succeeded: %s", out)
	}
}
