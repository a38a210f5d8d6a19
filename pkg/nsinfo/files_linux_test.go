package nsinfo

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/testenv"
)

func TestOSFilesOnDirectory(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "42")
	if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "task", "42"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "task", "43"), 0o755); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB: many reads
	if err := os.WriteFile(filepath.Join(dir, "cmdline"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stat"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	long := "pid:[" + strings.Repeat("1", 200) + "]" // longer than the 128-byte fast path
	for name, target := range map[string]string{"ns/pid": "pid:[4026531836]", "ns/net": long} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("42", filepath.Join(root, "self")); err != nil {
		t.Fatal(err)
	}

	files := OSFiles(root)
	d, err := files.OpenProc(42)
	if err != nil {
		t.Fatal(err)
	}
	for _, start := range [][]byte{nil, make([]byte, 0, 10), make([]byte, 5, 8192)} {
		got, err := d.ReadFile("cmdline", start)
		if err != nil || !bytes.Equal(got, big) {
			t.Errorf("ReadFile(cmdline) from a %d-byte buffer: %d bytes, %v", cap(start), len(got), err)
		}
	}
	if got, err := d.ReadFile("stat", make([]byte, 3, 600)); err != nil || len(got) != 0 {
		t.Errorf("empty file: %q, %v", got, err)
	}
	if _, err := d.ReadFile("status", nil); !IsVanished(err) || !strings.Contains(err.Error(), dir+"/status:") {
		t.Errorf("missing file: %v, want vanished, naming %s/status", err, dir)
	}
	if _, err := ReadNamespaceLinks(d); !IsVanished(err) || !strings.Contains(err.Error(), dir+"/ns/") {
		t.Errorf("missing links: %v, want vanished, naming the link below %s", err, dir)
	}
	if s, err := d.Readlink("ns/pid"); err != nil || s != "pid:[4026531836]" {
		t.Errorf("Readlink(ns/pid) = %q, %v", s, err)
	}
	if s, err := d.Readlink("ns/net"); err != nil || s != long {
		t.Errorf("Readlink of a long link = %q, %v", s, err)
	}
	if _, err := d.Readlink("ns/uts"); !IsVanished(err) {
		t.Errorf("missing link: %v, want vanished", err)
	}
	names, err := d.ReadDirNames("task")
	slices.Sort(names)
	if err != nil || !slices.Equal(names, []string{"42", "43"}) {
		t.Errorf("ReadDirNames(task) = %v, %v", names, err)
	}
	if uid, err := d.Owner(); err != nil || uid != uint32(os.Getuid()) {
		t.Errorf("Owner = %d, %v", uid, err)
	}
	if err := d.Close(); err != nil {
		t.Error(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := files.OpenProc(7); !IsVanished(err) || !strings.Contains(err.Error(), root+"/7:") {
		t.Errorf("OpenProc of a missing PID: %v, want vanished, naming %s/7", err, root)
	}
	long = t.TempDir() + strings.Repeat("/"+strings.Repeat("x", 99), pathMax/100+1) // past the stack buffer
	if err := os.MkdirAll(filepath.Join(long, "9"), 0o755); err != nil {
		t.Fatal(err)
	}
	if d, err := OSFiles(long).OpenProc(9); err != nil {
		t.Errorf("OpenProc below a long root: %v", err)
	} else {
		d.Close()
	}
	if s, err := files.Readlink("self"); err != nil || s != "42" {
		t.Errorf("Readlink(self) = %q, %v", s, err)
	}
	names, err = files.ReadDirNames(".")
	slices.Sort(names)
	if err != nil || !slices.Equal(names, []string{"42", "self"}) {
		t.Errorf("ReadDirNames(.) = %v, %v", names, err)
	}
}

func TestOSFilesOnProc(t *testing.T) {
	p, err := NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Real() {
		t.Fatal("/proc is not procfs")
	}
	d, err := p.Files.OpenProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	b, err := d.ReadFile("stat", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseStat(b)
	if err != nil || st.PID != os.Getpid() || st.PPID != os.Getppid() {
		t.Fatalf("own stat: %+v, %v", st, err)
	}
	b, err = d.ReadFile("status", b)
	if err != nil {
		t.Fatal(err)
	}
	status, err := ParseStatus(b)
	if err != nil || len(status.NSpid) == 0 || status.NSpid[0] != os.Getpid() || status.UID[0] != uint32(os.Getuid()) {
		t.Fatalf("own status: %+v, %v", status, err)
	}
	l, err := ReadLinks(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range Types {
		want, err := os.Readlink("/proc/self/ns/" + typ.String())
		if err != nil {
			t.Fatal(err)
		}
		if got := l.NS.Get(typ).String(); got != want {
			t.Errorf("%v: %s, readlink says %s", typ, got, want)
		}
	}
	pids, err := p.PIDs()
	if err != nil || !slices.Contains(pids, os.Getpid()) {
		t.Errorf("PIDs() lacks our own PID %d: %v", os.Getpid(), err)
	}
	if c := p.CheckCaller(); c.ForeignProc || c.ProcSelf != os.Getpid() {
		t.Errorf("CheckCaller on our own /proc: %+v", c)
	}
}

func TestProcFSPIDs(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"1", "42", "0", "007", "-3", "self", "thread-self", "sys", "4x", "99999999999999999999999"} {
		if err := os.Mkdir(filepath.Join(root, n), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p, err := NewProcFS(root)
	if err != nil {
		t.Fatal(err)
	}
	if p.Real() {
		t.Error("a directory is not a real proc")
	}
	pids, err := p.PIDs()
	slices.Sort(pids)
	if err != nil || !slices.Equal(pids, []int{1, 42}) {
		t.Errorf("PIDs() = %v, %v", pids, err)
	}
	if got := p.Join("1", "ns", "pid"); got != filepath.Join(root, "1", "ns", "pid") {
		t.Errorf("Join = %q", got)
	}
	if _, err := NewProcFS(filepath.Join(root, "missing")); err == nil {
		t.Error("NewProcFS of a missing directory must fail")
	}
	// More names than one 64 KiB listing holds.
	var want []int
	for pid := 1000; pid < 7000; pid++ {
		if err := os.Mkdir(filepath.Join(root, strconv.Itoa(pid)), 0o755); err != nil {
			t.Fatal(err)
		}
		want = append(want, pid)
	}
	pids, err = p.PIDs()
	slices.Sort(pids)
	if want = append([]int{1, 42}, want...); err != nil || !slices.Equal(pids, want) {
		t.Errorf("PIDs() of %d names: %d PIDs, %v", len(want), len(pids), err)
	}
}

func TestCaller(t *testing.T) {
	root := t.TempDir()
	p, err := NewProcFS(root)
	if err != nil {
		t.Fatal(err)
	}
	pid := os.Getpid()
	// No "self" at all: the mount's namespace has no PID for us.
	c := p.CheckCaller()
	if !c.ForeignProc || c.ProcSelf != 0 || c.PID != pid {
		t.Errorf("no self: %+v", c)
	}
	if w := c.Warning("/proc"); !strings.Contains(w, "no PID") || !strings.Contains(w, strconv.Itoa(pid)) {
		t.Errorf("warning %q", w)
	}
	if err := os.Symlink("4150", filepath.Join(root, "self")); err != nil {
		t.Fatal(err)
	}
	c = p.CheckCaller()
	if !c.ForeignProc || c.ProcSelf != 4150 {
		t.Errorf("self 4150: %+v", c)
	}
	if w := c.Warning("/proc"); !strings.Contains(w, "/proc/self is 4150") || strings.ContainsAny(w, "\n\x1b") {
		t.Errorf("warning %q", w)
	}
	os.Remove(filepath.Join(root, "self"))
	if err := os.Symlink(strconv.Itoa(pid), filepath.Join(root, "self")); err != nil {
		t.Fatal(err)
	}
	if c := p.CheckCaller(); c.ForeignProc || c.Warning("/proc") != "" {
		t.Errorf("self is us: %+v", c)
	}
}

// fdLinks lists a directory's fd links as ReadFDLinks does, through
// os.ReadDir and os.Readlink.
func fdLinks(t *testing.T, dir string) map[int]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil {
			want[fd] = s
		}
	}
	return want
}

// TestReadFDLinksOnProc holds ReadFDLinks to os.ReadDir and os.Readlink on
// this process's own fds: more than one getdents64 buffer of them (the
// shortcut that skips the last, empty read must not cut the list), one of
// them a namespace. The fds opened here are closed before the test ends.
func TestReadFDLinksOnProc(t *testing.T) {
	p, err := NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	ns, err := os.Open("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	for range 400 { // about 12 KiB of entries: three 4 KiB buffers
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
	}
	d, err := p.Files.OpenProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fr, ok := d.(FDLinkReader)
	if !ok {
		t.Fatal("OSFiles' ProcDir does not implement FDLinkReader")
	}
	for _, start := range [][]byte{nil, make([]byte, 100), make([]byte, 0, 1<<16)} {
		got := map[int]string{}
		if _, err := fr.ReadFDLinks(start, func(fd int, link []byte) { got[fd] = string(link) }); err != nil {
			t.Fatal(err)
		}
		want := fdLinks(t, "/proc/self/fd")
		// The fds of the listings themselves differ; all others match.
		for fd, s := range want {
			if g, ok := got[fd]; !ok && !strings.HasPrefix(s, "/proc/") {
				t.Errorf("fd %d (%s) not listed", fd, s)
			} else if ok && g != s && !strings.HasPrefix(s, "/proc/") {
				t.Errorf("fd %d: %q, readlink says %q", fd, g, s)
			}
		}
		if len(got) < 400 {
			t.Errorf("%d fds listed, want over 400", len(got))
		}
		if got[int(ns.Fd())] == "" || !strings.HasPrefix(got[int(ns.Fd())], "net:[") {
			t.Errorf("namespace fd %d: %q", ns.Fd(), got[int(ns.Fd())])
		}
	}
}

// TestReadFDLinksProbe holds ReadFDLinks to os.ReadDir and os.Readlink on
// idle children whose fds take each of its paths: 0 to n-1 (read by number,
// no listing), a gap (read by number up to the gap, listed from there), and
// more than probeFDLinks reads (listed). Each holds a namespace fd last,
// where a listing that restarted or stopped short would lose it. The
// children are killed by PID and reaped before the test ends.
func TestReadFDLinksProbe(t *testing.T) {
	ns, err := os.Open("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	many := make([]*os.File, maxProbedFDs+5)
	for i := range many {
		many[i] = null
	}
	// The children must hold only the fds given here: whatever this test
	// inherited (a shell's saved fds, a job runner's pipe) is not passed on.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/fd", &st); err != nil {
		t.Fatal(err)
	}
	counts := st.Size > 0 // Linux 6.2 and later
	p, err := NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		extra []*os.File
		// from and done are what probeFDLinks returns where the kernel
		// counts fds.
		from int
		done bool
	}{
		{"dense", []*os.File{null, ns}, 5, true},
		{"gap", []*os.File{null, nil, nil, ns}, 4, false},
		{"many", append(many, ns), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("sleep", "60")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
			cmd.ExtraFiles = tc.extra
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			// Until sleep sleeps, its loader and locale open files of
			// their own.
			stat := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat"
			testenv.WaitFor(t, 10*time.Second, "sleep to sleep", func() bool {
				b, err := os.ReadFile(stat)
				i := bytes.LastIndexByte(b, ')')
				return err == nil && i > 0 && i+2 < len(b) && b[i+2] == 'S'
			})
			nsFD := 3 + len(tc.extra) - 1
			want := fdLinks(t, "/proc/"+strconv.Itoa(cmd.Process.Pid)+"/fd")
			if !strings.HasPrefix(want[nsFD], "net:[") {
				t.Fatalf("child's fd %d is %q, not the namespace", nsFD, want[nsFD])
			}
			d, err := p.Files.OpenProc(cmd.Process.Pid)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			got := map[int]string{}
			if _, err := d.(FDLinkReader).ReadFDLinks(nil, func(fd int, link []byte) {
				if _, twice := got[fd]; twice {
					t.Errorf("fd %d reported twice", fd)
				}
				got[fd] = string(link)
			}); err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, want) {
				t.Errorf("ReadFDLinks: %v\nreadlink:    %v", got, want)
			}
			if !counts {
				t.Log("this kernel does not count fds in the size of /proc/PID/fd (before 6.2): only the listing was tested")
				return
			}
			from, done, err := d.(*osProcDir).probeFDLinks(func(int, []byte) {})
			if from != tc.from || done != tc.done || err != nil {
				t.Errorf("probeFDLinks = %d, %v, %v; want %d, %v, nil (fds %v)", from, done, err, tc.from, tc.done, want)
			}
		})
	}
}

// TestReadFDLinksOnDirectory lists a fixture's fd directory (symbolic links
// on a plain filesystem) whole, and reports none for a process without one.
func TestReadFDLinksOnDirectory(t *testing.T) {
	root := t.TempDir()
	fds := filepath.Join(root, "7", "fd")
	if err := os.MkdirAll(fds, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "8"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		target := "/dev/null"
		if i%100 == 7 {
			target = "net:[40265322" + strconv.Itoa(10+i/100) + "]"
		}
		if err := os.Symlink(target, filepath.Join(fds, strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	files := OSFiles(root)
	d, err := files.OpenProc(7)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got := map[int]string{}
	if _, err := d.(FDLinkReader).ReadFDLinks(nil, func(fd int, link []byte) { got[fd] = string(link) }); err != nil {
		t.Fatal(err)
	}
	if want := fdLinks(t, fds); !maps.Equal(got, want) {
		t.Errorf("ReadFDLinks listed %d fds, want %d", len(got), len(want))
	}
	d8, err := files.OpenProc(8)
	if err != nil {
		t.Fatal(err)
	}
	defer d8.Close()
	if _, err := d8.(FDLinkReader).ReadFDLinks(nil, func(int, []byte) { t.Error("an fd listed where there is none") }); !IsVanished(err) {
		t.Errorf("no fd directory: %v, want vanished", err)
	}
}

// mountinfo is a seq_file that hands out a page of lines per read(2): a
// process whose mount table is larger than a page must still be read
// whole (a read that stops at the first short read lost the nsfs mounts
// past 4 KiB).
func TestReadFileWholeMountinfo(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "sh")
	dir := t.TempDir()
	// 100 tmpfs mounts with long names: about 15 KiB of mountinfo.
	script := `for i in $(seq 1 100); do mkdir -p "$0/mount-with-a-long-name-$i" && mount -t tmpfs none "$0/mount-with-a-long-name-$i" || exit 1; done; echo ready; exec sleep 3600`
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script, dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make([]byte, 6)
	if _, err := io.ReadFull(out, line); err != nil || string(line) != "ready\n" {
		t.Fatalf("the mounts were not made: %q, %v", line, err)
	}
	want, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 3*4096 {
		t.Fatalf("mountinfo is only %d bytes: the test needs several pages", len(want))
	}
	p, err := NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.Files.OpenProc(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.ReadFile("mountinfo", nil)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("ReadFile(mountinfo): %d bytes (%v), the file has %d", len(got), err, len(want))
	}
}
