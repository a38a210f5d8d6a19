package tree

import (
	"os"
	"testing"

	"github.com/nsview/nsview/internal/testenv"
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
		testenv.SkipOrFail(t, "no proc filesystem at /proc: %v", err)
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
