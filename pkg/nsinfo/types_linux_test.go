package nsinfo

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The types are spelled out so that types.go builds everywhere; they must be
// the kernel's CLONE_NEW* flags.
func TestTypesAreCloneFlags(t *testing.T) {
	for _, tc := range []struct {
		typ  Type
		flag int
	}{
		{Cgroup, unix.CLONE_NEWCGROUP}, {IPC, unix.CLONE_NEWIPC}, {Mount, unix.CLONE_NEWNS},
		{Net, unix.CLONE_NEWNET}, {PID, unix.CLONE_NEWPID}, {Time, unix.CLONE_NEWTIME},
		{User, unix.CLONE_NEWUSER}, {UTS, unix.CLONE_NEWUTS},
	} {
		if uint32(tc.typ) != uint32(tc.flag) {
			t.Errorf("%v = %#x, unix says %#x", tc.typ, uint32(tc.typ), tc.flag)
		}
	}
}
