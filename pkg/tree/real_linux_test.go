package tree

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
)

func scanReal(t testing.TB, opts Options) *Snapshot {
	t.Helper()
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Scan(proc, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The live /proc: our own process as the kernel says, and no failure.
func TestScanRealProc(t *testing.T) {
	s := scanReal(t, Everything())
	if s.Unreadable.Failed != 0 {
		t.Errorf("failures on the live /proc: %+v", s.Unreadable)
	}
	if s.Caller.ForeignProc || s.Caller.PID != os.Getpid() || len(s.Warnings) != 0 {
		t.Errorf("caller %+v, warnings %q", s.Caller, s.Warnings)
	}
	p, ok := s.Proc(os.Getpid())
	if !ok {
		t.Fatal("our own process is missing")
	}
	if p.PPID != os.Getppid() || p.UID != uint32(os.Geteuid()) || len(p.NSpid) == 0 || p.NSpid[0] != os.Getpid() || p.Denied {
		t.Errorf("our process: %+v", p)
	}
	for _, typ := range nsinfo.Types {
		want, _ := os.Readlink("/proc/self/ns/" + typ.String())
		if got := p.NS.Get(typ).String(); got != want {
			t.Errorf("%v = %s, readlink says %s", typ, got, want)
		}
	}
	if len(p.Threads) == 0 || p.NumThreads != len(p.Threads)+1 && p.NumThreads < 2 {
		t.Errorf("a Go test has threads: %d, %v", p.NumThreads, p.Threads)
	}
	if s.Kernel == "" || s.BootTime.IsZero() || !s.Read.Hierarchy {
		t.Errorf("kernel %q boot %v hierarchy %v", s.Kernel, s.BootTime, s.Read.Hierarchy)
	}
	own, _ := s.Namespace(p.NS.Get(nsinfo.PID))
	if own == nil || own.KernelID == 0 && strings.HasPrefix(s.Kernel, "6.18") {
		t.Errorf("our PID namespace %+v: NS_GET_ID gives an ID on 6.18", own)
	}
}

// A process 32 PID namespaces below the host's has 33 NSpid entries: the
// kernel's limit, which a parser allowing only 32 turned into a failure.
func TestScanDeepestNamespace(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "sleep")
	var args []string
	for range nsinfo.MaxPIDDepth {
		args = append(args, "unshare", "--pid", "--fork", "--kill-child")
	}
	args = append(args, "sleep", "3600")
	cmd := start(t, args[0], args[1:]...)
	pid := cmd.Process.Pid
	for range nsinfo.MaxPIDDepth {
		pid = onlyChild(t, pid)
	}
	nsGoneAtCleanup(t, cmd, pidNS(pid))
	testenv.WaitFor(t, 10*time.Second, "sleep to run", func() bool {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		return string(b) == "sleep\n"
	})
	s := scanReal(t, Options{NSpid: true, Namespaces: true})
	if s.Unreadable.Failed != 0 {
		t.Fatalf("failures: %+v", s.Unreadable)
	}
	p, ok := s.Proc(pid)
	if !ok || len(p.NSpid) != nsinfo.MaxNSpid || p.InnerPID() != 1 {
		t.Fatalf("the deepest process: %+v", p)
	}
	v, err := s.InsideViewOf(pid)
	if err != nil || len(v.Entries) != 1 || v.Level != nsinfo.MaxPIDDepth {
		t.Fatalf("its view: %v, %v", v, err)
	}
	// Every level's view below the host's holds the chain from there down.
	for level := 1; level < nsinfo.MaxNSpid; level++ {
		ns := s.PIDNamespaceAt(p, level)
		v, err := s.InsideView(nsinfo.ID{Type: nsinfo.PID, Ino: ns})
		if err != nil || len(v.Entries) != nsinfo.MaxNSpid-level {
			t.Fatalf("level %d: %v", level, err)
		}
	}
}

// After `unshare -p -f` without --mount-proc, /proc is still the host's:
// getpid() is 1, /proc/self is a host PID. The scan says so.
func TestForeignProcAfterUnshare(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare")
	bin := helperBinary(t)
	s := runHelperScan(t, bin, "unshare", "--pid", "--fork", "--kill-child")
	c := s.Caller
	if c.PID != 1 || c.ProcSelf <= 1 || !c.ForeignProc {
		t.Fatalf("caller %+v", c)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "another PID namespace") || !strings.Contains(s.Warnings[0], "getpid() is 1") {
		t.Errorf("warnings %q", s.Warnings)
	}
	// The helper itself, as the host's proc numbers it: PID 1 inside.
	p, ok := s.Proc(c.ProcSelf)
	if !ok || !slices.Equal(p.NSpid, []int{c.ProcSelf, 1}) {
		t.Errorf("the helper in its own snapshot: %+v", p)
	}
}

// A proc mount of a child PID namespace, read from the host through
// /proc/PID/root/proc: nsview has no PID in that namespace.
func TestForeignProcOfChild(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "sleep")
	cmd := start(t, "unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "sleep", "3600")
	kid := onlyChild(t, cmd.Process.Pid)
	nsGoneAtCleanup(t, cmd, pidNS(kid))
	root := "/proc/" + strconv.Itoa(kid) + "/root/proc"
	testenv.WaitFor(t, 10*time.Second, "the child's own /proc", func() bool {
		_, err := os.Stat(root + "/1/stat")
		b, _ := os.ReadFile(root + "/1/comm")
		return err == nil && string(b) == "sleep\n"
	})
	proc, err := nsinfo.NewProcFS(root)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Scan(proc, Everything())
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Caller; !c.ForeignProc || c.ProcSelf != 0 || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "has no PID") {
		t.Errorf("caller %+v, warnings %q", c, s.Warnings)
	}
	if len(s.Processes) != 1 || s.Processes[0].PID != 1 || !slices.Equal(s.Processes[0].NSpid, []int{1}) || s.Processes[0].Comm != "sleep" {
		t.Errorf("the child's namespace as its proc shows it: %+v", s.Processes)
	}
}

// As nobody, the links of others' processes are denied but their NSpid is
// not: processes are shown with their depth, namespaces unknown, counted.
func TestUnprivilegedScan(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "setpriv", "unshare", "sleep")
	// A root process nested one level down, whose links nobody cannot read.
	cmd := start(t, "unshare", "--pid", "--fork", "--kill-child", "sleep", "3600")
	kid := onlyChild(t, cmd.Process.Pid)
	nsGoneAtCleanup(t, cmd, pidNS(kid))
	bin := helperBinary(t)
	s := runHelperScan(t, bin, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
	if s.Unreadable.Failed != 0 || s.Unreadable.Hidden != 0 {
		t.Errorf("as nobody: %+v", s.Unreadable)
	}
	if s.Unreadable.Denied == 0 {
		t.Error("nothing counted as denied")
	}
	p, ok := s.Proc(kid)
	if !ok {
		t.Fatal("root's nested process is missing")
	}
	if !p.Denied || p.NS != (nsinfo.Set{}) || !slices.Equal(p.NSpid, []int{kid, 1}) || p.UID != 0 {
		t.Errorf("root's nested process as nobody sees it: %+v", p)
	}
	if _, err := s.InsideViewOf(kid); err == nil || !strings.Contains(err.Error(), "try as root") {
		t.Errorf("inside view without links: %v", err)
	}
	// The helper's own process is readable.
	self := s.Caller.ProcSelf
	if me, ok := s.Proc(self); !ok || me.Denied || me.NS.Get(nsinfo.PID).IsZero() || me.UID != 65534 {
		t.Errorf("the helper itself: %+v", me)
	}
	for _, p := range s.Processes {
		if p.NSpid == nil {
			t.Errorf("process %d: NSpid unread as nobody", p.PID)
		}
	}
}

// RELIABILITY.md's stress test: at least 200 scans of a live /proc while
// other goroutines fork and reap as fast as they can and create and end
// nested PID namespaces, under -race when the suite runs with it. It runs
// in a PID namespace of its own with its own /proc, so that every process
// the scans can see is known whatever else the machine runs: no scan fails,
// and every process alive from before a scan until after it (same PID, same
// start time) is in it, the long-lived and nested ones with their NSpid.
// Scans alternate between Scan and a Rescanner, which keeps what it read
// before.
func TestScanStress(t *testing.T) {
	// In parallel with the in-memory tests, after the sequential ones (the
	// leak check among them) are done.
	t.Parallel()
	if testenv.InFreshPIDNamespace(t) {
		return
	}
	testenv.NeedTools(t, "unshare", "sleep", "true")
	scans := 200
	if testing.Short() {
		scans = 20
	}
	var long []*exec.Cmd
	for range 3 {
		long = append(long, start(t, "sleep", "3600"))
	}
	nested := start(t, "unshare", "--pid", "--fork", "--kill-child", "sleep", "3600")
	nestedKid := onlyChild(t, nested.Process.Pid)
	nsGoneAtCleanup(t, nested, pidNS(nestedKid))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var forks, namespaces atomic.Int64
	churn := func(count *atomic.Int64, name string, args ...string) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := exec.Command(name, args...).Run(); err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			count.Add(1)
		}
	}
	for range 2 {
		wg.Add(1)
		go churn(&forks, "true")
	}
	wg.Add(1)
	go churn(&namespaces, "unshare", "--pid", "--fork", "--kill-child", "unshare", "--pid", "--fork", "true")

	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	re := NewRescanner(proc, Options{Threads: true, Cmdline: true, NSpid: true, Namespaces: true, Hierarchy: true, Cgroup: true})
	var vanished, checked int
	for i := range scans {
		before := liveStartTimes(t)
		var s *Snapshot
		if i%2 == 0 {
			s = scanReal(t, Everything())
		} else if s, err = re.Scan(); err != nil {
			t.Fatalf("scan %d (Rescanner): %v", i, err)
		}
		after := liveStartTimes(t)
		vanished += s.Unreadable.Vanished
		if s.Unreadable.Failed != 0 || s.Unreadable.Denied != 0 || s.Unreadable.Hidden != 0 {
			t.Errorf("scan %d: %+v", i, s.Unreadable)
		}
		for pid, st := range before {
			if after[pid] != st {
				continue // exited during the scan, or its PID reused
			}
			checked++
			if p, ok := s.Proc(pid); !ok || p.StartTime != st {
				status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
				t.Fatalf("scan %d: process %d (start %d) lived through the scan but is %+v; the scan counted %+v; its status now:\n%s", i, pid, st, p, s.Unreadable, status)
			}
		}
		for _, c := range long {
			if p, ok := s.Proc(c.Process.Pid); !ok || p.Comm != "sleep" || !slices.Equal(p.NSpid, []int{c.Process.Pid}) {
				t.Fatalf("scan %d: sleep %d is %+v", i, c.Process.Pid, p)
			}
		}
		p, ok := s.Proc(nestedKid)
		if !ok || !slices.Equal(p.NSpid, []int{nestedKid, 1}) || s.PIDNamespaceOf(p) != pidNS(nestedKid) {
			t.Fatalf("scan %d: the nested sleep %d is %+v", i, nestedKid, p)
		}
		if v, err := s.InsideViewOf(nestedKid); err != nil || v.Entries[0].PID != 1 {
			t.Fatalf("scan %d: inside view %v, %v", i, v, err)
		}
		checkTree(t, s.HostView(), s.HostView().Tree())
	}
	close(stop)
	wg.Wait()
	t.Logf("%d scans while %d processes and %d nested namespace pairs came and went; %d processes vanished mid-read; %d checks of a process that lived through a scan", scans, forks.Load(), namespaces.Load(), vanished, checked)
	if forks.Load() == 0 || namespaces.Load() == 0 {
		t.Error("nothing churned")
	}
}

// liveStartTimes lists the processes of /proc with their start times.
func liveStartTimes(t *testing.T) map[int]uint64 {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[int]uint64, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if st, err := nsinfo.ParseStat(b); err == nil {
			out[pid] = st.StartTime
		}
	}
	return out
}

// 1,000 scans, and 1,000 rescans, leave the open-fd and goroutine counts
// where they were. In a PID namespace of its own, so that a scan costs the
// same on a busy machine. Under the race detector a scan costs ten times as
// much, so -race runs 100 and .ci/run runs the full 1,000 once more without
// it.
func TestScanNoLeaks(t *testing.T) {
	if testenv.InFreshPIDNamespace(t) {
		return
	}
	scans := 1000
	if testing.Short() || raceEnabled {
		scans = 100
	}
	// Something to read in every way: a threaded process in a nested
	// PID namespace.
	testenv.NeedTools(t, "unshare", "sleep")
	nested := start(t, "unshare", "--pid", "--fork", "--kill-child", "sleep", "3600")
	onlyChild(t, nested.Process.Pid)
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	re := NewRescanner(proc, Everything())
	re.Restat, re.Recheck = 3, 7
	scan := func() {
		if _, err := Scan(proc, Everything()); err != nil {
			t.Fatal(err)
		}
		if _, err := re.Scan(); err != nil {
			t.Fatal(err)
		}
	}
	scan() // warm up
	fds, goroutines := testenv.OpenFDs(t), runtime.NumGoroutine()
	for range scans {
		scan()
	}
	// Goroutines of the scan end before it returns, but the runtime may
	// not have reaped them yet.
	testenv.WaitFor(t, 5*time.Second, "the scan goroutines to end", func() bool { return runtime.NumGoroutine() <= goroutines })
	if got := testenv.OpenFDs(t); got != fds {
		t.Errorf("%d scans and rescans: %d open fds, %d before", scans, got, fds)
	}
}

// A scan of a real /proc reads the status of a process only when it is not
// in the mount's own PID namespace (the others are numbered by their PID
// alone). Every chain it gives, at the mount's level and two below, is the
// one status says.
func TestScanNSpidAtMountLevel(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "sleep")
	cmd := start(t, "unshare", "--pid", "--fork", "--kill-child", "unshare", "--pid", "--fork", "--kill-child", "sleep", "3600")
	inner := onlyChild(t, onlyChild(t, cmd.Process.Pid))
	nsGoneAtCleanup(t, cmd, pidNS(inner))
	testenv.WaitFor(t, 10*time.Second, "sleep to run", func() bool {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(inner) + "/comm")
		return string(b) == "sleep\n"
	})
	for _, opts := range []Options{{NSpid: true, Namespaces: true}, Everything()} {
		s := scanReal(t, opts)
		levels := map[int]int{}
		for i := range s.Processes {
			p := &s.Processes[i]
			want, err := nsinfo.ReadNSpid(p.PID)
			if err != nil {
				continue // gone since
			}
			if !slices.Equal(p.NSpid, want) {
				t.Errorf("PID %d: NSpid %v, status says %v", p.PID, p.NSpid, want)
			}
			levels[len(p.NSpid)]++
		}
		if p, ok := s.Proc(inner); !ok || len(p.NSpid) < 3 || levels[1] == 0 {
			t.Errorf("the sleep two levels down: %+v; processes by NSpid length %v", p, levels)
		}
	}
}

// A scan reads neither the command line nor the fds of a kernel thread:
// on this kernel both are empty, as the scan says.
func TestScanKernelThreads(t *testing.T) {
	s := scanReal(t, Everything())
	kthreads := 0
	for i := range s.Processes {
		p := &s.Processes[i]
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/stat")
		if err != nil {
			continue
		}
		st, err := nsinfo.ParseStat(b)
		if err != nil || !st.KernelThread() || st.StartTime != p.StartTime {
			continue
		}
		kthreads++
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/cmdline")
		if err != nil || len(cmdline) != 0 || p.Cmdline == nil || len(p.Cmdline) != 0 {
			t.Errorf("kernel thread %d %s: command line %q (%v), scan says %q", p.PID, p.Comm, cmdline, err, p.Cmdline)
		}
		if fds, err := os.ReadDir("/proc/" + strconv.Itoa(p.PID) + "/fd"); err != nil || len(fds) != 0 {
			t.Errorf("kernel thread %d %s: %d fds (%v)", p.PID, p.Comm, len(fds), err)
		}
	}
	t.Logf("%d kernel threads (none in a PID namespace's own /proc)", kthreads)
}
