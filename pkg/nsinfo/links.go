package nsinfo

import (
	"errors"
	"fmt"
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

// ReadLinks reads the eight namespace links and pid_for_children of the
// process whose directory is dir. Outcomes: every link gone means the
// process vanished (or is a zombie, whose links are gone too) and the error
// wraps ErrVanished; any link denied gives the readable rest and an error
// wrapping ErrDenied; a link missing alone means the kernel lacks that type
// and is left 0 without error.
func ReadLinks(dir ProcDir) (Links, error) {
	var l Links
	var gone, denied int
	var firstDenied, other error
	for i, name := range linkNames {
		s, err := dir.Readlink(name)
		if err != nil {
			switch {
			case IsVanished(err):
				gone++
			case IsDenied(err):
				denied++
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
		id, err := ParseID(s)
		if err != nil {
			if other == nil {
				other = fmt.Errorf("readlink %s: %w", name, err)
			}
			continue
		}
		if i == NumTypes {
			if id.Type == PID {
				l.PIDForChildren = id.Ino
			}
			continue
		}
		if id.Type != Types[i] {
			if other == nil {
				other = fmt.Errorf("readlink %s: %w: link says %s", name, ErrMalformed, id.Type)
			}
			continue
		}
		l.NS[i] = id.Ino
	}
	switch {
	case gone == len(linkNames):
		return l, &ReadError{Op: "readlink", Path: "ns/*", Kind: ErrVanished, Err: errors.New("no namespace link is left")}
	case other != nil:
		return l, other
	case denied > 0:
		return l, firstDenied
	}
	return l, nil
}
