package tree

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// memProc is an in-memory proc mount that counts the reads of each file.
type memProc struct {
	mu    sync.Mutex
	procs map[int]*memProcess
	reads map[string]int // "PID/name" -> count
	// panicOn makes a read of that "PID/name" panic.
	panicOn string
}

type memProcess struct {
	files map[string]string // stat, status, cmdline, cgroup
	links map[string]string // ns/pid, ...
	uid   uint32
}

func newMemProc() *memProc {
	return &memProc{procs: map[int]*memProcess{}, reads: map[string]int{}}
}

// add puts a process in: name, parent, start time, NSpid chain and its
// namespaces (pid namespace inode pidns, the others shared).
func (m *memProc) add(pid, ppid int, comm string, start uint64, nspid []int, pidns uint64, argv ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	chain := make([]string, len(nspid))
	for i, n := range nspid {
		chain[i] = strconv.Itoa(n)
	}
	links := map[string]string{}
	for i, name := range linkNames() {
		ino := uint64(4026531835 + i)
		if name == "pid" || name == "pid_for_children" {
			links["ns/"+name] = fmt.Sprintf("pid:[%d]", pidns)
			continue
		}
		links["ns/"+name] = fmt.Sprintf("%s:[%d]", name, ino)
	}
	m.procs[pid] = &memProcess{
		files: map[string]string{
			"stat":    fmt.Sprintf("%d (%s) S %d %d %d 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 %d 0 0\n", pid, comm, ppid, pid, pid, start),
			"status":  "Name:\t" + comm + "\nUid:\t0\t0\t0\t0\nNSpid:\t" + strings.Join(chain, "\t") + "\n",
			"cmdline": strings.Join(argv, "\x00") + "\x00",
			"cgroup":  "0::/\n",
		},
		links: links,
	}
}

func linkNames() []string {
	return []string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time", "pid_for_children"}
}

func (m *memProc) remove(pid int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.procs, pid)
}

func (m *memProc) setComm(pid int, comm string, argv ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.procs[pid]
	st := p.files["stat"]
	p.files["stat"] = st[:strings.IndexByte(st, '(')+1] + comm + st[strings.LastIndexByte(st, ')'):]
	p.files["cmdline"] = strings.Join(argv, "\x00") + "\x00"
}

func (m *memProc) setPPID(pid, ppid int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.procs[pid]
	st := p.files["stat"]
	rp := strings.LastIndexByte(st, ')')
	f := strings.Fields(st[rp+1:])
	f[1] = strconv.Itoa(ppid)
	p.files["stat"] = st[:rp+1] + " " + strings.Join(f, " ") + "\n"
}

func (m *memProc) setLink(pid int, name, text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.procs[pid].links[name] = text
}

func (m *memProc) resetReads() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads = map[string]int{}
}

func (m *memProc) count(pid int, name string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads[strconv.Itoa(pid)+"/"+name]
}

func (m *memProc) OpenProc(pid int) (nsinfo.ProcDir, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.procs[pid]; !ok {
		return nil, &fs.PathError{Op: "open", Path: strconv.Itoa(pid), Err: fs.ErrNotExist}
	}
	return &memDir{m: m, pid: pid}, nil
}

func (m *memProc) ReadDirNames(name string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for pid := range m.procs {
		names = append(names, strconv.Itoa(pid))
	}
	slices.Sort(names)
	return append(names, "self", "sys"), nil
}

func (m *memProc) Readlink(name string) (string, error) {
	return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrNotExist}
}

type memDir struct {
	m   *memProc
	pid int
}

func (d *memDir) get(name string, links bool) (string, error) {
	d.m.mu.Lock()
	defer d.m.mu.Unlock()
	key := strconv.Itoa(d.pid) + "/" + name
	if d.m.panicOn == key {
		panic("injected panic reading " + key)
	}
	d.m.reads[key]++
	p, ok := d.m.procs[d.pid]
	if !ok {
		return "", fmt.Errorf("read %s: %w", key, nsinfo.ErrVanished)
	}
	src := p.files
	if links {
		src = p.links
	}
	v, ok := src[name]
	if !ok {
		return "", fmt.Errorf("read %s: %w", key, nsinfo.ErrVanished)
	}
	return v, nil
}

func (d *memDir) ReadFile(name string, buf []byte) ([]byte, error) {
	v, err := d.get(name, false)
	return append(buf[:0], v...), err
}

func (d *memDir) Readlink(name string) (string, error) { return d.get(name, true) }

func (d *memDir) ReadDirNames(name string) ([]string, error) {
	return nil, fmt.Errorf("list %s: %w", name, nsinfo.ErrVanished)
}

func (d *memDir) Owner() (uint32, error) {
	d.m.mu.Lock()
	defer d.m.mu.Unlock()
	d.m.reads[strconv.Itoa(d.pid)+"/owner"]++
	p, ok := d.m.procs[d.pid]
	if !ok {
		return 0, fmt.Errorf("stat %d: %w", d.pid, nsinfo.ErrVanished)
	}
	return p.uid, nil
}

func (d *memDir) Close() error { return nil }

func newMemProcFS(t *testing.T, m *memProc) *nsinfo.ProcFS {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/stat", []byte("cpu 0 0 0 0\nbtime 1700000000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	proc, err := nsinfo.NewProcFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	proc.Files = m
	return proc
}

var tuiOptions = Options{Cmdline: true, NSpid: true, Namespaces: true, Hierarchy: true}

func TestRescanReadsOnlyStatOfKnownProcesses(t *testing.T) {
	m := newMemProc()
	const hostNS, innerNS = 4026531836, 4026532999
	m.add(1, 0, "init", 10, []int{1}, hostNS, "/sbin/init")
	m.add(100, 1, "unshare", 20, []int{100}, hostNS, "unshare", "-p")
	m.add(101, 100, "bash", 30, []int{101, 1}, innerNS, "bash")
	m.add(102, 101, "sleep", 40, []int{102, 2}, innerNS, "sleep", "100")
	r := NewRescanner(newMemProcFS(t, m), tuiOptions)
	r.Recheck = 1 << 20 // never re-read in full within this test

	first, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(first.Processes); got != 4 {
		t.Fatalf("first scan: %d processes, want 4", got)
	}
	if m.count(101, "status") != 1 || m.count(101, "ns/mnt") != 1 {
		t.Fatalf("first scan did not read status and links of 101: %v", m.reads)
	}

	// Second scan: 102 execs (new name), 103 is new, 1 vanished and its
	// PID was reused (other start time), 100's parent changed.
	m.resetReads()
	m.setComm(102, "python3", "python3", "-c", "pass")
	m.setLink(102, "ns/net", "net:[4026538888]") // ip netns exec: setns, exec
	m.add(103, 101, "cat", 50, []int{103, 3}, innerNS, "cat")
	m.remove(1)
	m.add(1, 0, "newinit", 11, []int{1}, hostNS, "/newinit")
	m.setPPID(100, 1)
	m.setLink(101, "ns/net", "net:[4026539999]") // not seen until a recheck
	s, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{100, 101} {
		if n := m.count(pid, "status"); n != 0 {
			t.Errorf("known process %d: status read %d times, want 0", pid, n)
		}
		if n := m.count(pid, "ns/mnt"); n != 0 {
			t.Errorf("known process %d: links read %d times, want 0", pid, n)
		}
		if n := m.count(pid, "stat"); n != 1 {
			t.Errorf("known process %d: stat read %d times, want 1", pid, n)
		}
	}
	if n := m.count(100, "cmdline"); n != 0 {
		t.Errorf("unchanged name: cmdline of 100 read %d times, want 0", n)
	}
	// New processes, and 102 after its exec (which often follows a
	// setns), are read in full.
	for _, pid := range []int{1, 103, 102} {
		if m.count(pid, "status") != 1 || m.count(pid, "ns/mnt") != 1 {
			t.Errorf("process %d not read in full: %v", pid, m.reads)
		}
	}
	p102, _ := s.Proc(102)
	if p102.Comm != "python3" || !slices.Equal(p102.Cmdline, []string{"python3", "-c", "pass"}) {
		t.Errorf("after exec: 102 is %q %q, want python3 and its new arguments", p102.Comm, p102.Cmdline)
	}
	if got := p102.NS.Get(nsinfo.Net).Ino; got != 4026538888 {
		t.Errorf("after setns and exec: 102's net namespace is %d, want 4026538888", got)
	}
	if !slices.Equal(p102.NSpid, []int{102, 2}) || p102.NS.Get(nsinfo.PID).Ino != innerNS {
		t.Errorf("102 lost its NSpid or PID namespace: %v %v", p102.NSpid, p102.NS)
	}
	p1, _ := s.Proc(1)
	if p1.Comm != "newinit" || p1.StartTime != 11 {
		t.Errorf("reused PID 1 is %q start %d, want newinit start 11", p1.Comm, p1.StartTime)
	}
	p100, _ := s.Proc(100)
	if p100.PPID != 1 {
		t.Errorf("100's parent is %d, want 1", p100.PPID)
	}
	if _, ok := s.Proc(103); !ok {
		t.Error("new process 103 missing")
	}
	p101, _ := s.Proc(101)
	if got := p101.NS.Get(nsinfo.Net).Ino; got == 4026539999 {
		t.Error("101's net link was read again although no recheck was due")
	}

	// Everything a full scan sees, the rescan sees, but for the one link
	// it does not re-read until a recheck.
	full, err := Scan(newMemProcFS(t, m), tuiOptions)
	if err != nil {
		t.Fatal(err)
	}
	p101full, _ := full.Proc(101)
	p101full.NS = p101.NS
	assertSameProcesses(t, s, full)

	// A recheck of every process picks up the changed link.
	r.Recheck = 1
	s, err = r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	p101, _ = s.Proc(101)
	if got := p101.NS.Get(nsinfo.Net).Ino; got != 4026539999 {
		t.Errorf("after a recheck 101's net namespace is %d, want 4026539999", got)
	}
	full, err = Scan(newMemProcFS(t, m), tuiOptions)
	if err != nil {
		t.Fatal(err)
	}
	assertSameProcesses(t, s, full)
	if len(s.Namespaces) != len(full.Namespaces) {
		t.Errorf("%d namespaces, want %d", len(s.Namespaces), len(full.Namespaces))
	}
}

func assertSameProcesses(t *testing.T, got, want *Snapshot) {
	t.Helper()
	if len(got.Processes) != len(want.Processes) {
		t.Fatalf("%d processes, want %d", len(got.Processes), len(want.Processes))
	}
	for i := range want.Processes {
		g, w := got.Processes[i], want.Processes[i]
		gj, _ := g.MarshalJSON()
		wj, _ := w.MarshalJSON()
		if string(gj) != string(wj) {
			t.Errorf("process %d:\n got %s\nwant %s", w.PID, gj, wj)
		}
	}
}

func TestRescanSpreadsRechecks(t *testing.T) {
	m := newMemProc()
	for pid := 1; pid <= 100; pid++ {
		m.add(pid, 0, "p", uint64(pid), []int{pid}, 4026531836)
	}
	r := NewRescanner(newMemProcFS(t, m), tuiOptions)
	r.Recheck = 10
	if _, err := r.Scan(); err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		m.resetReads()
		if _, err := r.Scan(); err != nil {
			t.Fatal(err)
		}
		full := 0
		for pid := 1; pid <= 100; pid++ {
			full += m.count(pid, "status")
		}
		if full != 10 {
			t.Errorf("scan %d read %d of 100 processes in full, want 10", round+2, full)
		}
	}
}

func TestRescanWorkerPanicReachesCaller(t *testing.T) {
	m := newMemProc()
	for pid := 1; pid <= 20; pid++ {
		m.add(pid, 0, "p", uint64(pid), []int{pid}, 4026531836)
	}
	m.panicOn = "7/stat"
	r := NewRescanner(newMemProcFS(t, m), tuiOptions)
	r.Options.Workers = 4
	defer func() {
		v := recover()
		if v == nil || !strings.Contains(fmt.Sprint(v), "injected panic reading 7/stat") {
			t.Fatalf("recovered %v, want the worker's panic", v)
		}
	}()
	r.Scan()
	t.Fatal("Scan returned although a worker panicked")
}

func TestRescanVanishedBetweenScans(t *testing.T) {
	m := newMemProc()
	m.add(1, 0, "init", 1, []int{1}, 4026531836)
	m.add(2, 1, "gone", 2, []int{2}, 4026531836)
	r := NewRescanner(newMemProcFS(t, m), tuiOptions)
	if _, err := r.Scan(); err != nil {
		t.Fatal(err)
	}
	// 2 is listed but its files are gone by the time they are read.
	m.mu.Lock()
	m.procs[2].files = map[string]string{}
	m.mu.Unlock()
	s, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Proc(2); ok || s.Unreadable.Vanished != 1 {
		t.Errorf("vanished process: present=%v, vanished count %d, want absent and 1", ok, s.Unreadable.Vanished)
	}
}

// With Restat, a known process's stat is read only at its turn, when the
// caller asks for it fresh, or when its parent vanished; what appears and
// vanishes shows at once.
func TestRescanRestat(t *testing.T) {
	m := newMemProc()
	m.add(1, 0, "init", 1, []int{1}, 4026531836)
	m.add(10, 1, "parent", 10, []int{10}, 4026531836)
	for pid := 11; pid <= 40; pid++ {
		m.add(pid, 10, "kid", uint64(pid), []int{pid}, 4026531836)
	}
	r := NewRescanner(newMemProcFS(t, m), tuiOptions)
	r.Recheck, r.Restat = 1<<20, 1<<20 // no turns within the test
	if _, err := r.Scan(); err != nil {
		t.Fatal(err)
	}
	m.resetReads()
	m.remove(10) // its children are reparented to 1
	for pid := 11; pid <= 40; pid++ {
		m.setPPID(pid, 1)
	}
	m.setComm(1, "systemd") // not seen until 1's turn or asked fresh
	m.add(50, 1, "new", 50, []int{50}, 4026531836)
	s, err := r.ScanFresh([]int{11})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Proc(10); ok {
		t.Error("vanished 10 is still there")
	}
	if _, ok := s.Proc(50); !ok || m.count(50, "status") != 1 {
		t.Error("new 50 was not read in full")
	}
	for pid := 11; pid <= 40; pid++ {
		p, _ := s.Proc(pid)
		if p.PPID != 1 {
			t.Errorf("orphan %d: parent %d, want 1", pid, p.PPID)
		}
	}
	if n := m.count(1, "stat"); n != 0 {
		t.Errorf("1's stat read %d times before its turn", n)
	}
	if p, _ := s.Proc(1); p.Comm != "init" {
		t.Errorf("1 is %q before its turn, want the name read before (init)", p.Comm)
	}
	m.resetReads()
	s, _ = r.ScanFresh([]int{1})
	if p, _ := s.Proc(1); p.Comm != "systemd" || m.count(1, "stat") == 0 {
		t.Errorf("asked fresh: 1 is %q after %d stat reads", p.Comm, m.count(1, "stat"))
	}
	if n := m.count(12, "stat"); n != 0 {
		t.Errorf("12 re-read without its turn: %d", n)
	}
}

// memStatProc is memProc with ReadStat: stat by path, no directory.
type memStatProc struct{ *memProc }

func (m memStatProc) ReadStat(pid int, buf []byte) ([]byte, uint32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := strconv.Itoa(pid) + "/stat"
	m.reads[key]++
	m.reads[strconv.Itoa(pid)+"/readstat"]++
	p, ok := m.procs[pid]
	if !ok {
		return buf[:0], 0, fmt.Errorf("read %s: %w", key, nsinfo.ErrVanished)
	}
	return append(buf[:0], p.files["stat"]...), p.uid, nil
}

func TestRescanUsesStatReader(t *testing.T) {
	m := newMemProc()
	m.add(1, 0, "init", 1, []int{1}, 4026531836)
	m.add(2, 1, "sh", 2, []int{2}, 4026531836, "sh")
	proc := newMemProcFS(t, m)
	proc.Files = memStatProc{m}
	r := NewRescanner(proc, tuiOptions)
	r.Recheck = 1 << 20
	if _, err := r.Scan(); err != nil {
		t.Fatal(err)
	}
	m.resetReads()
	m.setComm(2, "python3", "python3", "-q")
	m.mu.Lock()
	m.procs[1].uid = 42
	m.mu.Unlock()
	s, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if m.count(1, "readstat") != 1 || m.count(2, "readstat") != 1 {
		t.Errorf("ReadStat not used: %v", m.reads)
	}
	if p, _ := s.Proc(1); p.UID != 42 {
		t.Errorf("UID of 1 is %d, want the new owner 42", p.UID)
	}
	if p, _ := s.Proc(2); p.Comm != "python3" || !slices.Equal(p.Cmdline, []string{"python3", "-q"}) || m.count(2, "cmdline") != 1 {
		t.Errorf("after exec: %q %q, cmdline read %d times", p.Comm, p.Cmdline, m.count(2, "cmdline"))
	}
	if n := m.count(1, "cmdline"); n != 0 {
		t.Errorf("unchanged 1: cmdline read %d times", n)
	}
}

// A command line read empty in the middle of an exec is read again.
func TestRescanRereadsEmptyCmdline(t *testing.T) {
	m := newMemProc()
	m.add(1, 0, "init", 1, []int{1}, 4026531836, "init")
	m.add(5, 1, "sh", 5, []int{5}, 4026531836)
	m.setComm(5, "sh") // comm already the new one, arguments not yet
	m.mu.Lock()
	m.procs[5].files["cmdline"] = ""
	m.mu.Unlock()
	r := NewRescanner(newMemProcFS(t, m), tuiOptions)
	r.Recheck = 1 << 20
	if _, err := r.Scan(); err != nil {
		t.Fatal(err)
	}
	m.setComm(5, "sh", "sh", "-c", "sleep 1")
	s, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Proc(5); !slices.Equal(p.Cmdline, []string{"sh", "-c", "sleep 1"}) {
		t.Errorf("cmdline %q, want it read again", p.Cmdline)
	}
}

func TestTaskStamp(t *testing.T) {
	m := newMemProc()
	proc := newMemProcFS(t, m)
	for content, want := range map[string]string{
		"0.08 0.03 0.01 2/10129 31415\n": "10129 31415",
		"0.08 0.03 0.01 2/10129\n":       "",
		"garbage":                        "",
	} {
		if err := os.WriteFile(proc.Join("loadavg"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := taskStamp(proc); got != want {
			t.Errorf("loadavg %q: stamp %q, want %q", content, got, want)
		}
	}
}

// A young process (started moments ago) has its stat read at every scan:
// it is likely to exec and change its name.
func TestRescanYoung(t *testing.T) {
	m := newMemProc()
	proc := newMemProcFS(t, m)
	// Booted at btime 1700000000 (newMemProcFS); one process started at
	// boot, one started just now.
	nowTicks := uint64(time.Since(time.Unix(1700000000, 0)) / (time.Second / clockTicks))
	m.add(1, 0, "init", 1, []int{1}, 4026531836, "init")
	m.add(7, 1, "bash", nowTicks, []int{7}, 4026531836, "bash")
	r := NewRescanner(proc, tuiOptions)
	r.Recheck, r.Restat = 1<<20, 1<<20
	if _, err := r.Scan(); err != nil {
		t.Fatal(err)
	}
	m.resetReads()
	m.setComm(7, "make", "make", "-j4")
	s, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Proc(7); p.Comm != "make" {
		t.Errorf("young 7 is %q, want its new name make", p.Comm)
	}
	if n := m.count(1, "stat"); n != 0 {
		t.Errorf("old 1's stat read %d times before its turn", n)
	}
}
