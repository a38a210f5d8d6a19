package tree

import (
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// PID 1's links are unreadable (as on this machine, and in any container
// seen from inside), but NSpid says it is at the proc mount's own level, so
// it is in the same PID namespace as every other process seen at one level.
func TestUnreadableInitIsInMountNamespace(t *testing.T) {
	const host = 4026531836
	var ns nsinfo.Set
	ns.Put(nsinfo.ID{Type: nsinfo.PID, Ino: host})
	s := &Snapshot{Schema: SchemaVersion, Processes: []Process{
		{PID: 1, Comm: "init", NSpid: []int{1}, Denied: true},
		{PID: 10, PPID: 1, Comm: "sh", NSpid: []int{10}, NS: ns},
		{PID: 11, PPID: 10, Comm: "sleep", NSpid: []int{11}},
	}}
	s.Sort()
	p1, _ := s.Proc(1)
	if got := s.PIDNamespaceOf(p1); got != host {
		t.Errorf("PIDNamespaceOf(1) = %d, want %d", got, host)
	}
	v, err := s.InsideView(nsinfo.ID{Type: nsinfo.PID, Ino: host})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Entries) != 3 {
		t.Fatalf("inside view of the mount's namespace has %d processes, want 3", len(v.Entries))
	}
	if tr := v.Tree(); len(tr.Roots) != 1 || v.Entries[tr.Roots[0]].PID != 1 {
		t.Errorf("inside view roots = %v, want PID 1 alone", tr.Roots)
	}
}
