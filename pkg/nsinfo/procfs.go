package nsinfo

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/prometheus/procfs"
)

// ProcFS is one mounted proc filesystem. FS serves the files that
// prometheus/procfs parses well (mountinfo, cgroup, fd lists); the per-process
// files on the hot path of a scan (stat, status, ns links) are read through
// Files, because procfs parses all of every file, allocates per line, and
// panics on some hostile stat contents.
type ProcFS struct {
	// Path is the mount point, usually "/proc".
	Path string
	// FS is prometheus/procfs over the same mount point.
	FS procfs.FS
	// Files reaches the files below Path. It is the OS by default; tests
	// replace it to inject errors at every read.
	Files Files
}

// Files is how a ProcFS reaches the files below its mount point. All paths
// are relative to the mount point.
type Files interface {
	// OpenProc opens the directory of one process ("1234", or "self").
	// Every file of that process is then read through the returned ProcDir,
	// so a PID reused mid-scan cannot mix two processes' facts: reads through
	// the directory of a process that has exited fail with ESRCH.
	OpenProc(pid int) (ProcDir, error)
	// ReadDirNames lists a directory, e.g. "." for the PIDs.
	ReadDirNames(name string) ([]string, error)
	// Readlink reads a symbolic link, e.g. "self".
	Readlink(name string) (string, error)
}

// ProcDir is one opened /proc/PID directory.
type ProcDir interface {
	// ReadFile reads the whole file name (e.g. "stat") into buf, growing it
	// as needed, and returns the filled slice.
	ReadFile(name string, buf []byte) ([]byte, error)
	// Readlink reads a link such as "ns/pid".
	Readlink(name string) (string, error)
	// ReadDirNames lists a subdirectory such as "task" or "fd".
	ReadDirNames(name string) ([]string, error)
	// Owner returns the UID that owns the directory, which is what pstree
	// and lsns show as the process's user.
	Owner() (uint32, error)
	// Close releases the directory.
	Close() error
}

// NewProcFS opens the proc filesystem mounted at path.
func NewProcFS(path string) (*ProcFS, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open proc filesystem %s: %w", path, err)
	}
	fs, err := procfs.NewFS(abs)
	if err != nil {
		return nil, fmt.Errorf("open proc filesystem %s: %w", path, err)
	}
	return &ProcFS{Path: abs, FS: fs, Files: OSFiles(abs)}, nil
}

// PIDs lists the numeric entries of the proc root, in directory order.
func (p *ProcFS) PIDs() ([]int, error) {
	if pl, ok := p.Files.(PIDLister); ok {
		pids, err := pl.ListPIDs()
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", p.Path, err)
		}
		return pids, nil
	}
	names, err := p.Files.ReadDirNames(".")
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", p.Path, err)
	}
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if n == "" || n[0] < '1' || n[0] > '9' {
			continue
		}
		if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// Join returns the absolute path of name below the mount point.
func (p *ProcFS) Join(elem ...string) string {
	return filepath.Join(append([]string{p.Path}, elem...)...)
}

// StatReader is implemented by Files that can read a process's stat file,
// and the UID that owns it, without opening the process's directory: the
// cheapest read when stat is all a scan needs. Scans use it when Files has
// it and fall back to OpenProc otherwise.
type StatReader interface {
	ReadStat(pid int, buf []byte) (stat []byte, uid uint32, err error)
}

// FDLinkReader is implemented by ProcDirs that can list the process's open
// file descriptors and read where each one's link points more cheaply than
// ReadDirNames("fd") and one Readlink("fd/N") each: with the fd directory
// opened relative to the process's own (so the same process), listed into
// buf and every link read without allocating. each is called with the
// descriptor's number and link text (valid only during the call); a link
// that vanished meanwhile is skipped. Scans use it when a ProcDir has it.
type FDLinkReader interface {
	ReadFDLinks(buf []byte, each func(fd int, link []byte)) ([]byte, error)
}

// PIDLister is implemented by Files that list the PIDs of the proc root
// without making a string of every name (OSFiles): at 10,000 processes
// that is a good part of what a refresh of the terminal UI costs. PIDs uses
// it when Files has it.
type PIDLister interface {
	ListPIDs() ([]int, error)
}
