// Package hugesnap builds the hostile snapshots of RELIABILITY.md's "Deep
// and wide" case, for the tests of every package that renders one: a
// process chain, a fan-out and a chain of nested namespaces, 100,000 of
// each by default. No kernel nests namespaces that deep: a snapshot file
// can.
package hugesnap

import (
	"strconv"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// N is RELIABILITY.md's "100,000 deep and 100,000 wide".
const N = 100_000

// Kind is the shape of a snapshot.
type Kind string

// The shapes.
const (
	// Deep is a chain, each process the parent of the next, in the host's
	// namespaces.
	Deep Kind = "deep"
	// Wide is one process and n-1 children.
	Wide Kind = "wide"
	// NSDeep is a chain in which each process is alone in a PID and a
	// user namespace of its own, each namespace the child of the one
	// above and owned by the user namespace above.
	NSDeep Kind = "nsdeep"
)

// Kinds are every shape.
var Kinds = []Kind{Deep, Wide, NSDeep}

// Name is every process's name.
const Name = "huge"

// The inodes of the NSDeep namespaces: base + the process's index.
const (
	pidBase  = 1_000_000
	userBase = 3_000_000
)

// Snapshot is n processes of the given shape, named Name, with arguments
// Name and their PID, every fact read.
func Snapshot(kind Kind, n int) *tree.Snapshot {
	s := &tree.Snapshot{Schema: tree.SchemaVersion, ProcPath: "/proc", Users: map[uint32]string{0: "root"},
		Read: tree.Options{Threads: true, ThreadNames: true, Cmdline: true, NSpid: true, Namespaces: true, Hierarchy: true, Cgroup: true, Discover: true, Mounts: true}}
	host := nsinfo.Set{4026531835, 4026531839, 4026531832, 4026531833, 4026531836, 4026531837, 4026531838, 4026531834}
	s.Processes = make([]tree.Process, n)
	for i := range s.Processes {
		pid, ppid := i+1, i
		if kind == Wide && i > 0 {
			ppid = 1
		}
		p := tree.Process{PID: pid, PPID: ppid, PGID: 1, Comm: Name, Cmdline: []string{Name, strconv.Itoa(pid)}, NSpid: []int{pid}, NS: host, State: "S"}
		if kind == NSDeep {
			p.NS.Put(nsinfo.ID{Type: nsinfo.PID, Ino: pidBase + uint64(i)})
			p.NS.Put(nsinfo.ID{Type: nsinfo.User, Ino: userBase + uint64(i)})
		}
		s.Processes[i] = p
	}
	for t, typ := range nsinfo.Types {
		if kind == NSDeep && (typ == nsinfo.PID || typ == nsinfo.User) {
			continue
		}
		s.Namespaces = append(s.Namespaces, tree.Namespace{Type: typ, Ino: host[t], NProcs: n, PID: 1, Found: []string{"process"}})
	}
	if kind == NSDeep {
		for i := range n {
			for _, base := range []uint64{pidBase, userBase} {
				typ := nsinfo.PID
				if base == userBase {
					typ = nsinfo.User
				}
				ns := tree.Namespace{Type: typ, Ino: base + uint64(i), NProcs: 1, PID: i + 1, Level: i, Found: []string{"process"}}
				if i > 0 {
					ns.Parent = base + uint64(i) - 1
					ns.Owner = userBase + uint64(i) - 1
				}
				s.Namespaces = append(s.Namespaces, ns)
			}
		}
	}
	s.Sort()
	return s
}
