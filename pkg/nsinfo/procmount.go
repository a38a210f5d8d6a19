package nsinfo

import (
	"fmt"
	"os"
)

// ProcMount is how a proc filesystem is mounted, as far as what it lets
// nsview see.
type ProcMount struct {
	// Hidepid is the hidepid= option as the kernel shows it ("invisible",
	// "noaccess", "ptraceable", or 0-4 on older kernels); "" or "off" when
	// every process is listed and readable.
	Hidepid string
	// SubsetPID is subset=pid: only the process directories, none of the
	// system files (stat, loadavg, sys).
	SubsetPID bool
}

// Hiding reports whether the mount hides other users' processes: their
// directories are missing (hidepid=invisible, 2) or unreadable
// (hidepid=noaccess, 1; ptraceable, 4).
func (m ProcMount) Hiding() bool {
	return m.Hidepid != "" && m.Hidepid != "off" && m.Hidepid != "0"
}

// Warning returns the one-line warning for a mount that hides processes
// from the caller (not root), or "".
func (m ProcMount) Warning(procPath string) string {
	if !m.Hiding() || os.Geteuid() == 0 {
		return ""
	}
	switch m.Hidepid {
	case "invisible", "2":
		return fmt.Sprintf("%s is mounted with hidepid=%s: other users' processes are not listed; a process whose parent is hidden hangs from a hidden parent (?)", procPath, m.Hidepid)
	}
	return fmt.Sprintf("%s is mounted with hidepid=%s: other users' processes cannot be read and are left out", procPath, m.Hidepid)
}
