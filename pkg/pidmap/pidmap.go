package pidmap

import (
	"errors"
	"fmt"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// Method is how PIDs were translated.
type Method string

// The methods.
const (
	Kernel Method = "kernel" // NS_GET_TGID_{IN,FROM}_PIDNS ioctls
	NSpid  Method = "nspid"  // NSpid chains of /proc/PID/status
)

// Level is a process as one PID namespace of its chain sees it.
type Level struct {
	// Level is the nesting below the caller's PID namespace (0).
	Level int `json:"level"`
	// NS is the PID namespace's inode, 0 where unknown.
	NS uint64 `json:"ns"`
	// PID is the process's PID in that namespace.
	PID int `json:"pid"`
	// Init is that namespace's PID 1 in the caller's numbering, 0 where
	// unknown.
	Init int `json:"init"`
}

// ErrReused is wrapped when the process exited while it was being read, so
// its PID may now name another process.
var ErrReused = nsinfo.ErrExited

// Pin holds a pidfd on a live process (nsinfo.Pin): facts read by PID
// between PinProcess and a successful Check are that process's.
type Pin = nsinfo.Pin

// PinProcess pins pid, numbered as the caller's PID namespace numbers it.
func PinProcess(pid int) (*Pin, error) { return nsinfo.PinProcess(pid) }

// ErrNotVisible is wrapped when a process has no PID in a namespace (it is
// not in it or below it), or no process has the given PID there.
var ErrNotVisible = errors.New("no such PID in that namespace")

// Levels is the process's PID at every level, from its NSpid chain.
func Levels(s *tree.Snapshot, p *tree.Process) []Level {
	out := make([]Level, len(p.NSpid))
	for l, pid := range p.NSpid {
		out[l] = Level{Level: l, PID: pid, NS: s.PIDNamespaceAt(p, l)}
		if init := s.LevelInit(p, l); init != nil {
			out[l].Init = init.PID
		}
	}
	return out
}

// Target is a PID namespace named by the user.
type Target struct {
	// NS is the namespace's inode, 0 where unknown (its links are
	// unreadable: Ref still identifies it).
	NS uint64
	// Level is its nesting below the proc mount's PID namespace.
	Level int
	// Ref is a process in it (or below it), nil if none is known.
	Ref *tree.Process
}

// String names the target as the user may type it.
func (t Target) String() string {
	if t.NS != 0 {
		return nsinfo.ID{Type: nsinfo.PID, Ino: t.NS}.String()
	}
	if t.Ref != nil {
		return fmt.Sprintf("pid:%d", t.Ref.PID)
	}
	return "pid:?"
}

// contains reports whether p is seen in the target namespace.
func (t Target) contains(s *tree.Snapshot, p *tree.Process) bool {
	if len(p.NSpid) <= t.Level {
		return false
	}
	if t.NS != 0 {
		if ns := s.PIDNamespaceAt(p, t.Level); ns != 0 {
			return ns == t.NS
		}
	}
	if t.Ref == nil {
		return false
	}
	a, b := s.LevelInit(p, t.Level), s.LevelInit(t.Ref, t.Level)
	return a != nil && a == b
}

// FromNS maps pid, numbered as the target numbers it, to the proc mount's
// numbering, from NSpid chains.
func FromNS(s *tree.Snapshot, t Target, pid int) (int, error) {
	for i := range s.Processes {
		q := &s.Processes[i]
		if len(q.NSpid) > t.Level && q.NSpid[t.Level] == pid && t.contains(s, q) {
			return q.PID, nil
		}
	}
	return 0, fmt.Errorf("PID %d in %s: %w", pid, t, ErrNotVisible)
}

// ToNS maps a PID in the proc mount's numbering to the target's, from
// NSpid chains.
func ToNS(s *tree.Snapshot, t Target, pid int) (int, error) {
	p, ok := s.Proc(pid)
	if !ok {
		return 0, fmt.Errorf("process %d: %w", pid, tree.ErrNoProcess)
	}
	if !t.contains(s, p) {
		return 0, fmt.Errorf("process %d in %s: %w", pid, t, ErrNotVisible)
	}
	return p.NSpid[t.Level], nil
}
