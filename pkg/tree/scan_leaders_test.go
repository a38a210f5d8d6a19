package tree

import (
	"slices"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsinfo/fakeproc"
)

// leadersOpts is what `nsview ns` asks a scan for (less what a fixture
// cannot have).
var leadersOpts = Options{LeadersOnly: true, LeaderCmdline: true, Namespaces: true, Discover: true, Mounts: true}

// TestScanLeadersOnly checks that a LeadersOnly scan finds the namespaces
// a full scan finds, each with the same process count and lowest PID, that
// each such PID is read as fully as a full scan reads it, and that the
// other processes are read no further than their links.
func TestScanLeadersOnly(t *testing.T) {
	for _, name := range []string{"proc-nested", "proc-hard"} {
		t.Run(name, func(t *testing.T) {
			full, _ := scanFixture(t, name, Options{Namespaces: true, Cmdline: true, Discover: true, Mounts: true})
			// A harmless fault (a short read) counts the command line
			// reads: only the leaders' are made.
			s, faults := scanFixture(t, name, leadersOpts, fakeproc.Rule{File: "cmdline", Fault: fakeproc.Short})
			if !slices.EqualFunc(s.Namespaces, full.Namespaces, func(a, b Namespace) bool {
				return a.ID() == b.ID() && a.NProcs == b.NProcs && a.PID == b.PID
			}) {
				t.Fatalf("namespaces\n got %+v\nwant %+v", s.Namespaces, full.Namespaces)
			}
			leader := map[int]bool{}
			for _, n := range s.Namespaces {
				leader[n.PID] = true
			}
			for _, q := range full.Processes {
				p, ok := s.Proc(q.PID)
				switch {
				case q.State == "Z":
					// A zombie is in no namespace: left out.
					if ok {
						t.Errorf("zombie %d listed: %+v", q.PID, *p)
					}
				case !ok:
					t.Errorf("process %d missing", q.PID)
				case leader[q.PID]:
					if p.Comm != q.Comm || p.PPID != q.PPID || p.UID != q.UID || p.StartTime != q.StartTime || p.NS != q.NS {
						t.Errorf("leader %d\n got %+v\nwant %+v", q.PID, *p, q)
					}
					if faults.Injected(q.PID, "cmdline") != 1 || len(p.Cmdline) == 0 && len(q.Cmdline) > 0 {
						t.Errorf("leader %d: command line %q read %d times", q.PID, p.Cmdline, faults.Injected(q.PID, "cmdline"))
					}
				default:
					want := Process{PID: q.PID, UID: UnknownUID, NS: q.NS}
					if p.PID != want.PID || p.UID != want.UID || p.NS != want.NS || p.Comm != "" || p.Cmdline != nil {
						t.Errorf("process %d read beyond its links: %+v", q.PID, *p)
					}
					if n := faults.Injected(q.PID, "cmdline"); n != 0 {
						t.Errorf("process %d: command line read %d times", q.PID, n)
					}
				}
			}
			if s.Unreadable.Vanished != full.Unreadable.Vanished+countState(full, "Z") {
				t.Errorf("vanished %d, want %d (the zombies)", s.Unreadable.Vanished, countState(full, "Z"))
			}
		})
	}
}

func countState(s *Snapshot, state string) int {
	n := 0
	for _, p := range s.Processes {
		if p.State == state {
			n++
		}
	}
	return n
}

// TestScanLeadersHandOver makes the leader of a namespace vanish between
// the scan of links and its full read: the next lowest PID stands for the
// namespace instead, read in full in its turn.
func TestScanLeadersHandOver(t *testing.T) {
	// 104 is the lowest PID of nsP2 (then 105, 106, 109, 111): its stat,
	// read only as a leader, says it is gone.
	s, faults := scanFixture(t, "proc-nested", leadersOpts, fakeproc.Rule{PID: 104, File: "stat", Fault: fakeproc.ESRCH})
	if faults.Injected(104, "stat") != 1 {
		t.Fatalf("stat of 104 read %d times, want once", faults.Injected(104, "stat"))
	}
	n, ok := s.Namespace(nsinfo.ID{Type: nsinfo.PID, Ino: nsP2})
	if !ok || n.PID != 105 || n.NProcs != 4 {
		t.Fatalf("namespace %d: %+v, want PID 105 of 4", nsP2, n)
	}
	if p, ok := s.Proc(105); !ok || p.Comm != "sleep" || p.PPID != 104 {
		t.Errorf("new leader 105 not read in full: %+v", p)
	}
	if _, ok := s.Proc(104); ok {
		t.Error("vanished leader 104 still listed")
	}
	if s.Unreadable.Vanished != 1 {
		t.Errorf("Unreadable = %+v, want one vanished", s.Unreadable)
	}
}

// TestScanLeadersDenied: a process whose links are denied is read in full,
// as a full scan reads it, which tells it (shown, denied) from one hidden by
// hidepid (left out).
func TestScanLeadersDenied(t *testing.T) {
	deny := fakeproc.Rule{PID: 70, File: "ns/*", Fault: fakeproc.EACCES}
	full, _ := scanFixture(t, "proc-hard", Options{Namespaces: true}, deny)
	s, _ := scanFixture(t, "proc-hard", leadersOpts, deny)
	p, ok := s.Proc(70)
	q, _ := full.Proc(70)
	if !ok || !p.Denied || p.Comm != q.Comm || p.PPID != q.PPID || p.NS != (nsinfo.Set{}) {
		t.Fatalf("process 70: %+v, want %+v", p, q)
	}
	if s.Unreadable.Denied != 1 || full.Unreadable.Denied != 1 {
		t.Errorf("Unreadable %+v, full scan %+v", s.Unreadable, full.Unreadable)
	}
	hide := fakeproc.Rule{PID: 70, Fault: fakeproc.EACCES}
	s, _ = scanFixture(t, "proc-hard", leadersOpts, hide)
	if _, ok := s.Proc(70); ok || s.Unreadable.Hidden != 1 {
		t.Errorf("hidden process 70: listed %v, %+v", ok, s.Unreadable)
	}
}
