package tree

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsinfo/fakeproc"
)

// shape renders a view's tree one entry a line, indented by depth, as
// "PID(mount PID)" so that tests see both numberings; it also checks that
// the walk visits every entry exactly once with consistent depths.
func shape(t *testing.T, v *View) string {
	t.Helper()
	tr := v.Tree()
	checkTree(t, v, tr)
	var b strings.Builder
	tr.Walk(func(vis Visit, lastAt []bool) bool {
		e := &v.Entries[vis.Node]
		fmt.Fprintf(&b, "%s%d", strings.Repeat(" ", vis.Depth), e.PID)
		if e.PID != e.Proc.PID {
			fmt.Fprintf(&b, "(%d)", e.Proc.PID)
		}
		b.WriteByte('\n')
		return true
	})
	return b.String()
}

// checkTree proves that every entry is shown exactly once, under its parent
// when the parent is in the view, with Last and lastAt consistent.
func checkTree(t *testing.T, v *View, tr *Tree) {
	t.Helper()
	seen := make([]int, len(v.Entries))
	var path []int // the nodes above the current one
	tr.Walk(func(vis Visit, lastAt []bool) bool {
		seen[vis.Node]++
		if len(lastAt) != vis.Depth {
			t.Fatalf("entry %d: depth %d, lastAt %v", v.Entries[vis.Node].PID, vis.Depth, lastAt)
		}
		path = append(path[:vis.Depth], vis.Node)
		if vis.Depth == 0 {
			if tr.Parent[vis.Node] != -1 || !slices.Contains(tr.Roots, vis.Node) {
				t.Fatalf("entry %d at depth 0 is no root", v.Entries[vis.Node].PID)
			}
		} else if p := path[vis.Depth-1]; tr.Parent[vis.Node] != p {
			t.Fatalf("entry %d shown below %d, its parent is %d", v.Entries[vis.Node].PID, v.Entries[p].PID, tr.Parent[vis.Node])
		}
		sibs := tr.Roots
		if p := tr.Parent[vis.Node]; p >= 0 {
			sibs = tr.Children[p]
		}
		if vis.Last != (sibs[len(sibs)-1] == vis.Node) {
			t.Fatalf("entry %d: Last %v", v.Entries[vis.Node].PID, vis.Last)
		}
		return true
	})
	for i, n := range seen {
		if n != 1 {
			t.Errorf("entry %d (PID %d) shown %d times", i, v.Entries[i].PID, n)
		}
	}
	for i := range v.Entries {
		if i > 0 && v.Entries[i-1].PID > v.Entries[i].PID {
			t.Errorf("entries out of PID order at %d", i)
		}
		if p := tr.Parent[i]; p >= 0 && v.Entries[p].PID != v.Entries[i].PPID {
			t.Errorf("entry %d: parent %d, PPID %d", v.Entries[i].PID, v.Entries[p].PID, v.Entries[i].PPID)
		}
	}
}

func TestHardHostView(t *testing.T) {
	s, _ := scanFixture(t, "proc-hard", Everything())
	got := shape(t, s.HostView())
	want := `1
 10
 11
 12
 13
 14
 15
 16
 17
 18
 19
 20
 21
 22
 23
 24
 27
 70
  71
2
 3
30
40
 41
50
60
 61
  62
`
	if got != want {
		t.Errorf("host view:\n%s\nwant:\n%s", got, want)
	}
	v := s.HostView()
	if v.NS != (nsinfo.ID{Type: nsinfo.PID, Ino: hostPID}) || v.Level != 0 {
		t.Errorf("host view of namespace %v, level %d", v.NS, v.Level)
	}
	// Inside the mount's own namespace, the view is the host view: the
	// process without NSpid (22) and the zombie without links (23) too.
	in, err := s.InsideViewOf(1)
	if err != nil {
		t.Fatal(err)
	}
	if got := shape(t, in); got != want {
		t.Errorf("inside view of PID 1:\n%s\nwant the host view", got)
	}
	if got := s.PIDNamespaceOf(mustProc(t, s, 23)); got != hostPID {
		t.Errorf("the zombie's PID namespace: %d, want its parent's", got)
	}
	nt := s.NamespaceTree()
	if len(nt.Roots) != 1 || len(nt.Nodes) != 1 || len(nt.Nodes[0].Members) != len(s.Processes) || nt.Nodes[0].Init.PID != 1 {
		t.Errorf("namespace tree: %+v", nt)
	}
}

func mustProc(t *testing.T, s *Snapshot, pid int) *Process {
	t.Helper()
	p, ok := s.Proc(pid)
	if !ok {
		t.Fatalf("process %d missing", pid)
	}
	return p
}

// The nested fixture, scanned with 111's ns/pid link unreadable.
func nestedSnapshot(t *testing.T) *Snapshot {
	s, _ := scanFixture(t, "proc-nested", Everything(), fakeproc.Rule{PID: 111, File: "ns/pid", Fault: fakeproc.EACCES})
	if p := mustProc(t, s, 111); !p.Denied || p.NS[nsinfo.PID.Index()] != 0 {
		t.Fatalf("111's ns/pid was read: %+v", p)
	}
	return s
}

func TestNestedViews(t *testing.T) {
	s := nestedSnapshot(t)
	host := `1
 100
  101(101)
   102
   103
    104
     105
     106
      107
       108
     111
 110
  109
 120
  121
`
	if got := shape(t, s.HostView()); got != strings.ReplaceAll(host, "(101)", "") {
		t.Errorf("host view:\n%s", got)
	}
	for _, tc := range []struct {
		ns    uint64
		level int
		want  string
	}{
		{nsP1, 1, `1(101)
 2(102)
 3(103)
  4(104)
   5(105)
   6(106)
    7(107)
     8(108)
   10(111)
9(109)
`},
		{nsP2, 2, `1(104)
 2(105)
 3(106)
  4(107)
   5(108)
 7(111)
6(109)
`},
		{nsP3, 3, `1(107)
 2(108)
`},
		{nsP1b, 1, `1(120)
 2(121)
`},
	} {
		v, err := s.InsideView(nsinfo.ID{Type: nsinfo.PID, Ino: tc.ns})
		if err != nil {
			t.Fatal(err)
		}
		if v.Level != tc.level {
			t.Errorf("namespace %d: level %d, want %d", tc.ns, v.Level, tc.level)
		}
		if got := shape(t, v); got != tc.want {
			t.Errorf("inside namespace %d:\n%s\nwant:\n%s", tc.ns, got, tc.want)
		}
		for _, e := range v.Entries {
			// Each entry is numbered by its NSpid entry at the view's
			// level, and its chain runs from there inward.
			if e.PID != e.Proc.NSpid[tc.level] || !slices.Equal(e.NSpid, e.Proc.NSpid[tc.level:]) {
				t.Errorf("namespace %d: entry %d numbered from %v", tc.ns, e.PID, e.Proc.NSpid)
			}
			// A PGID outside the view is 0.
			if e.PGID != e.PID {
				t.Errorf("namespace %d: entry %d has PGID %d", tc.ns, e.PID, e.PGID)
			}
		}
	}
	// The process that entered P2 with setns has its parent outside every
	// namespace it is in: PPID 0 in each inside view, 110 on the host.
	for _, ns := range []uint64{nsP1, nsP2} {
		v, _ := s.InsideView(nsinfo.ID{Type: nsinfo.PID, Ino: ns})
		if e, ok := v.Entry(mustProc(t, s, 109).NSpid[v.Level]); !ok || e.PPID != 0 {
			t.Errorf("namespace %d: the entered process is %+v", ns, e)
		}
	}
	// InsideViewOf picks the process's own namespace.
	for pid, ns := range map[int]uint64{1: hostPID, 100: hostPID, 110: hostPID, 101: nsP1, 103: nsP1, 105: nsP2, 109: nsP2, 111: nsP2, 108: nsP3, 121: nsP1b} {
		v, err := s.InsideViewOf(pid)
		if err != nil || v.NS.Ino != ns {
			t.Errorf("InsideViewOf(%d): namespace %v, %v; want %d", pid, v, err, ns)
		}
	}
}

func TestNestedNamespaces(t *testing.T) {
	s := nestedSnapshot(t)
	// 111's namespace is inherited from its parent at the same depth.
	for pid, want := range map[int][]uint64{
		1:   {hostPID},
		100: {hostPID},
		101: {hostPID, nsP1},
		104: {hostPID, nsP1, nsP2},
		108: {hostPID, nsP1, nsP2, nsP3},
		109: {hostPID, nsP1, nsP2},
		111: {hostPID, nsP1, nsP2},
		121: {hostPID, nsP1b},
	} {
		p := mustProc(t, s, pid)
		for level, ns := range want {
			if got := s.PIDNamespaceAt(p, level); got != ns {
				t.Errorf("PIDNamespaceAt(%d, %d) = %d, want %d", pid, level, got, ns)
			}
		}
		if got := s.PIDNamespaceAt(p, len(want)); got != 0 {
			t.Errorf("PIDNamespaceAt(%d, %d) = %d below its own", pid, len(want), got)
		}
		if got := s.PIDNamespaceOf(p); got != want[len(want)-1] {
			t.Errorf("PIDNamespaceOf(%d) = %d", pid, got)
		}
		// A copy of the process resolves the same way, by walking.
		cp := *p
		if got := s.PIDNamespaceOf(&cp); got != want[len(want)-1] {
			t.Errorf("PIDNamespaceOf(copy of %d) = %d", pid, got)
		}
	}
	// No NS_GET_PARENT on a fixture: the hierarchy comes from the inits'
	// parents.
	for child, parent := range map[uint64]uint64{nsP1: hostPID, nsP1b: hostPID, nsP2: nsP1, nsP3: nsP2, hostPID: 0} {
		if n, ok := s.Namespace(nsinfo.ID{Type: nsinfo.PID, Ino: child}); !ok || n.Parent != 0 {
			t.Errorf("namespace %d: %+v; a fixture gives no kernel parent", child, n)
		}
		if got := s.pidNSParent(child); got != parent {
			t.Errorf("parent of %d = %d, want %d", child, got, parent)
		}
	}
	for ino, level := range map[uint64]int{hostPID: 0, nsP1: 1, nsP1b: 1, nsP2: 2, nsP3: 3} {
		if n, _ := s.Namespace(nsinfo.ID{Type: nsinfo.PID, Ino: ino}); n.Level != level {
			t.Errorf("namespace %d at level %d, want %d", ino, n.Level, level)
		}
	}

	nt := s.NamespaceTree()
	var b strings.Builder
	stack := append([]int(nil), nt.Roots...)
	depth := map[int]int{}
	slices.Reverse(stack)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &nt.Nodes[i]
		pids := []int{}
		for _, m := range n.Members {
			pids = append(pids, m.PID)
		}
		init := 0
		if n.Init != nil {
			init = n.Init.PID
		}
		fmt.Fprintf(&b, "%s%d level %d init %d %v\n", strings.Repeat(" ", depth[i]), n.NS.Ino, n.Level, init, pids)
		for k := len(n.Children) - 1; k >= 0; k-- {
			depth[n.Children[k]] = depth[i] + 1
			stack = append(stack, n.Children[k])
		}
	}
	want := `4026531836 level 0 init 1 [1 100 110]
 4026532100 level 1 init 101 [101 102 103]
  4026532200 level 2 init 104 [104 105 106 109 111]
   4026532300 level 3 init 107 [107 108]
 4026532150 level 1 init 120 [120 121]
`
	if b.String() != want || len(nt.Unknown) != 0 {
		t.Errorf("namespace tree:\n%s\nwant:\n%s\nunknown %v", b.String(), want, nt.Unknown)
	}
}

// Without the namespace links, nothing says which namespace is which: the
// host view still works, inside views say why they cannot.
func TestNestedWithoutLinks(t *testing.T) {
	s, _ := scanFixture(t, "proc-nested", Options{NSpid: true})
	shape(t, s.HostView())
	if _, err := s.InsideViewOf(108); err == nil || !strings.Contains(err.Error(), "namespace links were not read") {
		t.Errorf("InsideViewOf without links: %v", err)
	}
	s, _ = scanFixture(t, "proc-nested", Everything(), fakeproc.Rule{File: "ns/*", Fault: fakeproc.EACCES})
	if _, err := s.InsideViewOf(108); err == nil || !strings.Contains(err.Error(), "try as root") {
		t.Errorf("InsideViewOf with links denied: %v", err)
	}
	if _, err := s.InsideViewOf(99); !errors.Is(err, ErrNoProcess) {
		t.Errorf("InsideViewOf(99): %v", err)
	}
	if _, err := s.InsideView(nsinfo.ID{Type: nsinfo.PID, Ino: 12345}); !errors.Is(err, ErrNoNamespace) {
		t.Errorf("InsideView of an unknown namespace: %v", err)
	}
	if _, err := s.InsideView(nsinfo.ID{Type: nsinfo.Net, Ino: 12345}); err == nil {
		t.Error("InsideView of a net namespace must fail")
	}
	nt := s.NamespaceTree()
	if len(nt.Nodes) != 0 || len(nt.Unknown) != len(s.Processes) {
		t.Errorf("namespace tree without links: %d nodes, %d unknown", len(nt.Nodes), len(nt.Unknown))
	}
}

// hidepid=2 lists only the caller's processes: their parents are missing,
// and each visible subtree hangs from its own root. hidepid=1 lists every
// process but denies their files: those are counted as hidden.
func TestHidepid(t *testing.T) {
	s, _ := scanFixture(t, "proc-hidepid", Everything(), fakeproc.Rule{PID: 12302, File: "stat", Fault: fakeproc.EACCES})
	want := `12280
 12281
12300
 12301
`
	v := s.HostView()
	if got := shape(t, v); got != want {
		t.Errorf("hidepid view:\n%s\nwant:\n%s", got, want)
	}
	tr := v.Tree()
	for _, r := range tr.Roots {
		if e := v.Entries[r]; e.PPID == 0 {
			t.Errorf("root %d lost its hidden parent's PID", e.PID)
		}
	}
	if counts(s.Unreadable) != counts(Unreadable{Hidden: 1}) {
		t.Errorf("Unreadable = %+v", s.Unreadable)
	}
	in, err := s.InsideViewOf(12300)
	if err != nil {
		t.Fatal(err)
	}
	shape(t, in)
}

// Hostile parentage, built in memory: self-parents, cycles of every
// length, a cycle below a root, and PID reuse across views.
func TestTreeCycles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ppids map[int]int
		want  string
	}{
		{"self", map[int]int{5: 5}, "5\n"},
		{"two", map[int]int{5: 6, 6: 5}, "5\n 6\n"},
		{"three, lowest cut", map[int]int{7: 5, 5: 6, 6: 7}, "5\n 7\n  6\n"},
		{"cycle with a tail", map[int]int{5: 6, 6: 5, 9: 6, 10: 9}, "5\n 6\n  9\n   10\n"},
		{"two cycles", map[int]int{1: 2, 2: 1, 3: 4, 4: 3}, "1\n 2\n3\n 4\n"},
		{"root and cycle", map[int]int{1: 0, 2: 1, 5: 6, 6: 5}, "1\n 2\n5\n 6\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Snapshot{Schema: SchemaVersion}
			for pid, ppid := range tc.ppids {
				s.Processes = append(s.Processes, Process{PID: pid, PPID: ppid, NSpid: []int{pid}})
			}
			s.Sort()
			if got := shape(t, s.HostView()); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestWalkSkip(t *testing.T) {
	s, _ := scanFixture(t, "proc-nested", Everything())
	v := s.HostView()
	var got []int
	v.Tree().Walk(func(vis Visit, lastAt []bool) bool {
		got = append(got, v.Entries[vis.Node].PID)
		return v.Entries[vis.Node].PID != 103 // fold 103
	})
	if want := []int{1, 100, 101, 102, 103, 110, 109, 120, 121}; !slices.Equal(got, want) {
		t.Errorf("walk with 103 folded: %v, want %v", got, want)
	}
}
