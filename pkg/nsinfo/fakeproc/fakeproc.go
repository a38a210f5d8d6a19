package fakeproc

import (
	"io/fs"
	"path"
	"strconv"
	"sync"
	"syscall"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// Fault is what an injected read does instead of reading.
type Fault uint8

// The faults. The errors come back as *fs.PathError holding the errno, as
// any Files implementation might return them.
const (
	ENOENT Fault = iota + 1 // the file is gone: the process exited
	ESRCH                   // the process is gone (reads through a dead process's directory)
	EACCES                  // permission denied
	EINTR                   // the call was interrupted by a signal
	Short                   // the read succeeds with the first half of the data
	Empty                   // the read succeeds with nothing: empty file, empty link text, empty directory
)

// Faults lists every fault, for tests that try each.
var Faults = []Fault{ENOENT, ESRCH, EACCES, EINTR, Short, Empty}

func (f Fault) String() string {
	switch f {
	case ENOENT:
		return "ENOENT"
	case ESRCH:
		return "ESRCH"
	case EACCES:
		return "EACCES"
	case EINTR:
		return "EINTR"
	case Short:
		return "short"
	case Empty:
		return "empty"
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

func (f Fault) errno() syscall.Errno {
	switch f {
	case ENOENT:
		return syscall.ENOENT
	case ESRCH:
		return syscall.ESRCH
	case EACCES:
		return syscall.EACCES
	case EINTR:
		return syscall.EINTR
	}
	return 0
}

// The names of the reads that are not files below /proc/PID.
const (
	// Open is OpenProc of the process's directory.
	Open = "open"
	// Owner is ProcDir.Owner, the stat of the directory.
	Owner = "owner"
	// Root is the listing of the proc root, and Self its "self" link:
	// only rules naming them exactly match them, whatever their PID.
	Root = "/"
	Self = "/self"
)

// Rule selects reads to fault.
type Rule struct {
	// PID selects the process; 0 selects every process.
	PID int
	// File is a path.Match pattern of the name read below /proc/PID, as the
	// scanner names it: "stat", "status", "cmdline", "cgroup", "task",
	// "task/*/stat", "ns/pid", "ns/*", or Open or Owner; "" selects every
	// read. Root and Self name the proc root's reads.
	File string
	// Fault is what happens instead.
	Fault Fault
	// Times limits the rule to its first n matches; 0 means every match.
	Times int
}

// Files is an nsinfo.Files that injects faults. It is safe for concurrent
// use, as the scanner's workers need.
type Files struct {
	inner nsinfo.Files

	mu       sync.Mutex
	rules    []Rule
	used     []int        // matches per rule
	injected map[read]int // faults injected
}

type read struct {
	pid  int
	name string
}

// Wrap returns inner with the rules applied, first matching rule first.
func Wrap(inner nsinfo.Files, rules ...Rule) *Files {
	return &Files{inner: inner, rules: rules, used: make([]int, len(rules)), injected: make(map[read]int)}
}

// Injected returns how many faults were injected into reads of name by
// process pid (pid 0 and name "" count every process and every name).
func (f *Files) Injected(pid int, name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, v := range f.injected {
		if (pid == 0 || k.pid == pid) && (name == "" || k.name == name) {
			n += v
		}
	}
	return n
}

// fault returns the fault for a read of name by pid, None if none.
func (f *Files) fault(pid int, name string) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if name == Root || name == Self {
			if r.File != name {
				continue
			}
		} else if r.PID != 0 && r.PID != pid {
			continue
		} else if r.File != "" {
			if ok, err := path.Match(r.File, name); err != nil || !ok {
				continue
			}
		}
		if r.Times > 0 && f.used[i] >= r.Times {
			continue
		}
		f.used[i]++
		f.injected[read{pid, name}]++
		return r.Fault
	}
	return 0
}

func pathError(op, name string, f Fault) error {
	return &fs.PathError{Op: op, Path: name, Err: f.errno()}
}

// OpenProc opens the process's directory, or fails as a rule says.
func (f *Files) OpenProc(pid int) (nsinfo.ProcDir, error) {
	name := strconv.Itoa(pid)
	if fault := f.fault(pid, Open); fault.errno() != 0 {
		return nil, pathError("open", name, fault)
	}
	d, err := f.inner.OpenProc(pid)
	if err != nil {
		return nil, err
	}
	return &procDir{files: f, inner: d, pid: pid, name: name}, nil
}

// ReadDirNames lists a directory of the proc root.
func (f *Files) ReadDirNames(name string) ([]string, error) {
	fault := f.fault(0, Root)
	if e := fault.errno(); e != 0 {
		return nil, pathError("open", name, fault)
	}
	names, err := f.inner.ReadDirNames(name)
	return shortNames(names, fault), err
}

// Readlink reads a link of the proc root.
func (f *Files) Readlink(name string) (string, error) {
	fault := f.fault(0, Self)
	if e := fault.errno(); e != 0 {
		return "", pathError("readlink", name, fault)
	}
	s, err := f.inner.Readlink(name)
	return shortString(s, fault), err
}

type procDir struct {
	files *Files
	inner nsinfo.ProcDir
	pid   int
	name  string
}

func (d *procDir) ReadFile(name string, buf []byte) ([]byte, error) {
	fault := d.files.fault(d.pid, name)
	if e := fault.errno(); e != 0 {
		return buf[:0], pathError("read", d.name+"/"+name, fault)
	}
	b, err := d.inner.ReadFile(name, buf)
	if err != nil {
		return b, err
	}
	switch fault {
	case Short:
		b = b[:len(b)/2]
	case Empty:
		b = b[:0]
	}
	return b, nil
}

func (d *procDir) Readlink(name string) (string, error) {
	fault := d.files.fault(d.pid, name)
	if e := fault.errno(); e != 0 {
		return "", pathError("readlink", d.name+"/"+name, fault)
	}
	s, err := d.inner.Readlink(name)
	if err != nil {
		return s, err
	}
	return shortString(s, fault), nil
}

func (d *procDir) ReadDirNames(name string) ([]string, error) {
	fault := d.files.fault(d.pid, name)
	if e := fault.errno(); e != 0 {
		return nil, pathError("open", d.name+"/"+name, fault)
	}
	names, err := d.inner.ReadDirNames(name)
	if err != nil {
		return names, err
	}
	return shortNames(names, fault), nil
}

func (d *procDir) Owner() (uint32, error) {
	fault := d.files.fault(d.pid, Owner)
	if e := fault.errno(); e != 0 {
		return 0, pathError("stat", d.name, fault)
	}
	return d.inner.Owner()
}

func (d *procDir) Close() error { return d.inner.Close() }

func shortString(s string, f Fault) string {
	switch f {
	case Short:
		return s[:len(s)/2]
	case Empty:
		return ""
	}
	return s
}

func shortNames(names []string, f Fault) []string {
	switch f {
	case Short:
		return names[:len(names)/2]
	case Empty:
		return names[:0]
	}
	return names
}

// WithStatReader returns f with the fast path of the OS Files
// (nsinfo.StatReader: a process's stat read by path, with the UID that owns
// it), so that scans and rescans take it on a fixture too. ReadStat is
// faulted by the rules for "stat" (the read) and Owner (the UID).
func (f *Files) WithStatReader() nsinfo.Files { return statFiles{f} }

type statFiles struct{ *Files }

func (s statFiles) ReadStat(pid int, buf []byte) ([]byte, uint32, error) {
	name := strconv.Itoa(pid) + "/stat"
	fault := s.fault(pid, "stat")
	if e := fault.errno(); e != 0 {
		return buf[:0], 0, pathError("read", name, fault)
	}
	var (
		b   []byte
		uid uint32
		err error
	)
	if sr, ok := s.inner.(nsinfo.StatReader); ok {
		b, uid, err = sr.ReadStat(pid, buf)
	} else {
		var d nsinfo.ProcDir
		if d, err = s.inner.OpenProc(pid); err != nil {
			return buf[:0], 0, err
		}
		b, err = d.ReadFile("stat", buf)
		if err == nil {
			uid, err = d.Owner()
		}
		d.Close()
	}
	if err != nil {
		return b, 0, err
	}
	switch fault {
	case Short:
		b = b[:len(b)/2]
	case Empty:
		b = b[:0]
	}
	if of := s.fault(pid, Owner); of.errno() != 0 {
		return b, 0, pathError("stat", name, of)
	}
	return b, uid, nil
}
