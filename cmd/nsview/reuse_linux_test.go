package main

import (
	"bytes"
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
)

func link(t *testing.T, pid int, name string) string {
	t.Helper()
	s, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// RELIABILITY.md: PIDs are reused, start time too. Inside a PID namespace
// of its own, the test gives one PID to two processes in turn with
// ns_last_pid: nsview pid reports on the one it names, and when the first
// ends and its PID goes to the second while nsview reads (between its scan
// and its ioctls), it notices (the pidfd it opened before reading is dead
// after) and reads again: the report is all about the second process,
// never the first's command line with the second's levels. A detached
// sandbox's init PID, given to another process, is refused by
// nsview spawn --stop, which leaves that process alone.
func TestPIDReused(t *testing.T) {
	if testenv.InFreshPIDNamespace(t) {
		return
	}
	const pid = 500
	first := testenv.StartAt(t, pid, nil, "sleep", "1000")
	var second *exec.Cmd
	reuse := func() {
		first.Process.Kill()
		first.Wait()
		// The second: the same PID here, PID 1 of a PID namespace and in
		// a network namespace of its own, with other arguments.
		second = testenv.StartAt(t, pid, &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNET}, "sleep", "1001")
	}
	var out, errOut bytes.Buffer
	g := &globalOptions{procPath: "/proc"}
	cmd := newPIDCmdWith(g, &pidOptions{afterRead: reuse})
	cmd.SetArgs([]string{"--json", "--method", "kernel", strconv.Itoa(pid)})
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("nsview pid: %v\n%s", err, errOut.String())
	}
	if second == nil {
		t.Fatal("the PID was never reused")
	}
	var doc struct {
		Processes []struct {
			PID     int    `json:"pid"`
			Command string `json:"command"`
			Levels  []struct {
				PID int    `json:"pid"`
				NS  uint64 `json:"ns"`
			} `json:"levels"`
			Namespaces []struct {
				Type nsinfo.Type `json:"type"`
				NS   *uint64     `json:"ns"`
			} `json:"namespaces"`
		} `json:"processes"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Processes) != 1 {
		t.Fatalf("%v\n%s", err, out.String())
	}
	p := doc.Processes[0]
	netNS, _ := nsinfo.ParseID(link(t, pid, "ns/net"))
	pidNS, _ := nsinfo.ParseID(link(t, pid, "ns/pid"))
	if p.Command != "sleep 1001" {
		t.Errorf("command %q: the first process's, not the second's (sleep 1001)", p.Command)
	}
	if len(p.Levels) != 2 || p.Levels[0].PID != pid || p.Levels[1].PID != 1 || p.Levels[1].NS != pidNS.Ino {
		t.Errorf("levels %+v, want %d then 1 in %s", p.Levels, pid, pidNS)
	}
	for _, n := range p.Namespaces {
		if n.Type == nsinfo.Net && (n.NS == nil || *n.NS != netNS.Ino) {
			t.Errorf("network namespace %v, want the second process's %s", n.NS, netNS)
		}
	}

	// The kill path: nsview spawn --stop on a sandbox init's PID that now
	// names another process.
	const initPID = 600
	if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(initPID-1)), 0); err != nil {
		t.Fatal(err)
	}
	r := runCommand(t, "", os.Environ(), time.Minute, nsviewBin, "spawn", "--detach", "--json", "--", "sleep", "1000")
	var info struct {
		Inits []int `json:"inits"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); r.code != 0 || err != nil || len(info.Inits) != 1 {
		t.Fatalf("spawn --detach: exit %d, %v: %s%s", r.code, err, r.stdout, r.stderr)
	}
	init := info.Inits[0]
	if r := runCommand(t, "", os.Environ(), time.Minute, nsviewBin, "spawn", "--stop", strconv.Itoa(init)); r.code != 0 {
		t.Fatalf("spawn --stop %d: exit %d: %s", init, r.code, r.stderr)
	}
	// nsview's init was a child of nsview spawn --detach, reparented to
	// this test (PID 1 here): reap it, so its PID is free.
	var ws syscall.WaitStatus
	syscall.Wait4(init, &ws, 0, nil)
	other := testenv.StartAt(t, init, nil, "sleep", "1002")
	r = runCommand(t, "", os.Environ(), time.Minute, nsviewBin, "spawn", "--stop", strconv.Itoa(init))
	if r.code == 0 || !strings.Contains(r.stderr, "not nsview's init") {
		t.Errorf("spawn --stop on a reused PID: exit %d: %s", r.code, r.stderr)
	}
	if err := other.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("the process that reused the init's PID was signalled: %v", err)
	}
}
