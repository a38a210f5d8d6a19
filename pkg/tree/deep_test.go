package tree

import (
	"bytes"
	"runtime/debug"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

const hugeN = 100_000

// chainSnapshot is n processes, each the parent of the next. With links,
// each knows its PID namespace; without, every namespace is inherited from
// the root, the worst case for PIDNamespaceOf.
func chainSnapshot(n int, links bool) *Snapshot {
	s := &Snapshot{Schema: SchemaVersion}
	s.Processes = make([]Process, n)
	for i := range s.Processes {
		p := &s.Processes[i]
		*p = Process{PID: i + 1, PPID: i, PGID: 1, Comm: "chain", NSpid: []int{i + 1}}
		if links || i == 0 {
			p.NS = hostNS()
		}
	}
	s.Namespaces = []Namespace{{Type: nsinfo.PID, Ino: hostPID, NProcs: n, PID: 1, OwnerUID: -1}}
	s.Sort()
	return s
}

// fanSnapshot is one process with n-1 children.
func fanSnapshot(n int) *Snapshot {
	s := &Snapshot{Schema: SchemaVersion}
	s.Processes = make([]Process, n)
	for i := range s.Processes {
		ppid := 1
		if i == 0 {
			ppid = 0
		}
		s.Processes[i] = Process{PID: i + 1, PPID: ppid, PGID: 1, Comm: "fan", NSpid: []int{i + 1}, NS: hostNS()}
	}
	s.Namespaces = []Namespace{{Type: nsinfo.PID, Ino: hostPID, NProcs: n, PID: 1, OwnerUID: -1}}
	s.Sort()
	return s
}

// nsChainSnapshot is a hostile snapshot (no kernel nests this deep) of n
// PID namespaces each the parent of the next, one process in each.
func nsChainSnapshot(n int) *Snapshot {
	s := &Snapshot{Schema: SchemaVersion}
	for i := range n {
		ino := uint64(1000 + i)
		var set nsinfo.Set
		set.Put(nsinfo.ID{Type: nsinfo.PID, Ino: ino})
		s.Processes = append(s.Processes, Process{PID: i + 1, PPID: i, NS: set})
		n := Namespace{Type: nsinfo.PID, Ino: ino, NProcs: 1, PID: i + 1, Level: -1, OwnerUID: -1}
		if i > 0 {
			n.Parent = ino - 1
		} else {
			n.Level = 0
		}
		s.Namespaces = append(s.Namespaces, n)
	}
	s.Sort()
	return s
}

func TestDeepAndWide(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		s        *Snapshot
		maxDepth int
		json     bool
	}{
		{"deep", chainSnapshot(hugeN, true), hugeN - 1, true},
		{"deep without links", chainSnapshot(hugeN, false), hugeN - 1, false},
		{"wide", fanSnapshot(hugeN), 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			for _, v := range []*View{s.HostView(), mustInside(t, s, 1), mustInside(t, s, hugeN)} {
				tr := v.Tree()
				if len(v.Entries) != hugeN || len(tr.Roots) != 1 {
					t.Fatalf("%d entries, %d roots", len(v.Entries), len(tr.Roots))
				}
				visits, deepest := 0, 0
				tr.Walk(func(vis Visit, lastAt []bool) bool {
					visits++
					deepest = max(deepest, vis.Depth)
					return true
				})
				if visits != hugeN || deepest != tc.maxDepth {
					t.Errorf("walk: %d visits, depth %d; want %d, %d", visits, deepest, hugeN, tc.maxDepth)
				}
			}
			// Every renderer of the tree command, the stack limited to 64
			// bytes a level (Go's default, 1 GiB, would hide a recursion
			// 100,000 deep): each finishes and shows every process. Not
			// under the race detector (minutes at this size): .ci/run
			// runs this test without it.
			if !raceEnabled {
				renderEveryMode(t, s)
			}
			nt := s.NamespaceTree()
			if len(nt.Nodes) != 1 || len(nt.Nodes[0].Members) != hugeN || len(nt.Unknown) != 0 {
				t.Errorf("namespace tree: %d nodes, %d unknown", len(nt.Nodes), len(nt.Unknown))
			}
			if !tc.json {
				return
			}
			// encoding/json is flat over the process list, so its size
			// matters, not its shape: under the race detector (ten times
			// slower) a tenth of it is enough; .ci/run also runs this
			// test without -race, in full.
			if raceEnabled {
				s = &Snapshot{Schema: SchemaVersion, Processes: s.Processes[:hugeN/10]}
				s.Sort()
			}
			back := roundTrip(t, s)
			sameSnapshot(t, back, s)
		})
	}
	t.Run("deep cycle", func(t *testing.T) {
		s := chainSnapshot(hugeN, true)
		s.Processes[0].PPID = hugeN // close the chain into one huge cycle
		s.Sort()
		tr := s.HostView().Tree()
		if len(tr.Roots) != 1 || tr.Roots[0] != 0 {
			t.Errorf("a %d-cycle cut into roots %v", hugeN, tr.Roots)
		}
	})
	t.Run("many cycles", func(t *testing.T) {
		s := &Snapshot{Schema: SchemaVersion}
		for i := 1; i <= hugeN; i += 2 {
			s.Processes = append(s.Processes, Process{PID: i, PPID: i + 1}, Process{PID: i + 1, PPID: i})
		}
		s.Sort()
		if tr := s.HostView().Tree(); len(tr.Roots) != hugeN/2 {
			t.Errorf("%d two-process cycles cut into %d roots", hugeN/2, len(tr.Roots))
		}
	})
	t.Run("deep namespaces", func(t *testing.T) {
		s := nsChainSnapshot(hugeN)
		nt := s.NamespaceTree()
		if len(nt.Roots) != 1 || nt.Nodes[len(nt.Nodes)-1].Level != hugeN-1 {
			t.Errorf("%d roots, deepest level %d", len(nt.Roots), nt.Nodes[len(nt.Nodes)-1].Level)
		}
		// A cycle of namespaces is cut once.
		s.Namespaces[0].Parent = uint64(1000 + hugeN - 1)
		s.Sort()
		if nt := s.NamespaceTree(); len(nt.Roots) != 1 {
			t.Errorf("namespace cycle: %d roots", len(nt.Roots))
		}
	})
}

// renderEveryMode runs every renderer of the tree command over s (pstree
// text with the namespace, NSpid, user and group columns, one tree per PID
// namespace, by namespace, the view's JSON), with the goroutine stack
// limited to 64 bytes a level: each finishes and shows every process.
func renderEveryMode(t *testing.T, s *Snapshot) {
	t.Helper()
	defer debug.SetMaxStack(debug.SetMaxStack(hugeN * 64))
	v := s.HostView()
	for _, o := range []PstreeOptions{
		{PIDs: true, NSpid: true, NSChanges: true, UIDChanges: true, ByPID: true, Long: true},
		{PGIDs: true, NoCompact: true, HideThreads: true, Long: true, Symbols: UTF8Symbols},
		{NSSort: nsinfo.PID, PIDs: true, Long: true},
	} {
		var b bytes.Buffer
		if err := v.WritePstree(&b, o); err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if got := bytes.Count(b.Bytes(), []byte("chain")) + bytes.Count(b.Bytes(), []byte("fan")); got != hugeN {
			t.Errorf("%+v: %d processes shown, want %d", o, got, hugeN)
		}
	}
	var b bytes.Buffer
	if err := s.WriteByNamespace(&b, v); err != nil {
		t.Errorf("by namespace: %v", err)
	}
	b.Reset()
	if err := v.WriteJSON(&b, JSONOptions{}); err != nil || bytes.Count(b.Bytes(), []byte(`"host_pid"`)) != hugeN {
		t.Errorf("view JSON: %v, %d processes", err, bytes.Count(b.Bytes(), []byte(`"host_pid"`)))
	}
}

func mustInside(t testing.TB, s *Snapshot, pid int) *View {
	t.Helper()
	v, err := s.InsideViewOf(pid)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// BenchmarkHuge reports the time and allocations of each operation on a
// 100,000-deep chain and a 100,000-wide fan-out:
//
//	go test ./pkg/tree -run '^$' -bench Huge -benchmem
func BenchmarkHuge(b *testing.B) {
	for _, tc := range []struct {
		name string
		s    *Snapshot
	}{
		{"deep", chainSnapshot(hugeN, true)},
		{"deep-nolinks", chainSnapshot(hugeN, false)},
		{"wide", fanSnapshot(hugeN)},
	} {
		s := tc.s
		v := s.HostView()
		tr := v.Tree()
		var js bytes.Buffer
		if err := s.WriteJSON(&js); err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name+"/Sort", func(b *testing.B) {
			for b.Loop() {
				s.Sort()
			}
		})
		b.Run(tc.name+"/HostView", func(b *testing.B) {
			for b.Loop() {
				s.HostView()
			}
		})
		b.Run(tc.name+"/InsideView", func(b *testing.B) {
			for b.Loop() {
				mustInside(b, s, 1)
			}
		})
		b.Run(tc.name+"/Tree", func(b *testing.B) {
			for b.Loop() {
				v.Tree()
			}
		})
		b.Run(tc.name+"/Walk", func(b *testing.B) {
			for b.Loop() {
				tr.Walk(func(Visit, []bool) bool { return true })
			}
		})
		b.Run(tc.name+"/NamespaceTree", func(b *testing.B) {
			for b.Loop() {
				s.NamespaceTree()
			}
		})
		b.Run(tc.name+"/WriteJSON", func(b *testing.B) {
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				if err := s.WriteJSON(&out); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(out.Len()))
		})
		b.Run(tc.name+"/ReadSnapshot", func(b *testing.B) {
			b.SetBytes(int64(js.Len()))
			for b.Loop() {
				if _, err := ReadSnapshot(bytes.NewReader(js.Bytes())); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
