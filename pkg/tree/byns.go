package tree

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/xlab/treeprint"
)

// WriteByNamespace writes the view's PID namespaces as branches, nested as
// the kernel nests them, each headed by its id, level, its init's PIDs and
// its process count, with its processes as leaves: "sleep" (6025/146/1),
// the PID at every level from the view's inward, like lxkns's pidtree.
// Processes whose PID namespace is unreadable come last, under
// pid:[?]. Only the namespace hierarchy (at most 33 levels) is nested, so
// the output stays linear however deep the process tree is.
func (s *Snapshot) WriteByNamespace(w io.Writer, v *View) error {
	nt := s.NamespaceTree()
	inView := make(map[*Process]*Entry, len(v.Entries))
	for i := range v.Entries {
		inView[v.Entries[i].Proc] = &v.Entries[i]
	}
	roots := nt.Roots
	if v.Inside {
		roots = nil
		for i := range nt.Nodes {
			if nt.Nodes[i].NS.Ino == v.NS.Ino {
				roots = append(roots, i)
			}
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	type item struct {
		node int
		t    treeprint.Tree
	}
	for _, r := range roots {
		if !s.nsHasView(nt, r, inView) {
			continue
		}
		top := treeprint.NewWithRoot(s.nsHeader(nt, r, v, inView))
		stack := []item{{r, top}}
		for len(stack) > 0 {
			it := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n := &nt.Nodes[it.node]
			addMembers(it.t, n.Members, inView)
			for _, c := range n.Children {
				if !s.nsHasView(nt, c, inView) {
					continue
				}
				stack = append(stack, item{c, it.t.AddBranch(s.nsHeader(nt, c, v, inView))})
			}
			// Branches print in the order they were added; the stack
			// only decides when their own children are filled in.
		}
		bw.WriteString(top.String())
	}
	if len(nt.Unknown) > 0 {
		var members []*Process
		for _, p := range nt.Unknown {
			if inView[p] != nil {
				members = append(members, p)
			}
		}
		if len(members) > 0 {
			plural := "es"
			if len(members) == 1 {
				plural = ""
			}
			top := treeprint.NewWithRoot(fmt.Sprintf("pid:[?] (namespace not readable), %d process%s", len(members), plural))
			addMembers(top, members, inView)
			bw.WriteString(top.String())
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write namespaces: %w", err)
	}
	return nil
}

// nsHasView reports whether a namespace or one below it holds a process of
// the view.
func (s *Snapshot) nsHasView(nt *NamespaceTree, i int, inView map[*Process]*Entry) bool {
	stack := []int{i}
	for steps := 0; len(stack) > 0 && steps <= len(nt.Nodes); steps++ {
		j := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range nt.Nodes[j].Members {
			if inView[p] != nil {
				return true
			}
		}
		stack = append(stack, nt.Nodes[j].Children...)
	}
	return false
}

func (s *Snapshot) nsHeader(nt *NamespaceTree, i int, v *View, inView map[*Process]*Entry) string {
	n := &nt.Nodes[i]
	var b strings.Builder
	b.WriteString(n.NS.String())
	b.WriteString(" level ")
	if n.Level >= 0 {
		b.WriteString(strconv.Itoa(n.Level - v.Level))
	} else {
		b.WriteString("?")
	}
	b.WriteString(", init ")
	if e := inView[n.Init]; n.Init != nil && e != nil {
		b.WriteString(chainText(e.NSpid, e.PID))
		b.WriteString(" ")
		b.WriteString(quoteName(n.Init.Comm))
	} else {
		b.WriteString("?")
	}
	count := 0
	for _, p := range n.Members {
		if inView[p] != nil {
			count++
		}
	}
	fmt.Fprintf(&b, ", %d process", count)
	if count != 1 {
		b.WriteString("es")
	}
	return b.String()
}

func addMembers(t treeprint.Tree, members []*Process, inView map[*Process]*Entry) {
	es := make([]*Entry, 0, len(members))
	for _, p := range members {
		if e := inView[p]; e != nil {
			es = append(es, e)
		}
	}
	slices.SortFunc(es, func(a, b *Entry) int { return a.PID - b.PID })
	for _, e := range es {
		t.AddNode(quoteName(e.Proc.Comm) + " (" + chainText(e.NSpid, e.PID) + ")")
	}
}

// chainText is an NSpid chain as 6025/146/1, or the PID alone when the
// chain is unknown.
func chainText(chain []int, pid int) string {
	if len(chain) == 0 {
		return strconv.Itoa(pid)
	}
	var b strings.Builder
	for i, p := range chain {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strconv.Itoa(p))
	}
	return b.String()
}

// quoteName quotes a process name for nsview's own output, escaped so that
// it cannot act on the terminal, with its quotes escaped too.
func quoteName(s string) string {
	return `"` + strings.ReplaceAll(escape.Text(s), `"`, `\"`) + `"`
}
