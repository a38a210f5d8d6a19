package tree_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/nsview/nsview/internal/synth"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// The benchmarks of this file run on synthetic snapshots of 1k, 10k and
// 100k processes (internal/synth), with allocations reported, so that
//
//	go test ./pkg/tree -run '^$' -bench . -count 10 > new.txt
//	benchstat old.txt new.txt
//
// shows what a change does to the scan, each view and each renderer.

func synthetic(n int) *tree.Snapshot { return synth.Snapshot(n) }

// TestSynthetic checks the synthetic snapshot is what the benchmarks claim:
// n processes, five PID namespaces nested as a chain, and every process's
// inside view numbering consistent with its NSpid chain.
func TestSynthetic(t *testing.T) {
	s := synthetic(1000)
	if len(s.Processes) != 1000 {
		t.Fatalf("%d processes, want 1000", len(s.Processes))
	}
	nt := s.NamespaceTree()
	if len(nt.Nodes) != synth.Levels+1 || len(nt.Roots) != 1 || len(nt.Unknown) != 0 {
		t.Fatalf("namespace tree: %d nodes, %d roots, %d unknown", len(nt.Nodes), len(nt.Roots), len(nt.Unknown))
	}
	for level, node := 0, nt.Roots[0]; ; level++ {
		n := nt.Nodes[node]
		if n.Level != level || n.Init == nil {
			t.Fatalf("namespace %s: level %d (want %d), init %v", n.NS, n.Level, level, n.Init)
		}
		if len(n.Children) == 0 {
			if level != synth.Levels {
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

func benchEachSize(b *testing.B, fn func(b *testing.B, s *tree.Snapshot)) {
	for _, n := range synth.Sizes {
		s := synthetic(n)
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			fn(b, s)
		})
	}
}

func BenchmarkHostView(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
		for b.Loop() {
			s.HostView()
		}
	})
}

// BenchmarkInsideView views from the outermost new PID namespace, which
// holds three quarters of the processes.
func BenchmarkInsideView(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
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
	benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
		for b.Loop() {
			t := s.HostView().Tree()
			n := 0
			t.Walk(func(tree.Visit, []bool) bool { n++; return true })
			if n != len(s.Processes) {
				b.Fatalf("walked %d of %d", n, len(s.Processes))
			}
		}
	})
}

func BenchmarkNamespaceTree(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
		for b.Loop() {
			s.NamespaceTree()
		}
	})
}

func BenchmarkWriteJSON(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
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
	benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
		var buf bytes.Buffer
		if err := s.WriteJSON(&buf); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
		for b.Loop() {
			if _, err := tree.ReadSnapshot(bytes.NewReader(buf.Bytes())); err != nil {
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
		o    tree.PstreeOptions
	}{
		{"p", tree.PstreeOptions{PIDs: true}},
		{"nspid", tree.PstreeOptions{NSpid: true}},
		{"pS", tree.PstreeOptions{PIDs: true, NSChanges: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
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

// BenchmarkWriteByNamespace renders --by-ns: PID namespaces as branches.
func BenchmarkWriteByNamespace(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
		for b.Loop() {
			if err := s.WriteByNamespace(io.Discard, s.HostView()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWriteViewJSON renders `nsview tree --json`.
func BenchmarkWriteViewJSON(b *testing.B) {
	benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
		for b.Loop() {
			if err := s.HostView().WriteJSON(io.Discard, tree.JSONOptions{Pstree: tree.PstreeOptions{PIDs: true}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkScanSynthetic scans an in-memory /proc of each synthetic
// snapshot with the options of each command: the scan's own work (parsing,
// allocation, collecting namespaces, choosing leaders), without the
// kernel's. BenchmarkScan measures the live /proc.
func BenchmarkScanSynthetic(b *testing.B) {
	for _, c := range []struct {
		name string
		opts tree.Options
	}{
		{"tree-p", tree.Options{Threads: true}},
		{"nspid", tree.Options{Threads: true, ThreadNSpid: true, NSpid: true}},
		{"ns", tree.Options{Namespaces: true, LeadersOnly: true, LeaderCmdline: true, Discover: true, Mounts: true}},
		{"snapshot", tree.Everything()},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
				proc := synth.ProcFS(s)
				for b.Loop() {
					got, err := tree.Scan(proc, c.opts)
					if err != nil {
						b.Fatal(err)
					}
					if len(got.Processes) != len(s.Processes) {
						b.Fatalf("scanned %d of %d processes", len(got.Processes), len(s.Processes))
					}
				}
			})
		})
	}
}
