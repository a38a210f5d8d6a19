package tree

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsinfo/fakeproc"
)

// The namespaces fixture proc-discover holds only through a bind mount and
// an open fd.
var (
	boundNS = nsinfo.ID{Type: nsinfo.Net, Ino: 4026532900}
	fdNS    = nsinfo.ID{Type: nsinfo.Net, Ino: 4026532901}
)

// TestScanFaultsDiscovery extends TestScanFaults to the reads a scan makes
// beyond each process's stat, status, cmdline, cgroup, task list and ns
// links: the mount table searched for nsfs mounts, the fd list and each fd
// link, each thread's status (views from inside number threads with it),
// and the command line of a namespace's leader (nsview ns). Each fault at
// each of them: the scan finishes without error, no process is lost or
// counted as unreadable (these reads are about namespaces, not about the
// process), and exactly the fact that read gives is missing.
func TestScanFaultsDiscovery(t *testing.T) {
	base, _ := scanFixture(t, "proc-discover", Everything())
	for _, id := range []nsinfo.ID{boundNS, fdNS} {
		if _, ok := base.Namespace(id); !ok {
			t.Fatalf("the fixture's %s was not found: %+v", id, base.Namespaces)
		}
	}
	if p, _ := base.Proc(300); len(p.Threads) != 1 || !slices.Equal(p.Threads[0].NSpid, []int{301, 2}) {
		t.Fatalf("the nested thread: %+v", p.Threads)
	}
	fdNames := func() []string {
		d, err := fixtureProc(t, "proc-discover").Files.OpenProc(200)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		names, err := d.ReadDirNames("fd")
		if err != nil {
			t.Fatal(err)
		}
		return names
	}

	for _, c := range []struct {
		pid  int
		file string
		// want says, for a fault, whether the fact is still there.
		want func(fault fakeproc.Fault) bool
		// has reports whether the snapshot holds the fact.
		has func(s *Snapshot) bool
	}{
		{1, "mountinfo", func(f fakeproc.Fault) bool {
			if f == fakeproc.Short {
				b, _ := os.ReadFile("testdata/proc-discover/1/mountinfo")
				return slices.ContainsFunc(nsfsMounts(b[:len(b)/2]), func(m nsfsMount) bool { return m.root == boundNS.String() })
			}
			return false
		}, func(s *Snapshot) bool {
			n, ok := s.Namespace(boundNS)
			return ok && slices.Contains(n.Found, "bind /run/netns/bound") && slices.Equal(n.Mounts, []NSMount{{Path: "/run/netns/bound", MntNS: hostNS()[nsinfo.Mount.Index()]}})
		}},
		{200, "fd", func(f fakeproc.Fault) bool {
			// A short listing keeps its first half, in directory order.
			return f == fakeproc.Short && slices.Contains(fdNames()[:len(fdNames())/2], "3")
		}, func(s *Snapshot) bool {
			n, ok := s.Namespace(fdNS)
			return ok && slices.Equal(n.Found, []string{"fd 200/3"})
		}},
		{200, "fd/*", func(fakeproc.Fault) bool { return false }, func(s *Snapshot) bool {
			_, ok := s.Namespace(fdNS)
			return ok
		}},
		{300, "task/*/status", func(f fakeproc.Fault) bool {
			if f == fakeproc.Short {
				b, _ := os.ReadFile("testdata/proc-discover/300/task/301/status")
				st, _ := nsinfo.ParseStatus(b[:len(b)/2])
				return len(st.NSpid) > 0
			}
			return false
		}, func(s *Snapshot) bool {
			p, ok := s.Proc(300)
			return ok && len(p.Threads) == 1 && p.Threads[0].TID == 301 && slices.Equal(p.Threads[0].NSpid, []int{301, 2})
		}},
	} {
		for _, fault := range fakeproc.Faults {
			t.Run(strings.ReplaceAll(c.file, "/", "_")+"/"+fault.String(), func(t *testing.T) {
				s, faults := scanFixture(t, "proc-discover", Everything(), fakeproc.Rule{PID: c.pid, File: c.file, Fault: fault})
				if faults.Injected(c.pid, "") == 0 {
					t.Fatal("the read was never made")
				}
				if got, want := c.has(s), c.want(fault); got != want {
					t.Errorf("fact present %v, want %v", got, want)
				}
				if s.Unreadable.Total() != 0 {
					t.Errorf("Unreadable = %+v: a namespace read is not a process's", s.Unreadable)
				}
				if len(s.Processes) != len(base.Processes) {
					t.Errorf("%d processes, want %d", len(s.Processes), len(base.Processes))
				}
				for i := range base.Processes {
					q := &base.Processes[i]
					if q.PID == c.pid && c.file == "task/*/status" {
						continue
					}
					if got, ok := s.Proc(q.PID); !ok || !reflect.DeepEqual(*got, *q) {
						t.Errorf("process %d changed:\n got %+v\nwant %+v", q.PID, got, *q)
					}
				}
			})
		}
	}

	// nsview ns reads only the command line of each namespace's leader.
	leader := Options{Namespaces: true, LeaderCmdline: true, Workers: 1}
	for _, fault := range fakeproc.Faults {
		t.Run("leader_cmdline/"+fault.String(), func(t *testing.T) {
			s, faults := scanFixture(t, "proc-hard", leader, fakeproc.Rule{PID: 1, File: "cmdline", Fault: fault})
			if faults.Injected(1, "cmdline") != 1 {
				t.Fatalf("PID 1's command line read %d times with a fault", faults.Injected(1, "cmdline"))
			}
			p, _ := s.Proc(1)
			var want []string
			switch fault {
			case fakeproc.Short:
				want, _ = splitCmdline(halfOf(t, "1/cmdline"))
			case fakeproc.Empty:
				want = []string{}
			}
			if !slices.Equal(p.Cmdline, want) || (p.Cmdline == nil) != (want == nil) || s.Unreadable.Total() != 0 {
				t.Errorf("leader's command line %q, want %q; %+v", p.Cmdline, want, s.Unreadable)
			}
		})
	}
}

// TestRescanFaults injects each fault at each read a Rescanner makes of a
// process it already knows (its stat, by path or through its directory, the
// directory itself, the owner, the task list of a threaded process, the
// command line read again when it was empty), and checks the outcomes are
// Scan's: vanished left out and counted, a stat that cannot be read (denied:
// hidden; other errors: failed) left out and counted, a denied or failed
// command line unknown and counted, the scan itself never an error.
func TestRescanFaults(t *testing.T) {
	opts := Options{Cmdline: true, NSpid: true, Namespaces: true, Cgroup: true, Workers: 1}
	for _, path := range []struct {
		name  string
		opts  Options
		stat  bool // the stat-by-path fast path
		reads []string
	}{
		{"directory", func() Options { o := opts; o.Threads = true; return o }(), false, []string{fakeproc.Open, "stat", "task", "cmdline"}},
		{"stat-reader", opts, true, []string{"stat", fakeproc.Owner, fakeproc.Open, "cmdline"}},
	} {
		for _, file := range path.reads {
			for _, fault := range fakeproc.Faults {
				t.Run(path.name+"/"+file+"/"+fault.String(), func(t *testing.T) {
					// 24 has threads, 30 an empty command line, read
					// again at every scan.
					pid := 24
					if file == "cmdline" {
						pid = 30
					}
					proc := fixtureProc(t, "proc-hard")
					clean := proc.Files
					wrap := func(rules ...fakeproc.Rule) (*fakeproc.Files, nsinfo.Files) {
						f := fakeproc.Wrap(clean, rules...)
						if path.stat {
							return f, f.WithStatReader()
						}
						return f, f
					}
					_, proc.Files = wrap()
					r := NewRescanner(proc, path.opts)
					r.Recheck = 1000
					first, err := r.Scan()
					if err != nil {
						t.Fatal(err)
					}
					old, _ := first.Proc(pid)
					faults, files := wrap(fakeproc.Rule{PID: pid, File: file, Fault: fault})
					proc.Files = files
					s, err := r.Scan()
					if err != nil {
						t.Fatalf("rescan: %v", err)
					}
					if faults.Injected(pid, "") == 0 {
						if file == fakeproc.Open && path.stat {
							return // the fast path opens no directory
						}
						t.Fatal("the read was never made")
					}
					var u Unreadable
					absent := false
					want := *old
					vanish := fault == fakeproc.ENOENT || fault == fakeproc.ESRCH
					errno := vanish || fault == fakeproc.EACCES || fault == fakeproc.EINTR
					switch file {
					case fakeproc.Open, "stat", fakeproc.Owner:
						switch {
						case vanish || (file == "stat" && fault == fakeproc.Empty):
							absent, u.Vanished = true, 1
						case fault == fakeproc.EACCES:
							absent, u.Hidden = true, 1
						case fault == fakeproc.EINTR:
							absent, u.Failed = true, 1
						case file == "stat" && fault == fakeproc.Short:
							// Cut after field 22 it is still good.
							if _, err := nsinfo.ParseStat(halfOf(t, "24/stat")); err != nil {
								absent, u.Failed = true, 1
							}
						}
					case "task":
						switch {
						case vanish:
							absent, u.Vanished = true, 1
						case errno:
							want.Threads = nil
						case fault == fakeproc.Empty:
							want.Threads = []Thread{}
						case fault == fakeproc.Short:
							want.Threads = nil // a subset, checked below
						}
					case "cmdline":
						switch {
						case vanish:
							absent, u.Vanished = true, 1
						case fault == fakeproc.EACCES:
							want.Cmdline, want.Denied, u.Denied = nil, true, 1
						case fault == fakeproc.EINTR:
							want.Cmdline, u.Failed = nil, 1
						}
					}
					if counts(s.Unreadable) != counts(u) {
						t.Errorf("Unreadable = %+v, want %+v", s.Unreadable, u)
					}
					p, ok := s.Proc(pid)
					if ok == absent {
						t.Fatalf("process present %v, want %v", ok, !absent)
					}
					if !ok {
						return
					}
					if file == "task" && fault == fakeproc.Short {
						for _, th := range p.Threads {
							if !slices.ContainsFunc(old.Threads, func(o Thread) bool { return reflect.DeepEqual(o, th) }) {
								t.Errorf("thread %+v not in %+v", th, old.Threads)
							}
						}
						p.Threads = nil
					}
					want.CPUTime, p.CPUTime = 0, 0
					if !reflect.DeepEqual(*p, want) {
						t.Errorf("process\n got %+v\nwant %+v", *p, want)
					}
				})
			}
		}
	}
}
