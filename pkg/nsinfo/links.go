package nsinfo

import (
	"errors"
	"fmt"
	"syscall"
)

// Links is what one process's /proc/PID/ns directory says.
type Links struct {
	// NS holds the eight namespaces; an entry is 0 where its link could
	// not be read or the kernel lacks the type.
	NS Set
	// PIDForChildren is the PID namespace the process's next children will
	// be in (after unshare(CLONE_NEWPID) it differs from NS's pid entry).
	PIDForChildren uint64
}

// linkNames are the ns entries read for a process, in Types order, then
// pid_for_children.
var linkNames = [NumTypes + 1]string{
	"ns/cgroup", "ns/ipc", "ns/mnt", "ns/net", "ns/pid", "ns/user", "ns/uts", "ns/time",
	"ns/pid_for_children",
}

// bufLinker is a ProcDir that reads a link into a buffer of its own
// without allocating, given its name as NUL-terminated text (OSFiles'
// directories). The link is valid until the next read.
type bufLinker interface {
	readlinkZ(nameZ string) ([]byte, error)
}

// linkNamesZ are linkNames, NUL-terminated for bufLinker.
var linkNamesZ = func() (z [NumTypes + 1]string) {
	for i, n := range linkNames {
		z[i] = n + "\x00"
	}
	return z
}()

// alwaysThere says which links every kernel nsview runs on has: NSpid came
// in Linux 4.1, and ipc, mnt, net, pid, user and uts links were all there by
// 3.8. The cgroup (4.6) and time (5.6) links and pid_for_children (4.12)
// may be missing; pid_for_children also reads ENOENT after
// unshare(CLONE_NEWPID) until the first child is born.
var alwaysThere = [NumTypes + 1]bool{
	false, true, true, true, true, true, true, false,
	false,
}

// ReadLinks reads the eight namespace links and pid_for_children of the
// process whose directory is dir. Outcomes: a link that every kernel has
// gone (ENOENT, ESRCH) means the process vanished, or is exiting and has
// dropped its namespaces already (so does a zombie), and the error wraps
// ErrVanished; any link denied gives the readable rest and an error wrapping
// ErrDenied; a cgroup, time or pid_for_children link missing alone means the
// kernel lacks it (or, for pid_for_children, has none yet) and is left 0
// without error.
func ReadLinks(dir ProcDir) (Links, error) { return readLinks(dir, linkNames[:]) }

// ReadNamespaceLinks reads the eight namespace links only, leaving
// PIDForChildren 0: one readlink fewer per process, for scans that do not
// show pid_for_children. Outcomes are ReadLinks's.
func ReadNamespaceLinks(dir ProcDir) (Links, error) { return readLinks(dir, linkNames[:NumTypes]) }

func readLinks(dir ProcDir, names []string) (Links, error) {
	var l Links
	var firstGone, firstDenied, other error
	bl, _ := dir.(bufLinker)
	for i, name := range names {
		var link []byte
		var err error
		if bl != nil {
			link, err = bl.readlinkZ(linkNamesZ[i])
		} else {
			var s string
			s, err = dir.Readlink(name)
			link = []byte(s)
		}
		if err != nil {
			switch {
			case IsVanished(err):
				// ESRCH says the process is gone, whichever link.
				if (alwaysThere[i] || errors.Is(err, syscall.ESRCH)) && firstGone == nil {
					firstGone = err
				}
			case IsDenied(err):
				if firstDenied == nil {
					firstDenied = err
				}
			default:
				if other == nil {
					other = err
				}
			}
			continue
		}
		id, ok := ParseLink(link)
		if !ok {
			if other == nil {
				_, err := ParseID(string(link)) // says why
				other = fmt.Errorf("readlink %s: %w", name, err)
			}
			continue
		}
		want := PID // pid_for_children
		if i < NumTypes {
			want = Types[i]
		}
		if id.Type != want {
			if other == nil {
				other = fmt.Errorf("readlink %s: %w: link says %s", name, ErrMalformed, id.Type)
			}
			continue
		}
		if i < NumTypes {
			l.NS[i] = id.Ino
		} else {
			l.PIDForChildren = id.Ino
		}
	}
	switch {
	case firstGone != nil:
		return l, firstGone
	case other != nil:
		return l, other
	case firstDenied != nil:
		return l, firstDenied
	}
	return l, nil
}
