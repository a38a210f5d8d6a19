package tree

import (
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsinfo/fakeproc"
)

func scanFixture(t testing.TB, name string, opts Options, rules ...fakeproc.Rule) (*Snapshot, *fakeproc.Files) {
	t.Helper()
	proc := fixtureProc(t, name)
	faults := fakeproc.Wrap(proc.Files, rules...)
	proc.Files = faults
	s, err := Scan(proc, opts)
	if err != nil {
		t.Fatalf("Scan(%s): %v", name, err)
	}
	return s, faults
}

// fixtureUID is who owns the checked-out fixture, which Scan reports as
// every process's UID.
func fixtureUID(t testing.TB) uint32 {
	d, err := fixtureProc(t, "proc-hard").Files.OpenProc(1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	uid, err := d.Owner()
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

func TestScanHardFixture(t *testing.T) {
	s, _ := scanFixture(t, "proc-hard", Everything())
	if s.Unreadable.Total() != 0 || s.Unreadable.Errors != nil {
		t.Errorf("Unreadable = %+v, want nothing", s.Unreadable)
	}
	if len(s.Processes) != len(fixtures["proc-hard"]) {
		t.Errorf("%d processes, want %d", len(s.Processes), len(fixtures["proc-hard"]))
	}
	if s.Read.Hierarchy {
		t.Error("a fixture has no nsfs: Read.Hierarchy must be off")
	}
	if !s.BootTime.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("BootTime = %v", s.BootTime)
	}
	if s.Caller != (nsinfo.Caller{}) || len(s.Warnings) != 0 {
		t.Errorf("a fixture has no caller: %+v %q", s.Caller, s.Warnings)
	}
	uid := fixtureUID(t)
	for _, d := range fixtures["proc-hard"] {
		d = d.fill("proc-hard")
		p, ok := s.Proc(d.pid)
		if !ok {
			t.Errorf("process %d missing", d.pid)
			continue
		}
		if p.Comm != d.comm || p.PPID != d.ppid || p.PGID != d.pgid || p.SID != d.sid || p.State != string(d.state) || p.StartTime != d.start || p.UID != uid {
			t.Errorf("process %d = %+v, described as %+v", d.pid, *p, d)
		}
		if want, _ := splitCmdline([]byte(d.cmdline)); !slices.Equal(p.Cmdline, want) || p.Cmdline == nil {
			t.Errorf("process %d: cmdline %q, want %q", d.pid, p.Cmdline, want)
		}
		if !slices.Equal(p.NSpid, d.nspid) || (p.NSpid == nil) != (d.nspid == nil) {
			t.Errorf("process %d: NSpid %v, want %v", d.pid, p.NSpid, d.nspid)
		}
		if p.NS != d.ns {
			t.Errorf("process %d: ns %v, want %v", d.pid, p.NS, d.ns)
		}
		if p.NumThreads != 1+len(d.threads) || len(p.Threads) != len(d.threads) {
			t.Errorf("process %d: %d threads %v, want %d", d.pid, p.NumThreads, p.Threads, 1+len(d.threads))
		}
		for _, th := range p.Threads {
			if th.Comm != d.threads[th.TID] {
				t.Errorf("process %d thread %d: name %q, want %q", d.pid, th.TID, th.Comm, d.threads[th.TID])
			}
		}
		if p.Denied {
			t.Errorf("process %d marked denied", d.pid)
		}
	}
	// The parsers' hard cases, end to end.
	for pid, want := range map[int][]string{
		2:  {},
		13: {"\x1b]0;TITLE\a\x1b[2J", "line2"},
		15: {"a b c", "--flag=x y"},
		18: {"\xff", "\x80"},
		20: {"noeol", "arg"},
		21: {"x", "", ""},
		23: {},
		27: {strings.Repeat("x", 5000), strings.Repeat("y", 5000)},
	} {
		if p, _ := s.Proc(pid); !slices.Equal(p.Cmdline, want) {
			t.Errorf("process %d: cmdline %q, want %q", pid, p.Cmdline, want)
		}
	}
	if p, _ := s.Proc(71); p.Cgroup != "/user.slice/a:b\xff" {
		t.Errorf("cgroup %q", p.Cgroup)
	}
	if p, _ := s.Proc(24); !reflect.DeepEqual(p.Threads, []Thread{{TID: 25, Comm: "worker-1"}, {TID: 26, Comm: "worker)2\n"}}) {
		t.Errorf("threads %+v", p.Threads)
	}
	// One namespace of each type, holding every process but the zombie.
	if len(s.Namespaces) != nsinfo.NumTypes {
		t.Errorf("%d namespaces, want %d: %+v", len(s.Namespaces), nsinfo.NumTypes, s.Namespaces)
	}
	for _, n := range s.Namespaces {
		if n.NProcs != len(fixtures["proc-hard"])-1 || n.PID != 1 || !slices.Equal(n.Found, []string{"process"}) {
			t.Errorf("namespace %+v", n)
		}
		if n.Type == nsinfo.PID && n.Level != 0 {
			t.Errorf("host PID namespace at level %d", n.Level)
		}
	}
}

// Scan reads only what it is asked for.
func TestScanOptions(t *testing.T) {
	s, faults := scanFixture(t, "proc-hard", Options{Workers: 1})
	for _, name := range []string{"status", "cmdline", "cgroup", "task", "ns/pid"} {
		if n := faults.Injected(0, name); n != 0 {
			t.Errorf("%s read %d times", name, n)
		}
	}
	p, _ := s.Proc(24)
	if p.NSpid != nil || p.Cmdline != nil || p.Threads != nil || p.Cgroup != "" || p.NS != (nsinfo.Set{}) {
		t.Errorf("unasked facts read: %+v", *p)
	}
	// The fault layer counts only faults, so count reads with rules that
	// match and do nothing harmful: Short on OpenProc is ignored.
	_, faults = scanFixture(t, "proc-hard", Options{}, fakeproc.Rule{File: "status", Fault: fakeproc.EACCES})
	if n := faults.Injected(0, "status"); n != 0 {
		t.Errorf("status read %d times without NSpid asked", n)
	}
}

func TestScanRootUnreadable(t *testing.T) {
	proc := fixtureProc(t, "proc-hard")
	proc.Files = fakeproc.Wrap(proc.Files, fakeproc.Rule{File: fakeproc.Root, Fault: fakeproc.EACCES})
	s, err := Scan(proc, Everything())
	if err == nil || !nsinfo.IsDenied(err) || s != nil {
		t.Fatalf("Scan of an unlistable root: %v, %v; want a denied error", s, err)
	}
}

// TestScanFaults injects each fault at each per-process read of one
// process and checks the three-outcome rule: the scan finishes without
// error; a vanished process is left out and counted; a denied fact is left
// unknown, the process shown and counted; any other failure is counted,
// the process shown with what was read (left out if its stat failed).
func TestScanFaults(t *testing.T) {
	const pid = 24 // has a command line, a cgroup and threads
	base, _ := scanFixture(t, "proc-hard", Everything())
	want0, _ := base.Proc(pid)

	core := []string{"ns/ipc", "ns/mnt", "ns/net", "ns/pid", "ns/user", "ns/uts"}
	optional := []string{"ns/cgroup", "ns/time"}
	files := append([]string{fakeproc.Open, "stat", fakeproc.Owner, "status", "cmdline", "cgroup", "task", "task/*/stat", "ns/pid_for_children"}, append(core, optional...)...)

	for _, file := range files {
		for _, fault := range fakeproc.Faults {
			t.Run(strings.ReplaceAll(file, "/", "_")+"/"+fault.String(), func(t *testing.T) {
				s, faults := scanFixture(t, "proc-hard", Everything(), fakeproc.Rule{PID: pid, File: file, Fault: fault})
				if faults.Injected(pid, "") == 0 {
					t.Fatal("the read was never made")
				}
				if faults.Injected(0, "") != faults.Injected(pid, "") {
					t.Fatal("a fault hit another process")
				}
				// What the rule says should happen.
				var (
					u       Unreadable
					absent  bool
					want    = *want0
					isErr   = fault == fakeproc.ENOENT || fault == fakeproc.ESRCH || fault == fakeproc.EACCES || fault == fakeproc.EINTR
					denied  = fault == fakeproc.EACCES
					vanish  = fault == fakeproc.ENOENT || fault == fakeproc.ESRCH
					other   = fault == fakeproc.EINTR
					partial = func() {
						switch {
						case denied:
							u.Denied, want.Denied = 1, true
						case other:
							u.Failed = 1
						}
					}
				)
				switch file {
				case fakeproc.Open, "stat":
					switch {
					case vanish || (file == "stat" && fault == fakeproc.Empty):
						absent, u.Vanished = true, 1
					case denied:
						absent, u.Hidden = true, 1
					case other:
						absent, u.Failed = true, 1
					case file == "stat" && fault == fakeproc.Short:
						// Cut after field 22 it is still good.
						if _, err := nsinfo.ParseStat(halfOf(t, "24/stat")); err != nil {
							absent, u.Failed = true, 1
						}
					}
				case fakeproc.Owner:
					if vanish {
						absent, u.Vanished = true, 1
					} else if isErr {
						partial()
						want.UID = UnknownUID
					}
				case "status":
					switch {
					case vanish || fault == fakeproc.Empty:
						absent, u.Vanished = true, 1
					case isErr:
						partial()
						want.NSpid = nil
					case fault == fakeproc.Short:
						st, err := nsinfo.ParseStatus(halfOf(t, "24/status"))
						want.NSpid = st.NSpid
						if err != nil {
							u.Failed = 1
						}
					}
				case "cmdline":
					switch {
					case vanish:
						absent, u.Vanished = true, 1
					case isErr:
						partial()
						want.Cmdline = nil
					case fault == fakeproc.Short:
						want.Cmdline, want.CmdlineUnterminated = []string{"thre"}, true
					case fault == fakeproc.Empty:
						want.Cmdline = []string{}
					}
				case "cgroup":
					switch {
					case vanish:
						absent, u.Vanished = true, 1
					case isErr:
						partial()
						want.Cgroup = ""
					case fault == fakeproc.Short:
						want.Cgroup = cgroupPath(halfOf(t, "24/cgroup"))
					case fault == fakeproc.Empty:
						want.Cgroup = ""
					}
				case "task":
					switch {
					case vanish:
						absent, u.Vanished = true, 1
					case isErr:
						partial()
						want.Threads = nil
					case fault == fakeproc.Empty:
						want.Threads = []Thread{}
					case fault == fakeproc.Short:
						want.Threads = nil // checked below: a subset
					}
				case "task/*/stat":
					// A thread that cannot be named is kept, unnamed.
					want.Threads = []Thread{{TID: 25}, {TID: 26}}
					if fault == fakeproc.Short {
						for i := range want.Threads {
							st, err := nsinfo.ParseStat(halfOf(t, "24/task/"+strconv.Itoa(want.Threads[i].TID)+"/stat"))
							if err == nil {
								want.Threads[i].Comm = st.Comm
							}
						}
					}
				default: // a namespace link
					i := slices.Index(linkFiles, file)
					zero := func() {
						if i < nsinfo.NumTypes {
							want.NS[i] = 0
						} else {
							want.PIDForChildren = 0
						}
					}
					switch {
					case fault == fakeproc.ESRCH || (fault == fakeproc.ENOENT && slices.Contains(core, file)):
						// Its stat still reads the same: the process is
						// exiting (the kernel releases its namespaces
						// before it is a zombie), shown without them.
						want.NS, want.PIDForChildren = nsinfo.Set{}, 0
					case fault == fakeproc.ENOENT: // the kernel lacks the type
						zero()
					case isErr:
						partial()
						zero()
					default: // a short or empty link text
						u.Failed = 1
						zero()
					}
				}

				if u.Failed > 0 && len(s.Unreadable.Errors) != 1 {
					t.Errorf("errors %q, want one", s.Unreadable.Errors)
				}
				if counts(s.Unreadable) != counts(u) {
					t.Errorf("Unreadable = %+v, want %+v", s.Unreadable, u)
				}
				p, ok := s.Proc(pid)
				if ok == absent {
					t.Fatalf("process present %v, want %v", ok, !absent)
				}
				if ok {
					if file == "task" && fault == fakeproc.Short {
						for _, th := range p.Threads {
							if !slices.ContainsFunc(want0.Threads, func(w Thread) bool { return reflect.DeepEqual(w, th) }) {
								t.Errorf("thread %+v not in %+v", th, want0.Threads)
							}
						}
						p.Threads = nil
					}
					if !reflect.DeepEqual(*p, want) {
						t.Errorf("process\n got %+v\nwant %+v", *p, want)
					}
				}
				// Everyone else is untouched.
				if len(s.Processes) != len(base.Processes)-b2i(absent) {
					t.Errorf("%d processes, want %d", len(s.Processes), len(base.Processes)-b2i(absent))
				}
				for i := range base.Processes {
					q := &base.Processes[i]
					if q.PID == pid {
						continue
					}
					if got, ok := s.Proc(q.PID); !ok || !reflect.DeepEqual(*got, *q) {
						t.Errorf("process %d changed", q.PID)
					}
				}
			})
		}
	}
}

var linkFiles = []string{"ns/cgroup", "ns/ipc", "ns/mnt", "ns/net", "ns/pid", "ns/user", "ns/uts", "ns/time", "ns/pid_for_children"}

// halfOf is the first half of a file of fixture proc-hard: a short read.
func halfOf(t *testing.T, name string) []byte {
	b, err := os.ReadFile("testdata/proc-hard/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b[:len(b)/2]
}

// counts is Unreadable without its error texts.
func counts(u Unreadable) [4]int { return [4]int{u.Vanished, u.Denied, u.Hidden, u.Failed} }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Every link of a process denied, as for another user's process when not
// root: shown, every namespace unknown, counted once.
func TestScanDeniedLinks(t *testing.T) {
	s, _ := scanFixture(t, "proc-hard", Everything(), fakeproc.Rule{PID: 70, File: "ns/*", Fault: fakeproc.EACCES})
	p, ok := s.Proc(70)
	if !ok || !p.Denied || p.NS != (nsinfo.Set{}) || len(p.NSpid) != 1 {
		t.Fatalf("process 70: %+v", p)
	}
	if counts(s.Unreadable) != counts(Unreadable{Denied: 1}) {
		t.Errorf("Unreadable = %+v", s.Unreadable)
	}
	// Every process of the fixture vanishing at every read.
	s, _ = scanFixture(t, "proc-hard", Everything(), fakeproc.Rule{File: "status", Fault: fakeproc.ESRCH})
	if len(s.Processes) != 0 || s.Unreadable.Vanished != len(fixtures["proc-hard"]) {
		t.Errorf("all vanished: %d processes, %+v", len(s.Processes), s.Unreadable)
	}
	// The first read of each kind fails once, then all is well.
	s, _ = scanFixture(t, "proc-hard", Everything(), fakeproc.Rule{File: "stat", Fault: fakeproc.EINTR, Times: 1})
	if s.Unreadable.Failed != 1 || len(s.Processes) != len(fixtures["proc-hard"])-1 {
		t.Errorf("one EINTR: %d processes, %+v", len(s.Processes), s.Unreadable)
	}
}

func TestScanNSpidMismatch(t *testing.T) {
	dir := t.TempDir()
	if err := writeFixture(dir, "x", []fproc{{pid: 5, comm: "liar", nspid: []int{6, 1}}}); err != nil {
		t.Fatal(err)
	}
	proc, err := nsinfo.NewProcFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Scan(proc, Everything())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := s.Proc(5)
	if !ok || p.NSpid != nil || s.Unreadable.Failed != 1 || !strings.Contains(s.Unreadable.Errors[0], "NSpid does not start with the PID") {
		t.Errorf("NSpid not starting with the PID: %+v, %+v", p, s.Unreadable)
	}
}
