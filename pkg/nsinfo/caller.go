package nsinfo

import (
	"fmt"
	"os"
	"strconv"
)

// Caller is the process running nsview, as seen through one proc mount.
type Caller struct {
	// PID is getpid(): the caller's PID in its own PID namespace.
	PID int `json:"pid"`
	// ProcSelf is the PID that the proc mount's "self" link names: the
	// caller's PID in the mount's PID namespace, 0 if the caller has none
	// there (the mount belongs to a namespace the caller is not in).
	ProcSelf int `json:"proc_self"`
	// ForeignProc is true when the proc mount belongs to another PID
	// namespace than the caller's: after `nsenter -p` without -m, or
	// `unshare -p -f` without --mount-proc, /proc still shows the old
	// namespace, and every PID read from it is numbered as that one numbers
	// them, not as the caller's getpid() and kill() do.
	ForeignProc bool `json:"foreign_proc"`
}

// CheckCaller compares /proc/self with getpid(). It is meaningful only on a
// real proc mount (not on a fixture directory); Real tells which.
func (p *ProcFS) CheckCaller() Caller {
	c := Caller{PID: os.Getpid()}
	if s, err := p.Files.Readlink("self"); err == nil {
		if n, err := strconv.Atoi(s); err == nil {
			c.ProcSelf = n
		}
	}
	c.ForeignProc = c.ProcSelf != c.PID
	return c
}

// Warning returns the one-line warning for a foreign proc mount, or "".
func (c Caller) Warning(procPath string) string {
	if !c.ForeignProc {
		return ""
	}
	if c.ProcSelf == 0 {
		return fmt.Sprintf("%s belongs to another PID namespace, in which nsview (PID %d) has no PID: PIDs shown are that namespace's; mount a proc of your own (unshare --mount-proc, or nsenter -m)", procPath, c.PID)
	}
	return fmt.Sprintf("%s belongs to another PID namespace than nsview's (%s/self is %d, getpid() is %d): PIDs shown are that namespace's; mount a proc of your own (unshare --mount-proc, or nsenter -m)", procPath, procPath, c.ProcSelf, c.PID)
}
