package nsinfo

import (
	"fmt"
	"strings"
)

// Type is a namespace type, valued as its CLONE_NEW* flag.
type Type uint32

// The eight namespace types. Values equal golang.org/x/sys/unix.CLONE_NEW*;
// they are spelled out here so that this file builds on every OS (a test on
// Linux checks them against unix).
const (
	Cgroup Type = 0x02000000 // unix.CLONE_NEWCGROUP
	IPC    Type = 0x08000000 // unix.CLONE_NEWIPC
	Mount  Type = 0x00020000 // unix.CLONE_NEWNS
	Net    Type = 0x40000000 // unix.CLONE_NEWNET
	PID    Type = 0x20000000 // unix.CLONE_NEWPID
	Time   Type = 0x00000080 // unix.CLONE_NEWTIME
	User   Type = 0x10000000 // unix.CLONE_NEWUSER
	UTS    Type = 0x04000000 // unix.CLONE_NEWUTS
)

// NumTypes is how many namespace types there are.
const NumTypes = 8

// Types lists every namespace type in pstree's order (cgroup, ipc, mnt, net,
// pid, user, uts, time), which is also the order of Type.Index.
var Types = [NumTypes]Type{Cgroup, IPC, Mount, Net, PID, User, UTS, Time}

var typeNames = [NumTypes]string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time"}

// Index returns the position of t in Types, or -1 for an unknown type. It lets
// per-process namespace sets be fixed-size arrays.
func (t Type) Index() int {
	switch t {
	case Cgroup:
		return 0
	case IPC:
		return 1
	case Mount:
		return 2
	case Net:
		return 3
	case PID:
		return 4
	case User:
		return 5
	case UTS:
		return 6
	case Time:
		return 7
	}
	return -1
}

// String returns the type's name as pstree, lsns and /proc/PID/ns spell it.
func (t Type) String() string {
	if i := t.Index(); i >= 0 {
		return typeNames[i]
	}
	return fmt.Sprintf("type(%#x)", uint32(t))
}

// ParseType returns the type named s ("mnt", "net", ...). "mount" is accepted
// for "mnt", as unshare spells it.
func ParseType(s string) (Type, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "mount" {
		name = "mnt"
	}
	for i, n := range typeNames {
		if n == name {
			return Types[i], nil
		}
	}
	return 0, fmt.Errorf("unknown namespace type %q (want one of %s)", s, strings.Join(typeNames[:], ", "))
}

// typeNamed returns the type the kernel spells name, exactly.
func typeNamed(name string) (Type, bool) {
	for i, n := range typeNames {
		if n == name {
			return Types[i], true
		}
	}
	return 0, false
}

// MarshalText encodes the type by name, so JSON says "pid", not 536870912.
func (t Type) MarshalText() ([]byte, error) {
	if t.Index() < 0 {
		return nil, fmt.Errorf("marshal namespace type %#x: unknown type", uint32(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes a type name.
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}
