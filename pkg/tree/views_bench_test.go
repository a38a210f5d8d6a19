package tree

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// benchSizes are the synthetic snapshot sizes the view benchmarks use.
var benchSizes = []int{1000, 10000, 100000}

// syntheticLevels is how many nested PID namespaces a synthetic snapshot
// has below the host's, as scripts/population makes them.
const syntheticLevels = 4

var (
	syntheticMu    sync.Mutex
	syntheticCache = map[int]*Snapshot{}
)

// synthetic returns a snapshot of n processes shaped like the benchmark
// population: a few host processes, then a chain of 4 nested PID namespaces
// (each with its own mount namespace), each level's init holding a quarter
// of the rest. Parents are spread over earlier processes of the same level
// so that trees have depth as well as width. It is built once per size.
func synthetic(n int) *Snapshot {
	syntheticMu.Lock()
	defer syntheticMu.Unlock()
	if s, ok := syntheticCache[n]; ok {
		return s
	}
	const hostPIDNS, baseNS = 4026531836, 4026532100
	host := nsinfo.Set{4026531835, 4026531839, 4026531841, 4026531840, hostPIDNS, 4026531837, 4026531838, 4026531834}
	s := &Snapshot{Schema: SchemaVersion, ProcPath: "/proc", ClockTicks: clockTicks,
		Read: Options{Cmdline: true, NSpid: true, Namespaces: true}}
	hostN := max(10, n/100)
	perLevel := (n - hostN) / syntheticLevels
	rnd := uint32(1)
	next := func(k int) int { // a deterministic spread, no math/rand
		rnd = rnd*1664525 + 1013904223
		return int(rnd>>8) % k
	}
	pid := 1
	add := func(ppid int, nspid []int, ns nsinfo.Set) {
		s.Processes = append(s.Processes, Process{
			PID: pid, PPID: ppid, PGID: pid, SID: pid, Comm: "idle", State: "S",
			Cmdline:   []string{"/usr/local/bin/idle", "--level", fmt.Sprint(len(nspid) - 1)},
			StartTime: uint64(pid), NumThreads: 1, NSpid: nspid, NS: ns, PIDForChildren: ns[nsinfo.PID.Index()],
			Cgroup: "/bench/idle",
		})
		pid++
	}
	// Host processes: PID 1, and the rest under it.
	add(0, []int{1}, host)
	for pid <= hostN {
		add(1+next(pid-1), []int{pid}, host)
	}
	// Each level: an init whose parent is the init of the level above,
	// then its share, each under an earlier process of the level. Every
	// namespace numbers the processes it sees from 1, as the kernel does.
	counter := make([]int, syntheticLevels+1)
	parentInit := 1
	for level := 1; level <= syntheticLevels; level++ {
		ns := host
		ns[nsinfo.PID.Index()] = baseNS + uint64(2*level)
		ns[nsinfo.Mount.Index()] = baseNS + uint64(2*level) + 1
		count := perLevel
		if level == syntheticLevels {
			count = n - pid + 1
		}
		first := pid
		for k := 0; k < count; k++ {
			chain := []int{pid}
			for l := 1; l <= level; l++ {
				counter[l]++
				chain = append(chain, counter[l])
			}
			parent := parentInit
			if k > 0 {
				parent = first + next(k)
			}
			add(parent, chain, ns)
		}
		parentInit = first
	}
	s.collectNamespaces(nil)
	for i := range s.Namespaces {
		ns := &s.Namespaces[i]
		if ns.Type == nsinfo.PID && ns.Ino != hostPIDNS {
			level := int(ns.Ino-baseNS) / 2
			ns.Parent = hostPIDNS
			if level > 1 {
				ns.Parent = baseNS + uint64(2*(level-1))
			}
		}
	}
	s.Sort()
	syntheticCache[n] = s
	return s
}

// TestSynthetic checks the synthetic snapshot is what the benchmarks claim:
// n processes, five PID namespaces nested as a chain, and every process's
// inside view numbering consistent with its NSpid chain.
func TestSynthetic(t *testing.T) {
	s := synthetic(1000)
	if len(s.Processes) != 1000 {
		t.Fatalf("%d processes, want 1000", len(s.Processes))
	}
	nt := s.NamespaceTree()
	if len(nt.Nodes) != syntheticLevels+1 || len(nt.Roots) != 1 || len(nt.Unknown) != 0 {
		t.Fatalf("namespace tree: %d nodes, %d roots, %d unknown", len(nt.Nodes), len(nt.Roots), len(nt.Unknown))
	}
	for level, node := 0, nt.Roots[0]; ; level++ {
		n := nt.Nodes[node]
		if n.Level != level || n.Init == nil {
			t.Fatalf("namespace %s: level %d (want %d), init %v", n.NS, n.Level, level, n.Init)
		}
		if len(n.Children) == 0 {
			if level != syntheticLevels {
				t.Fatalf("chain ends at level %d", level)
			}
			break
		}
		node = n.Children[0]
	}
	level1 := nsinfo.ID{Type: nsinfo.PID, Ino: nt.Nodes[nt.Nodes[nt.Roots[0]].Children[0]].NS.Ino}
	v, err := s.InsideView(level1)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Entries) < 3*len(s.Processes)/4-1 {
		t.Fatalf("inside level 1: %d entries", len(v.Entries))
	}
	tr := v.Tree()
	if len(tr.Roots) != 1 || v.Entries[tr.Roots[0]].PID != 1 {
		t.Fatalf("inside level 1: roots %v", tr.Roots)
	}
}

func benchEachSize(b *testing.B, fn func(b *testing.B, s *Snapshot)) {
	for _, n := range benchSizes {
		s := synthetic(n)
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			fn(b, s)
		})
	}
}

func BenchmarkHostView(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *Snapshot) {
		for b.Loop() {
			s.HostView()
		}
	})
}

// BenchmarkInsideView views from the outermost new PID namespace, which
// holds three quarters of the processes.
func BenchmarkInsideView(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *Snapshot) {
		init1 := s.Processes[len(s.Processes)/100+1].PID
		for b.Loop() {
			if _, err := s.InsideViewOf(init1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTree links the host view and walks it, as a renderer does.
func BenchmarkTree(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *Snapshot) {
		for b.Loop() {
			t := s.HostView().Tree()
			n := 0
			t.Walk(func(Visit, []bool) bool { n++; return true })
			if n != len(s.Processes) {
				b.Fatalf("walked %d of %d", n, len(s.Processes))
			}
		}
	})
}

func BenchmarkNamespaceTree(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *Snapshot) {
		for b.Loop() {
			s.NamespaceTree()
		}
	})
}

func BenchmarkWriteJSON(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *Snapshot) {
		var buf bytes.Buffer
		s.WriteJSON(&buf)
		b.SetBytes(int64(buf.Len()))
		for b.Loop() {
			if err := s.WriteJSON(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkReadSnapshot(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *Snapshot) {
		var buf bytes.Buffer
		if err := s.WriteJSON(&buf); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
		for b.Loop() {
			if _, err := ReadSnapshot(bytes.NewReader(buf.Bytes())); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWritePstree renders the host view as `nsview tree` does for -p,
// --nspid and -p -S (lines cut at 132 columns, as pstree cuts them when its
// output is not a terminal).
func BenchmarkWritePstree(b *testing.B) {
	for _, c := range []struct {
		name string
		o    PstreeOptions
	}{
		{"p", PstreeOptions{PIDs: true}},
		{"nspid", PstreeOptions{NSpid: true}},
		{"pS", PstreeOptions{PIDs: true, NSChanges: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchEachSize(b, func(b *testing.B, s *Snapshot) {
				o := c.o
				o.Width = 132
				for b.Loop() {
					if err := s.HostView().WritePstree(io.Discard, o); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
