package tree

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// TestScanStatOnly checks that a scan needing only stat, which reads it by
// path without opening the process directory, finds the same facts as a
// scan through the directory; and that asking for threads then still lists
// them (the directory is opened for that process only, checked against the
// start time).
func TestScanStatOnly(t *testing.T) {
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil || !proc.Real() {
		if os.Getenv("NSVIEW_CI") != "" {
			t.Fatalf("no proc filesystem at /proc: %v", err)
		}
		t.Skip("no proc filesystem at /proc")
	}
	if _, ok := proc.Files.(nsinfo.StatReader); !ok {
		t.Fatal("the OS Files do not implement StatReader: the fast path is never taken")
	}
	me := os.Getpid()
	find := func(opts Options) *Process {
		t.Helper()
		s, err := Scan(proc, opts)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := s.Proc(me)
		if !ok {
			t.Fatalf("scan with %+v: this process (%d) not found", opts, me)
		}
		return p
	}
	fast := find(Options{})
	full := find(Options{NSpid: true})
	if fast.PPID != full.PPID || fast.Comm != full.Comm || fast.UID != full.UID || fast.StartTime != full.StartTime || fast.PGID != full.PGID {
		t.Errorf("stat only: %+v\nthrough the directory: %+v", fast, full)
	}
	if fast.NSpid != nil || fast.NS != (nsinfo.Set{}) {
		t.Errorf("stat-only scan read more than stat: NSpid %v, NS %v", fast.NSpid, fast.NS)
	}
	threads := find(Options{Threads: true, ThreadNames: true})
	if threads.NumThreads < 2 {
		t.Skipf("this test process has %d thread(s)", threads.NumThreads)
	}
	if len(threads.Threads) == 0 {
		t.Errorf("stat-only scan with threads: no thread listed for a process of %d threads", threads.NumThreads)
	}
	for _, th := range threads.Threads {
		if th.Comm == "" {
			t.Errorf("thread %d: no name", th.TID)
		}
	}
}

// TestScanNSpidShortcut checks that the NSpid chains a scan gives without
// reading status (processes in the mount's own PID namespace) equal those
// read from status, for every process both scans saw, including one in a
// nested PID namespace (made here when root), for which status must still
// be read.
func TestScanNSpidShortcut(t *testing.T) {
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil || !proc.Real() {
		if os.Getenv("NSVIEW_CI") != "" {
			t.Fatalf("no proc filesystem at /proc: %v", err)
		}
		t.Skip("no proc filesystem at /proc")
	}
	nested, child := 0, 0
	if os.Getuid() == 0 {
		if _, err := exec.LookPath("unshare"); err == nil {
			cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "sleep", "60")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				cmd.Process.Kill()
				cmd.Wait()
				if child != 0 {
					waitGone(t, child)
				}
			})
			// --kill-child: the sleep dies with the unshare, and the
			// namespace with it.
			nested = cmd.Process.Pid
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for nested != 0 && child == 0 {
		s, err := Scan(proc, Options{NSpid: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.Processes {
			if p := &s.Processes[i]; p.PPID == nested && len(p.NSpid) == 2 {
				child = p.PID
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the child of unshare --pid never showed in a nested namespace")
		}
	}

	withLinks, err := Scan(proc, Options{NSpid: true, Namespaces: true})
	if err != nil {
		t.Fatal(err)
	}
	fromStatus, err := Scan(proc, Options{NSpid: true})
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for i := range withLinks.Processes {
		p := &withLinks.Processes[i]
		q, ok := fromStatus.Proc(p.PID)
		if !ok || q.StartTime != p.StartTime {
			continue // exited or replaced between the scans
		}
		compared++
		if !slices.Equal(p.NSpid, q.NSpid) {
			t.Errorf("process %d (%s): NSpid %v with links, %v from status", p.PID, p.Comm, p.NSpid, q.NSpid)
		}
	}
	if compared < 2 {
		t.Fatalf("only %d processes compared", compared)
	}
	if child != 0 {
		if p, ok := withLinks.Proc(child); !ok || len(p.NSpid) != 2 || p.NSpid[1] != 1 {
			t.Errorf("nested process %d: %+v", child, p)
		}
	}
}

// waitGone waits until process pid has left /proc (a zombie counts as gone).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		if st, err := nsinfo.ParseStat(b); err == nil && st.State == 'Z' {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("process %d outlived the test", pid)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
