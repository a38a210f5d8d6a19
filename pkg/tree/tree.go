package tree

import "slices"

// Tree is the parent/child structure of a view's entries. Nodes are indexes
// into View.Entries.
type Tree struct {
	View *View
	// Roots are entries whose parent is outside the view, in PID order.
	Roots []int
	// Children[i] are the children of entry i, in PID order.
	Children [][]int
	// Parent[i] is entry i's parent, -1 for a root.
	Parent []int
}

// Tree links the view's entries by PPID. Every entry appears exactly once:
// an entry whose parent is missing or itself becomes a root, and a cycle
// of parents (impossible in a real kernel, possible in a hostile fixture
// or snapshot) is cut at its lowest PID, which becomes a root.
func (v *View) Tree() *Tree {
	n := len(v.Entries)
	t := &Tree{View: v, Children: make([][]int, n), Parent: make([]int, n)}
	for i := range v.Entries {
		e := &v.Entries[i]
		t.Parent[i] = -1
		if e.PPID == 0 || e.PPID == e.PID {
			continue
		}
		if j, ok := v.indexOf(e.PPID); ok {
			t.Parent[i] = j
		}
	}
	for i, p := range t.Parent {
		if p >= 0 {
			t.Children[p] = append(t.Children[p], i)
		} else {
			t.Roots = append(t.Roots, i)
		}
	}
	// Entries unreachable from a root sit on a cycle or below one. Walk up
	// from each to the cycle, stamping the path, and cut the cycle at its
	// lowest PID (entries are in PID order, so the lowest index); marking
	// what the new root reaches keeps every entry walked at most twice, so
	// a hostile snapshot of many cycles costs linear time.
	seen := make([]bool, n)
	t.mark(t.Roots, seen)
	stamp := make([]int, n)
	for i := range seen {
		if seen[i] {
			continue
		}
		c := i
		for stamp[c] != i+1 {
			stamp[c] = i + 1
			c = t.Parent[c]
		}
		cut := c
		for x := t.Parent[c]; x != c; x = t.Parent[x] {
			cut = min(cut, x)
		}
		p := t.Parent[cut]
		t.Children[p] = slices.DeleteFunc(t.Children[p], func(k int) bool { return k == cut })
		t.Parent[cut] = -1
		t.Roots = append(t.Roots, cut)
		t.mark([]int{cut}, seen)
	}
	slices.Sort(t.Roots)
	return t
}

// mark sets seen for every node below the given ones.
func (t *Tree) mark(from []int, seen []bool) {
	stack := append([]int(nil), from...)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[i] {
			continue
		}
		seen[i] = true
		stack = append(stack, t.Children[i]...)
	}
}

// Visit is one step of a pre-order walk.
type Visit struct {
	Node  int // index into View.Entries
	Depth int // 0 for a root
	// Last reports whether the node is the last child of its parent (or
	// the last root).
	Last bool
}

// Walk calls fn for every node in pre-order (parents before children,
// siblings in order), without recursion. lastAt[d] says whether the node's
// ancestor at depth d (d < Depth) was a last child. The slice is reused
// between calls. If fn returns false, the node's children are skipped.
func (t *Tree) Walk(fn func(v Visit, lastAt []bool) bool) {
	type frame struct {
		nodes []int
		next  int
	}
	stack := []frame{{nodes: t.Roots}}
	var lastAt []bool
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next >= len(top.nodes) {
			stack = stack[:len(stack)-1]
			continue
		}
		node := top.nodes[top.next]
		top.next++
		depth := len(stack) - 1
		last := top.next == len(top.nodes)
		if !fn(Visit{Node: node, Depth: depth, Last: last}, lastAt[:depth]) {
			continue
		}
		if kids := t.Children[node]; len(kids) > 0 {
			lastAt = append(lastAt[:depth], last)
			stack = append(stack, frame{nodes: kids})
		}
	}
}
