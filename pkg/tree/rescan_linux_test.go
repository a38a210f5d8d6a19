//go:build linux

package tree

import (
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
)

// On the live /proc, a Rescanner sees of processes it knows what a full
// scan sees, and follows an exec (new name, new arguments) at once.
func TestRescanLive(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 1000 & read x; exec sleep 999")
	// A group of its own: the background sleep is ended with the shell.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	sh := cmd.Process.Pid
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Cmdline: true, NSpid: true, Namespaces: true, Hierarchy: true, Cgroup: true}
	r := NewRescanner(proc, opts)
	r.Recheck = 1 << 20
	// Wait for the shell's child, then scan twice: the second scan knows
	// every process. The child counts once it has its arguments: an exec
	// renames a process before it sets up its arguments, and a scan in
	// between reads an empty command line.
	var sleeper int
	deadline := time.Now().Add(10 * time.Second)
	for sleeper == 0 {
		s, err := r.Scan()
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.Processes {
			if p := &s.Processes[i]; p.PPID == sh && p.Comm == "sleep" && len(p.Cmdline) > 0 {
				sleeper = p.PID
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the shell's child did not appear")
		}
	}
	// Named sleep, it may not have its arguments yet (the kernel names a
	// process before it sets them up): compare scans once it has.
	for {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(sleeper) + "/cmdline")
		if strings.HasPrefix(string(b), "sleep\x001000") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shell's child has command line %q", b)
		}
		time.Sleep(time.Millisecond)
	}
	again, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	full, err := Scan(proc, opts)
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b *Process) bool {
		return a.PID == b.PID && a.PPID == b.PPID && a.Comm == b.Comm && slices.Equal(a.Cmdline, b.Cmdline) &&
			slices.Equal(a.NSpid, b.NSpid) && a.NS == b.NS && a.StartTime == b.StartTime && a.UID == b.UID && a.Cgroup == b.Cgroup
	}
	for _, pid := range []int{sh, sleeper, os.Getpid()} {
		a, okA := again.Proc(pid)
		b, okB := full.Proc(pid)
		if !okA || !okB || !same(a, b) {
			t.Errorf("process %d: rescan %+v, full scan %+v", pid, a, b)
		}
	}

	// The shell execs: same PID and start time, a new name and new
	// arguments.
	io.WriteString(stdin, "\n")
	deadline = time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(sh) + "/cmdline")
		if strings.HasPrefix(string(b), "sleep\x00999") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the shell did not exec")
		}
		time.Sleep(5 * time.Millisecond)
	}
	after, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := after.Proc(sh)
	if !ok || p.Comm != "sleep" || !slices.Equal(p.Cmdline, []string{"sleep", "999"}) {
		t.Errorf("after exec, %d is %+v; want sleep 999", sh, p)
	}
}

// The listing is reused only while no task came or went: a process that
// starts, and one that exits, show in the next scan.
func TestRescanSeesStartsAndExits(t *testing.T) {
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	r := NewRescanner(proc, Options{NSpid: true})
	if _, err := r.Scan(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	s, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Proc(pid); !ok {
		t.Errorf("new process %d not seen", pid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	s, err = r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Proc(pid); ok {
		t.Errorf("reaped process %d still seen", pid)
	}
}

// RELIABILITY.md: "PIDs are reused, start time too." In a PID namespace of
// its own, the test ends a process and gives its PID, with ns_last_pid, to
// a new one of the same name, other arguments and another network
// namespace, until one gets the same start time as well (the clock ticks
// 100 times a second). A Rescanner that knows the first takes such a
// process for the same (same PID, start time and name) and keeps its
// facts, as a control Rescanner shows; one asked to keep the PID fresh (the
// UI's screen and selection) holds a pidfd on it, sees the first process
// end, and reads the second in full.
func TestRescanPinsReusedPID(t *testing.T) {
	if testenv.InFreshPIDNamespace(t) {
		return
	}
	const pid = 700
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Cmdline: true, NSpid: true, Namespaces: true}
	netOf := func(s *Snapshot) uint64 {
		p, _ := s.Proc(pid)
		return p.NS.Get(nsinfo.Net).Ino
	}
	for try := 1; ; try++ {
		if try > 1000 {
			t.Fatal("1000 tries gave no second process the first's start time")
		}
		first := testenv.StartAt(t, pid, nil, "sleep", "1000")
		pinned, control := NewRescanner(proc, opts), NewRescanner(proc, opts)
		pinned.Recheck, control.Recheck = 1<<20, 1<<20
		defer pinned.Close()
		s1, err := pinned.ScanFresh([]int{pid})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := control.Scan(); err != nil {
			t.Fatal(err)
		}
		p1, ok := s1.Proc(pid)
		if !ok || !slices.Equal(p1.Cmdline, []string{"sleep", "1000"}) {
			t.Fatalf("the first process: %+v", p1)
		}
		first.Process.Kill()
		first.Wait()
		second := testenv.StartAt(t, pid, &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}, "sleep", "1001")
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			t.Fatal(err)
		}
		st, err := nsinfo.ParseStat(b)
		if err != nil || st.Comm != "sleep" {
			t.Fatalf("the second process: %+v, %v", st, err)
		}
		if st.StartTime != p1.StartTime {
			second.Process.Kill()
			second.Wait()
			continue
		}
		netNS := pidNSLink(t, pid, "net")
		s2, err := pinned.ScanFresh([]int{pid})
		if err != nil {
			t.Fatal(err)
		}
		c2, err := control.Scan()
		if err != nil {
			t.Fatal(err)
		}
		p2, ok := s2.Proc(pid)
		if !ok || !slices.Equal(p2.Cmdline, []string{"sleep", "1001"}) || netOf(s2) != netNS {
			t.Errorf("after the PID was reused with the same start time: %+v; want sleep 1001 in net:[%d]", p2, netNS)
		}
		if q, _ := c2.Proc(pid); !slices.Equal(q.Cmdline, []string{"sleep", "1000"}) || netOf(c2) == netNS {
			t.Errorf("the control Rescanner saw the second process (%+v): the case was not the hard one", q)
		}
		t.Logf("try %d: the second process got PID %d and start time %d", try, pid, st.StartTime)
		return
	}
}

// pidNSLink is the inode of one of a process's namespaces.
func pidNSLink(t *testing.T, pid int, typ string) uint64 {
	t.Helper()
	s, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/" + typ)
	if err != nil {
		t.Fatal(err)
	}
	id, err := nsinfo.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id.Ino
}
