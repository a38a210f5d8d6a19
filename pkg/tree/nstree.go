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
	// Cut parent cycles (hostile snapshots) so that every node is shown once.
	for i := range t.Nodes {
		slow := i
		for steps := 0; t.Nodes[slow].Parent >= 0 && steps <= len(t.Nodes); steps++ {
			slow = t.Nodes[slow].Parent
			if slow == i {
				t.Nodes[i].Parent = -1
				break
			}
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
		if t.Nodes[i].Level < 0 {
			// Derive from the parent chain where no member told.
			depth, j := 0, i
			for ; t.Nodes[j].Parent >= 0 && t.Nodes[j].Level < 0 && depth <= len(t.Nodes); depth++ {
				j = t.Nodes[j].Parent
			}
			if t.Nodes[j].Level >= 0 {
				t.Nodes[i].Level = t.Nodes[j].Level + depth
			}
		}
	}
	slices.SortFunc(t.Roots, byIno)
	return t
}
