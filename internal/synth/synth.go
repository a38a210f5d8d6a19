package synth

import (
	"fmt"
	"sync"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// Sizes are the snapshot sizes the benchmarks use.
var Sizes = []int{1000, 10000, 100000}

// Levels is how many nested PID namespaces a synthetic snapshot has below
// the host's.
const Levels = 4

// The host's PID namespace, and the base of the nested ones' inodes: level
// L has PID namespace BaseNS+2L and mount namespace BaseNS+2L+1.
const (
	HostPIDNS = 4026531836
	BaseNS    = 4026532100
)

// HostNS are the host's eight namespaces.
var HostNS = nsinfo.Set{4026531835, 4026531839, 4026531841, 4026531840, HostPIDNS, 4026531837, 4026531838, 4026531834}

var (
	mu    sync.Mutex
	cache = map[int]*tree.Snapshot{}
)

// Snapshot returns a snapshot of n processes shaped like the benchmark
// population: a few host processes, then a chain of Levels nested PID
// namespaces (each with its own mount namespace), each level's init holding
// a quarter of the rest. Parents are spread over earlier processes of the
// same level so that trees have depth as well as width. It is made once per
// size and shared: callers must not change it.
func Snapshot(n int) *tree.Snapshot {
	mu.Lock()
	defer mu.Unlock()
	if s, ok := cache[n]; ok {
		return s
	}
	s := &tree.Snapshot{Schema: tree.SchemaVersion, ProcPath: "/proc", ClockTicks: 100,
		Read: tree.Options{Cmdline: true, NSpid: true, Namespaces: true, Cgroup: true}}
	hostN := max(10, n/100)
	perLevel := (n - hostN) / Levels
	rnd := uint32(1)
	next := func(k int) int { // a deterministic spread, no math/rand
		rnd = rnd*1664525 + 1013904223
		return int(rnd>>8) % k
	}
	pid := 1
	add := func(ppid int, nspid []int, ns nsinfo.Set) {
		s.Processes = append(s.Processes, tree.Process{
			PID: pid, PPID: ppid, PGID: pid, SID: pid, Comm: "idle", State: "S",
			Cmdline:   []string{"/usr/local/bin/idle", "--level", fmt.Sprint(len(nspid) - 1)},
			StartTime: uint64(pid), NumThreads: 1, NSpid: nspid, NS: ns, PIDForChildren: ns[nsinfo.PID.Index()],
			Cgroup: "/bench/idle",
		})
		pid++
	}
	// Host processes: PID 1, and the rest under it.
	add(0, []int{1}, HostNS)
	for pid <= hostN {
		add(1+next(pid-1), []int{pid}, HostNS)
	}
	// Each level: an init whose parent is the init of the level above,
	// then its share, each under an earlier process of the level. Every
	// namespace numbers the processes it sees from 1, as the kernel does.
	counter := make([]int, Levels+1)
	parentInit := 1
	for level := 1; level <= Levels; level++ {
		ns := HostNS
		ns[nsinfo.PID.Index()] = BaseNS + uint64(2*level)
		ns[nsinfo.Mount.Index()] = BaseNS + uint64(2*level) + 1
		count := perLevel
		if level == Levels {
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
	s.CollectNamespaces()
	for i := range s.Namespaces {
		ns := &s.Namespaces[i]
		if ns.Type == nsinfo.PID && ns.Ino != HostPIDNS {
			level := int(ns.Ino-BaseNS) / 2
			ns.Parent = HostPIDNS
			if level > 1 {
				ns.Parent = BaseNS + uint64(2*(level-1))
			}
		}
	}
	s.Sort()
	cache[n] = s
	return s
}
