package ui

import (
	"sync"
	"testing"

	"github.com/nsview/nsview/pkg/tree"
)

// bigSnapshot is n processes: the fixture, plus 8 namespaces nested 4 deep
// (each init with n/8 idle children), as scripts/population makes them.
func bigSnapshot(n int) *tree.Snapshot {
	procs := fixtureProcs()
	pid := 10000
	parent := 1
	var chain []int
	for ns := range 8 {
		ino := uint64(4026540000 + ns)
		if ns%4 == 0 {
			parent, chain = 1, nil
		}
		pid++
		init := pid
		chain = append(chain, init)
		nspid := append(append([]int(nil), chain...), 1)
		pidNSParents[ino] = 0
		procs = append(procs, fixProc{init, parent, "population", nspid[len(nspid)-len(chain)-1:], ino, nil, []string{"population", "init"}, 0, "S"})
		for i := range n / 8 {
			pid++
			kid := append(append([]int(nil), nspid[:len(nspid)-1]...), pid, i+2)
			_ = kid
			procs = append(procs, fixProc{pid, init, "idle", append(append([]int(nil), chainPIDs(chain)...), pid, i+2)[len(chain)-1:], ino, nil, []string{"idle"}, 0, "S"})
		}
		parent = init
	}
	return buildSnapshot(procs)
}

func chainPIDs(c []int) []int { return c }

var big = sync.OnceValues(func() (*tree.Snapshot, *tree.Snapshot) {
	return bigSnapshot(10000), bigSnapshot(10000)
})

// One refresh at 10,000 processes: the diff, the world, both panes, and a
// frame.
func BenchmarkRefresh10k(b *testing.B) {
	s1, s2 := big()
	t := &testing.T{}
	src := &fakeLive{snap: s1}
	tm := newTestModel(t, src, 200, 50, Options{})
	tm.selectPID(1)
	b.ResetTimer()
	for i := range b.N {
		snap := s1
		if i%2 == 1 {
			snap = s2
		}
		tm.refresh(src, snap)
		_ = tm.View()
	}
}

// One key press and a frame at 10,000 processes.
func BenchmarkKey10k(b *testing.B) {
	s, _ := big()
	t := &testing.T{}
	tm := newTestModel(t, SnapshotSource(s), 200, 50, Options{})
	b.ResetTimer()
	for range b.N {
		tm.key("j")
		_ = tm.View()
	}
}
