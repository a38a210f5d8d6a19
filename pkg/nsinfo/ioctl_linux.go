package nsinfo

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The nsfs ioctls (include/uapi/linux/nsfs.h). golang.org/x/sys/unix does not
// define them.
const (
	nsio               = 0xb7
	nsGetUserns        = nsio<<8 | 0x1                 // _IO(NSIO, 0x1)
	nsGetParent        = nsio<<8 | 0x2                 // _IO(NSIO, 0x2)
	nsGetNstype        = nsio<<8 | 0x3                 // _IO(NSIO, 0x3)
	nsGetOwnerUID      = nsio<<8 | 0x4                 // _IO(NSIO, 0x4)
	nsGetPIDFromPIDNS  = 2<<30 | 4<<16 | nsio<<8 | 0x6 // _IOR(NSIO, 0x6, int)
	nsGetTGIDFromPIDNS = 2<<30 | 4<<16 | nsio<<8 | 0x7 // _IOR(NSIO, 0x7, int)
	nsGetPIDInPIDNS    = 2<<30 | 4<<16 | nsio<<8 | 0x8 // _IOR(NSIO, 0x8, int)
	nsGetTGIDInPIDNS   = 2<<30 | 4<<16 | nsio<<8 | 0x9 // _IOR(NSIO, 0x9, int)
	nsGetID            = 2<<30 | 8<<16 | nsio<<8 | 0xd // _IOR(NSIO, 0xd, __u64), Linux 6.18
)

// Inspect opens the nsfs file at path (/proc/PID/ns/TYPE, a bind mount of
// one, or /proc/PID/fd/N) and asks the kernel about the namespace.
func Inspect(path string) (Info, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return Info{OwnerUID: -1}, wrap("open", path, err)
	}
	defer unix.Close(fd)
	info, err := InspectFD(fd)
	if err != nil {
		return info, fmt.Errorf("inspect %s: %w", path, err)
	}
	return info, nil
}

// InspectFD asks the kernel about the namespace that fd refers to.
func InspectFD(fd int) (Info, error) {
	info := Info{OwnerUID: -1}
	id, err := idOfFD(fd)
	if err != nil {
		return info, err
	}
	info.ID = id
	var kid uint64
	if err := ioctlPtr(fd, nsGetID, unsafe.Pointer(&kid)); err == nil {
		info.KernelID = kid
	}
	if id.Type.Hierarchical() {
		info.Parent, _ = relative(fd, nsGetParent)
	}
	info.Owner, _ = relative(fd, nsGetUserns)
	if id.Type == User {
		var uid uint32
		if err := ioctlPtr(fd, nsGetOwnerUID, unsafe.Pointer(&uid)); err == nil {
			info.OwnerUID = int64(uid)
		}
	}
	return info, nil
}

// idOfFD returns the namespace identity of an nsfs fd: its type from
// NS_GET_NSTYPE and its inode number from fstat.
func idOfFD(fd int) (ID, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return ID{}, wrap("fstat", "nsfs fd", err)
	}
	t, err := unix.IoctlRetInt(fd, nsGetNstype)
	if err != nil {
		return ID{}, wrap("ioctl NS_GET_NSTYPE", "nsfs fd", err)
	}
	typ := Type(t)
	if typ.Index() < 0 {
		return ID{}, fmt.Errorf("ioctl NS_GET_NSTYPE: %w: type %#x", ErrMalformed, t)
	}
	return ID{Type: typ, Ino: st.Ino}, nil
}

// relative follows NS_GET_PARENT or NS_GET_USERNS from fd. EPERM (the
// relative is outside the caller's namespaces, or fd is a root) yields a
// zero ID and ErrDenied.
func relative(fd int, req uint) (ID, error) {
	rfd, err := unix.IoctlRetInt(fd, req)
	if err != nil {
		return ID{}, wrap("ioctl", "nsfs fd", err)
	}
	defer unix.Close(rfd)
	return idOfFD(rfd)
}

func ioctlPtr(fd int, req uint, arg unsafe.Pointer) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return errno
	}
	return nil
}

// ErrNoKernelTranslation is returned by the PID translation functions where
// the kernel lacks NS_GET_PID_FROM_PIDNS and friends (before Linux 6.11), so
// callers fall back to NSpid chains.
var ErrNoKernelTranslation = errors.New("kernel cannot translate PIDs between namespaces (needs Linux 6.11)")

// PIDFromNS maps pid, as numbered in the PID namespace of pidnsFD, to the
// calling thread's PID namespace. thread selects the TID (not TGID) variant.
func PIDFromNS(pidnsFD, pid int, thread bool) (int, error) {
	req := uint(nsGetTGIDFromPIDNS)
	if thread {
		req = nsGetPIDFromPIDNS
	}
	return translate(pidnsFD, req, pid)
}

// PIDInNS maps pid, as numbered in the calling thread's PID namespace, to the
// PID namespace of pidnsFD.
func PIDInNS(pidnsFD, pid int, thread bool) (int, error) {
	req := uint(nsGetTGIDInPIDNS)
	if thread {
		req = nsGetPIDInPIDNS
	}
	return translate(pidnsFD, req, pid)
}

func translate(fd int, req uint, pid int) (int, error) {
	r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(pid))
	switch {
	case errno == unix.ENOTTY:
		return 0, ErrNoKernelTranslation
	case errno == unix.ESRCH:
		return 0, &ReadError{Op: "translate", Path: fmt.Sprintf("pid %d", pid), Kind: ErrVanished, Err: errno}
	case errno != 0:
		return 0, wrap("translate", fmt.Sprintf("pid %d", pid), errno)
	}
	return int(r), nil
}
