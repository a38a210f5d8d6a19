package tree

import (
	"slices"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// NSNode is one PID namespace in a NamespaceTree.
type NSNode struct {
	NS nsinfo.ID
	// Level is the nesting below the proc mount's own PID namespace; -1
	// where unknown.
	Level int
	// Init is the namespace's PID 1, nil when it was not seen.
	Init *Process
	// Members are the processes whose own PID namespace this is, by PID.
	Members []*Process
	// Parent is the index of the parent namespace's node, -1 for a root.
	Parent int
	// Children are the indexes of the child namespaces' nodes, by inode.
	Children []int
}

// NamespaceTree is the PID namespaces of a snapshot, nested as the kernel
// nests them, each with its processes (lxkns's pidtree view).
type NamespaceTree struct {
	Nodes []NSNode
	Roots []int
	// Unknown are the processes whose PID namespace could not be read.
	Unknown []*Process
}

// NamespaceTree groups the snapshot's processes by PID namespace.
func (s *Snapshot) NamespaceTree() *NamespaceTree {
	t := &NamespaceTree{}
	index := make(map[uint64]int)
	node := func(ino uint64) int {
		if i, ok := index[ino]; ok {
			return i
		}
		i := len(t.Nodes)
		index[ino] = i
		level := -1
		if n, ok := s.Namespace(nsinfo.ID{Type: nsinfo.PID, Ino: ino}); ok {
			level = n.Level
		}
		t.Nodes = append(t.Nodes, NSNode{NS: nsinfo.ID{Type: nsinfo.PID, Ino: ino}, Level: level, Parent: -1})
		return i
	}
	for i := range s.Namespaces {
		if n := &s.Namespaces[i]; n.Type == nsinfo.PID {
			node(n.Ino)
		}
	}
	for i := range s.Processes {
		p := &s.Processes[i]
		ino := s.PIDNamespaceOf(p)
		if ino == 0 {
			t.Unknown = append(t.Unknown, p)
			continue
		}
		n := &t.Nodes[node(ino)]
		n.Members = append(n.Members, p)
		if p.InnerPID() == 1 && len(p.NSpid) > 0 {
			n.Init = p
		}
		if n.Level < 0 && len(p.NSpid) > 0 {
			n.Level = len(p.NSpid) - 1
		}
	}
	// Link parents; a parent known only from the hierarchy gets a node of
	// its own, with no members.
	for i := 0; i < len(t.Nodes); i++ {
		parent := s.pidNSParent(t.Nodes[i].NS.Ino)
		if parent == 0 || parent == t.Nodes[i].NS.Ino {
			continue
		}
		j := node(parent)
		t.Nodes[i].Parent = j
	}
	// Cut parent cycles (hostile snapshots) so that every node is shown
	// once: walk up from each node, stamping the path; meeting the stamp
	// again means a cycle, cut at its lowest index. Nodes whose chain is
	// already known good are not walked again, so this is linear.
	stamp := make([]int, len(t.Nodes))
	done := make([]bool, len(t.Nodes))
	var path []int
	for i := range t.Nodes {
		path = path[:0]
		j := i
		for j >= 0 && !done[j] && stamp[j] != i+1 {
			stamp[j] = i + 1
			path = append(path, j)
			j = t.Nodes[j].Parent
		}
		if j >= 0 && !done[j] {
			cut := j
			for x := t.Nodes[j].Parent; x != j; x = t.Nodes[x].Parent {
				cut = min(cut, x)
			}
			t.Nodes[cut].Parent = -1
		}
		for _, k := range path {
			done[k] = true
		}
	}
	for i := range t.Nodes {
		if p := t.Nodes[i].Parent; p >= 0 {
			t.Nodes[p].Children = append(t.Nodes[p].Children, i)
		} else {
			t.Roots = append(t.Roots, i)
		}
	}
	byIno := func(a, b int) int {
		x, y := t.Nodes[a].NS.Ino, t.Nodes[b].NS.Ino
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	for i := range t.Nodes {
		slices.SortFunc(t.Nodes[i].Children, byIno)
	}
	// Derive unknown levels from the nearest ancestor that knows its own,
	// top-down so that each node is computed once.
	order := make([]int, 0, len(t.Nodes))
	order = append(order, t.Roots...)
	for k := 0; k < len(order); k++ {
		n := &t.Nodes[order[k]]
		if n.Level < 0 && n.Parent >= 0 {
			if pl := t.Nodes[n.Parent].Level; pl >= 0 {
				n.Level = pl + 1
			}
		}
		order = append(order, n.Children...)
	}
	slices.SortFunc(t.Roots, byIno)
	return t
}
