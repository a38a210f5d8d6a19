package nsinfo

import (
	"golang.org/x/sys/unix"
)

// OpenNS opens an nsfs file (a /proc/PID/ns link, a bind mount of one, or a
// /proc/PID/fd/N link to one) and returns the fd. The caller closes it.
func OpenNS(path string) (int, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, wrap("open", path, err)
	}
	return fd, nil
}

// CloseNS closes an fd returned by OpenNS.
func CloseNS(fd int) { unix.Close(fd) }

// Hierarchy inspects the namespace open at fd and every namespace above it
// that known does not already know: its parents (NS_GET_PARENT, for PID and
// user namespaces) and owners (NS_GET_USERNS), their parents and owners, and
// so on up to the root or the edge of the caller's reach (where the kernel
// answers EPERM). Each relative is held open while it is inspected, which is
// the only way to reach a namespace that no process is in any more: an
// intermediate PID namespace whose processes all moved below, or a user
// namespace that only owns other namespaces. The first Info is fd's own.
//
// The walk is iterative and visits each namespace once, so it ends on any
// kernel (nesting is at most 32 levels of each kind).
func Hierarchy(fd int, known func(ID) bool) ([]Info, error) {
	start, err := InspectFD(fd)
	if err != nil {
		return nil, err
	}
	out := []Info{start}
	seen := map[ID]bool{start.ID: true}
	type open struct {
		fd   int
		info Info
	}
	stack := []open{{fd: -1, info: start}}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		from := top.fd
		if from < 0 {
			from = fd
		}
		for _, rel := range [2]struct {
			id  ID
			req uint
		}{{top.info.Parent, nsGetParent}, {top.info.Owner, nsGetUserns}} {
			if rel.id.IsZero() || seen[rel.id] || (known != nil && known(rel.id)) {
				continue
			}
			seen[rel.id] = true
			rfd, err := unix.IoctlRetInt(from, rel.req)
			if err != nil {
				continue
			}
			info, err := InspectFD(rfd)
			if err != nil || info.ID != rel.id {
				// The relative changed between the two ioctls: a
				// namespace that was being torn down. Leave it.
				unix.Close(rfd)
				continue
			}
			out = append(out, info)
			stack = append(stack, open{fd: rfd, info: info})
		}
		if top.fd >= 0 {
			unix.Close(top.fd)
		}
	}
	return out, nil
}

// Parents returns fds of the ancestors of the PID or user namespace open at
// fd, nearest first, up to the root or to the first one outside the
// caller's reach (NS_GET_PARENT answers EPERM above the caller's own
// namespace). The caller closes them.
func Parents(fd int) ([]int, error) {
	var fds []int
	cur := fd
	for range MaxPIDDepth + 1 {
		p, err := unix.IoctlRetInt(cur, nsGetParent)
		if err != nil {
			if err == unix.EPERM {
				return fds, nil
			}
			for _, f := range fds {
				unix.Close(f)
			}
			return nil, wrap("ioctl NS_GET_PARENT", "nsfs fd", err)
		}
		fds = append(fds, p)
		cur = p
	}
	return fds, nil
}

// IDOfFD returns the namespace identity of an nsfs fd.
func IDOfFD(fd int) (ID, error) { return idOfFD(fd) }
