package tree

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// The fixture /proc trees in testdata are written from the descriptions
// below by `go test ./pkg/tree -run TestFixtures -update`; TestFixtures
// checks that they still match, so the descriptions are the documentation.

var update = flag.Bool("update", false, "rewrite the fixture /proc trees in testdata")

// fproc describes one process of a fixture.
type fproc struct {
	pid, ppid, pgid, sid int
	comm                 string
	state                byte
	nspid                []int // nil: no NSpid line (kernel < 4.1)
	cmdline              string
	ns                   nsinfo.Set // 0: no link (a zombie has none)
	pidForChildren       uint64
	threads              map[int]string // other threads: TID -> name
	cgroup               string
	start                uint64
	fds                  map[int]string // open fds: fd -> link text
	mountinfo            string
}

// The host's namespaces, and the nested PID namespaces of fixture "nested".
const (
	hostPID  = 4026531836
	nsP1     = 4026532100 // level 1, below the host's
	nsP1b    = 4026532150 // level 1, a sibling of P1 with the same inner PIDs
	nsP2     = 4026532200 // level 2, below P1
	nsP3     = 4026532300 // level 3, below P2
	mntInner = 4026532101
)

func hostNS() nsinfo.Set {
	return nsinfo.Set{4026531835, 4026531839, 4026531841, 4026531840, hostPID, 4026531837, 4026531838, 4026531834}
}

// inNS is the host's namespaces with the PID namespace (and, below the
// host, the mount namespace) replaced.
func inNS(pidns uint64) nsinfo.Set {
	s := hostNS()
	s.Put(nsinfo.ID{Type: nsinfo.PID, Ino: pidns})
	if pidns != hostPID {
		s.Put(nsinfo.ID{Type: nsinfo.Mount, Ino: mntInner})
	}
	return s
}

// fixtures are the fixture trees by directory name below testdata.
var fixtures = map[string][]fproc{
	// hard: one PID namespace holding RELIABILITY.md's hard cases next to
	// easy ones.
	"proc-hard": {
		{pid: 1, comm: "systemd", cmdline: "/sbin/init\x00splash\x00", nspid: []int{1}},
		{pid: 2, comm: "kthreadd", cmdline: "", nspid: []int{2}},
		{pid: 3, ppid: 2, comm: "kworker/u8:2-ev", state: 'I', cmdline: "", nspid: []int{3}}, // 15 bytes: the comm limit
		{pid: 10, ppid: 1, comm: "a)b", cmdline: "a)b\x00"},
		{pid: 11, ppid: 1, comm: "a) S 1 x", cmdline: "x\x00"},
		{pid: 12, ppid: 1, comm: "a\nb", cmdline: "a\nb\x00"},
		{pid: 13, ppid: 1, comm: "\x1b[31mA\nB\x1b[2JC", cmdline: "\x1b]0;TITLE\a\x1b[2J\x00line2\x00"},
		{pid: 14, ppid: 1, comm: "ok(1)---sshd", cmdline: "sshd: ok(1)---sshd\x00"},
		{pid: 15, ppid: 1, comm: "a b c", cmdline: "a b c\x00--flag=x y\x00"},
		{pid: 16, ppid: 1, comm: "a\tb", cmdline: "a\tb\x00"},
		{pid: 17, ppid: 1, comm: "abcdefghijklmno", cmdline: "abcdefghijklmnopqrstuvwxyz\x00"},
		{pid: 18, ppid: 1, comm: "\xff\xfe", cmdline: "\xff\x00\x80\x00"},
		{pid: 19, ppid: 1, comm: "\u202eevil", cmdline: "\u202eevil\x00"},
		{pid: 20, ppid: 1, comm: "noeol", cmdline: "noeol\x00arg"}, // rewrote its arguments: no trailing NUL
		{pid: 21, ppid: 1, comm: "emptyargs", cmdline: "x\x00\x00\x00"},
		{pid: 22, ppid: 1, comm: "nonspid", nspid: nil, cmdline: "nonspid\x00"}, // status without NSpid
		{pid: 23, ppid: 1, comm: "zombie", state: 'Z', cmdline: "", ns: nsinfo.Set{}},
		{pid: 24, ppid: 1, comm: "threads", cmdline: "threads\x00", threads: map[int]string{25: "worker-1", 26: "worker)2\n"}},
		{pid: 27, ppid: 1, comm: "longargs", cmdline: strings.Repeat("x", 5000) + "\x00" + strings.Repeat("y", 5000) + "\x00"},
		{pid: 30, ppid: 0, comm: "ppid0"},       // a parent outside the mount's namespace
		{pid: 40, ppid: 39, comm: "lost-child"}, // parent 39 vanished
		{pid: 41, ppid: 40, comm: "grandchild"},
		{pid: 50, ppid: 50, comm: "selfparent"},
		{pid: 60, ppid: 61, comm: "cycle-a"},
		{pid: 61, ppid: 60, comm: "cycle-b"},
		{pid: 62, ppid: 61, comm: "below-cycle"},
		{pid: 70, ppid: 1, comm: "denied"}, // tests inject EACCES on its ns links
		{pid: 71, ppid: 70, comm: "denied-child", cgroup: "0::/user.slice/a:b\xff\n"},
	},
	// nested: PID namespaces three deep below the host's, a sibling
	// namespace whose inner PIDs clash with the first, a process that
	// entered a namespace with setns (its parent is outside), and one
	// whose ns/pid link tests make unreadable.
	"proc-nested": {
		{pid: 1, comm: "systemd", nspid: []int{1}},
		{pid: 100, ppid: 1, comm: "unshare", nspid: []int{100}, pidForChildren: nsP1},
		{pid: 101, ppid: 100, comm: "bash", nspid: []int{101, 1}, ns: inNS(nsP1)},
		{pid: 102, ppid: 101, comm: "sleep", nspid: []int{102, 2}, ns: inNS(nsP1)},
		{pid: 103, ppid: 101, comm: "unshare", nspid: []int{103, 3}, ns: inNS(nsP1), pidForChildren: nsP2},
		{pid: 104, ppid: 103, comm: "sh", nspid: []int{104, 4, 1}, ns: inNS(nsP2)},
		{pid: 105, ppid: 104, comm: "sleep", nspid: []int{105, 5, 2}, ns: inNS(nsP2)},
		{pid: 106, ppid: 104, comm: "unshare", nspid: []int{106, 6, 3}, ns: inNS(nsP2), pidForChildren: nsP3},
		{pid: 107, ppid: 106, comm: "sh", nspid: []int{107, 7, 4, 1}, ns: inNS(nsP3)},
		{pid: 108, ppid: 107, comm: "sleep", nspid: []int{108, 8, 5, 2}, ns: inNS(nsP3)},
		{pid: 109, ppid: 110, comm: "entered", nspid: []int{109, 9, 6}, ns: inNS(nsP2)},
		{pid: 110, ppid: 1, comm: "nsenter", nspid: []int{110}, pidForChildren: nsP2},
		{pid: 111, ppid: 104, comm: "nolink", nspid: []int{111, 10, 7}, ns: inNS(nsP2)}, // tests deny its ns/pid
		{pid: 120, ppid: 1, comm: "init-b", nspid: []int{120, 1}, ns: inNS(nsP1b)},
		{pid: 121, ppid: 120, comm: "sleep-b", nspid: []int{121, 2}, ns: inNS(nsP1b)},
	},
	// discover: what discovery reads beyond each process's own links: a
	// namespace bound to a path (mountinfo of PID 1), one held only by an
	// open fd (PID 200), and a nested process with a thread (whose
	// task/TID/status the views from inside read).
	"proc-discover": {
		{pid: 1, comm: "systemd", nspid: []int{1}, mountinfo: discoverMountinfo},
		{pid: 200, ppid: 1, comm: "holder", nspid: []int{200}, fds: map[int]string{0: "/dev/null", 3: "net:[4026532901]", 4: "socket:[123]"}},
		{pid: 300, ppid: 1, comm: "nested", nspid: []int{300, 1}, ns: inNS(nsP1), threads: map[int]string{301: "worker"}},
	},
	// hidepid: what nobody sees of a proc mounted with hidepid=2: its own
	// processes, whose parents are not listed.
	"proc-hidepid": {
		{pid: 12280, ppid: 12279, comm: "bash", nspid: []int{12280}},
		{pid: 12281, ppid: 12280, comm: "sleep", nspid: []int{12281}},
		{pid: 12300, ppid: 1, comm: "sshd", nspid: []int{12300}},
		{pid: 12301, ppid: 12300, comm: "bash", nspid: []int{12301}},
		{pid: 12302, ppid: 12301, comm: "top", nspid: []int{12302}},
	},
}

// discoverMountinfo is PID 1's mount table in fixture proc-discover: more
// than a page of ordinary mounts, then net:[4026532900] bound to
// /run/netns/bound.
var discoverMountinfo = strings.Repeat("22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n", 50) +
	"611 29 0:4 net:[4026532900] /run/netns/bound rw shared:223 - nsfs nsfs rw\n"

// fill gives a description its defaults: running in the host's
// namespaces, its own group and session, NSpid [pid].
func (p fproc) fill(name string) fproc {
	if p.state == 0 {
		p.state = 'S'
	}
	if p.pgid == 0 {
		p.pgid = p.pid
	}
	if p.sid == 0 {
		p.sid = p.pid
	}
	if p.ns == (nsinfo.Set{}) && p.state != 'Z' {
		p.ns = hostNS()
	}
	if p.nspid == nil && p.comm != "nonspid" {
		p.nspid = []int{p.pid}
	}
	if p.cgroup == "" {
		p.cgroup = "0::/system.slice/" + name + ".service\n"
	}
	if p.start == 0 {
		p.start = uint64(1000 + p.pid)
	}
	return p
}

// statOf is /proc/PID/stat as the kernel writes it: 52 fields.
func statOf(pid int, comm string, state byte, ppid, pgid, sid, threads int, start uint64) string {
	return fmt.Sprintf("%d (%s) %c %d %d %d 0 -1 4194560 100 0 0 0 3 4 0 0 20 0 %d 0 %d 5428 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		pid, comm, state, ppid, pgid, sid, threads, start)
}

func statusOf(p fproc) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Name:\t%s\nUmask:\t0022\nState:\t%c\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", strings.ReplaceAll(p.comm, "\n", `\n`), p.state, p.pid, p.pid, p.ppid)
	b.WriteString("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\n")
	if p.nspid != nil {
		chain := make([]string, len(p.nspid))
		for i, n := range p.nspid {
			chain[i] = strconv.Itoa(n)
		}
		line := strings.Join(chain, "\t")
		fmt.Fprintf(&b, "NStgid:\t%s\nNSpid:\t%s\nNSpgid:\t%s\nNSsid:\t%s\n", line, line, line, line)
	}
	fmt.Fprintf(&b, "Kthread:\t0\nVmPeak:\t    5428 kB\nThreads:\t%d\nSigQ:\t0/94661\n", 1+len(p.threads))
	return b.String()
}

// writeFixture writes one fixture tree below dir.
func writeFixture(dir, name string, procs []fproc) error {
	write := func(path, data string) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, []byte(data), 0o644)
	}
	if err := write(filepath.Join(dir, "stat"), "cpu  1 2 3 4 5 6 7 0 0 0\nbtime 1700000000\nprocesses 4242\n"); err != nil {
		return err
	}
	for _, p := range procs {
		p = p.fill(name)
		pd := filepath.Join(dir, strconv.Itoa(p.pid))
		threads := 1 + len(p.threads)
		files := map[string]string{
			"stat":                                  statOf(p.pid, p.comm, p.state, p.ppid, p.pgid, p.sid, threads, p.start),
			"status":                                statusOf(p),
			"cmdline":                               p.cmdline,
			"cgroup":                                p.cgroup,
			"task/" + strconv.Itoa(p.pid) + "/stat": statOf(p.pid, p.comm, p.state, p.ppid, p.pgid, p.sid, threads, p.start),
		}
		for tid, tname := range p.threads {
			files["task/"+strconv.Itoa(tid)+"/stat"] = statOf(tid, tname, 'S', p.ppid, p.pgid, p.sid, threads, p.start+1)
			if len(p.nspid) > 1 {
				// A nested process's threads have a chain of their
				// own, which views from inside read.
				th := p
				th.pid, th.comm, th.threads = tid, tname, nil
				th.nspid = make([]int, len(p.nspid))
				for i, n := range p.nspid {
					th.nspid[i] = n + tid - p.pid
				}
				files["task/"+strconv.Itoa(tid)+"/status"] = statusOf(th)
			}
		}
		if p.mountinfo != "" {
			files["mountinfo"] = p.mountinfo
		}
		for f, data := range files {
			if err := write(filepath.Join(pd, f), data); err != nil {
				return err
			}
		}
		for fd, link := range p.fds {
			if err := os.MkdirAll(filepath.Join(pd, "fd"), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(link, filepath.Join(pd, "fd", strconv.Itoa(fd))); err != nil {
				return err
			}
		}
		if p.ns != (nsinfo.Set{}) { // git keeps no empty directory
			if err := os.MkdirAll(filepath.Join(pd, "ns"), 0o755); err != nil {
				return err
			}
		}
		for i, typ := range nsinfo.Types {
			if p.ns[i] == 0 {
				continue
			}
			link := nsinfo.ID{Type: typ, Ino: p.ns[i]}.String()
			if err := os.Symlink(link, filepath.Join(pd, "ns", typ.String())); err != nil {
				return err
			}
		}
		if p.ns != (nsinfo.Set{}) {
			pfc := p.pidForChildren
			if pfc == 0 {
				pfc = p.ns.Get(nsinfo.PID).Ino
			}
			if err := os.Symlink(nsinfo.ID{Type: nsinfo.PID, Ino: pfc}.String(), filepath.Join(pd, "ns", "pid_for_children")); err != nil {
				return err
			}
		}
	}
	return nil
}

// fixtureProc opens a fixture tree as a proc filesystem.
func fixtureProc(t testing.TB, name string) *nsinfo.ProcFS {
	t.Helper()
	proc, err := nsinfo.NewProcFS(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return proc
}

func TestFixtures(t *testing.T) {
	names := make([]string, 0, len(fixtures))
	for name := range fixtures {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		want := filepath.Join("testdata", name)
		if *update {
			if err := os.RemoveAll(want); err != nil {
				t.Fatal(err)
			}
			if err := writeFixture(want, name, fixtures[name]); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got := t.TempDir()
		if err := writeFixture(got, name, fixtures[name]); err != nil {
			t.Fatal(err)
		}
		if diff := diffTrees(want, got); diff != "" {
			t.Errorf("%s differs from its description (run go test ./pkg/tree -run TestFixtures -update): %s", want, diff)
		}
	}
}

// diffTrees names the first difference between two directory trees:
// names, file contents and link targets.
func diffTrees(a, b string) string {
	list := func(root string) (map[string]string, error) {
		m := map[string]string{}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Readlink(path)
				m[rel] = "link " + target
				return err
			case d.IsDir():
				m[rel] = "dir"
			default:
				data, err := os.ReadFile(path)
				m[rel] = "file " + string(data)
				return err
			}
			return nil
		})
		return m, err
	}
	ma, err := list(a)
	if err != nil {
		return err.Error()
	}
	mb, err := list(b)
	if err != nil {
		return err.Error()
	}
	for k, v := range ma {
		if w, ok := mb[k]; !ok {
			return k + " is not described"
		} else if !bytes.Equal([]byte(v), []byte(w)) {
			return fmt.Sprintf("%s is %q, described as %q", k, v, w)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			return k + " is missing"
		}
	}
	return ""
}
