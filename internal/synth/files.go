package synth

import (
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// ProcFS returns an in-memory proc filesystem that serves the processes of
// s: stat, status (with NSpid), cmdline, cgroup and the namespace links of
// each, made once here so that a scan of it measures the scan's own work
// (parsing, allocation, collecting namespaces), not the kernel's. It has no
// fds, task lists, mounts or hierarchy.
func ProcFS(s *tree.Snapshot) *nsinfo.ProcFS {
	f := &files{byPID: make(map[int]*proc, len(s.Processes))}
	for i := range s.Processes {
		p := &s.Processes[i]
		f.pids = append(f.pids, strconv.Itoa(p.PID))
		f.byPID[p.PID] = newProc(p)
	}
	return &nsinfo.ProcFS{Path: "/synthetic-proc", Files: f}
}

type files struct {
	pids  []string
	byPID map[int]*proc
}

// proc is one process's files.
type proc struct {
	files map[string][]byte
	links map[string]string
}

func newProc(p *tree.Process) *proc {
	chain := make([]string, len(p.NSpid))
	for i, n := range p.NSpid {
		chain[i] = strconv.Itoa(n)
	}
	nspid := strings.Join(chain, "\t")
	stat := strconv.Itoa(p.PID) + " (" + p.Comm + ") " + p.State + " " + strconv.Itoa(p.PPID) + " " + strconv.Itoa(p.PGID) + " " +
		strconv.Itoa(p.SID) + " 0 -1 4194560 100 0 0 0 3 4 0 0 20 0 " + strconv.Itoa(p.NumThreads) + " 0 " +
		strconv.FormatUint(p.StartTime, 10) + " 5428 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	status := "Name:\t" + p.Comm + "\nUmask:\t0022\nState:\t" + p.State + " (sleeping)\nTgid:\t" + strconv.Itoa(p.PID) +
		"\nNgid:\t0\nPid:\t" + strconv.Itoa(p.PID) + "\nPPid:\t" + strconv.Itoa(p.PPID) +
		"\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\nNStgid:\t" + nspid +
		"\nNSpid:\t" + nspid + "\nNSpgid:\t" + nspid + "\nNSsid:\t" + nspid +
		"\nKthread:\t0\nVmPeak:\t    5428 kB\nVmSize:\t    5428 kB\nThreads:\t" + strconv.Itoa(p.NumThreads) + "\nSigQ:\t0/94661\n"
	pr := &proc{
		files: map[string][]byte{
			"stat":    []byte(stat),
			"status":  []byte(status),
			"cmdline": []byte(strings.Join(p.Cmdline, "\x00") + "\x00"),
			"cgroup":  []byte("0::" + p.Cgroup + "\n"),
		},
		links: map[string]string{"ns/pid_for_children": nsinfo.ID{Type: nsinfo.PID, Ino: p.PIDForChildren}.String()},
	}
	for i, t := range nsinfo.Types {
		pr.links["ns/"+t.String()] = nsinfo.ID{Type: t, Ino: p.NS[i]}.String()
	}
	return pr
}

func notExist(name string) error { return &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist} }

func (f *files) OpenProc(pid int) (nsinfo.ProcDir, error) {
	p, ok := f.byPID[pid]
	if !ok {
		return nil, notExist(strconv.Itoa(pid))
	}
	return dir{p}, nil
}

func (f *files) ReadDirNames(name string) ([]string, error) {
	if name != "." {
		return nil, notExist(name)
	}
	return slices.Clone(f.pids), nil
}

func (f *files) Readlink(name string) (string, error) { return "", notExist(name) }

type dir struct{ p *proc }

func (d dir) ReadFile(name string, buf []byte) ([]byte, error) {
	b, ok := d.p.files[name]
	if !ok {
		return buf[:0], notExist(name)
	}
	return append(buf[:0], b...), nil
}

func (d dir) Readlink(name string) (string, error) {
	s, ok := d.p.links[name]
	if !ok {
		return "", notExist(name)
	}
	return s, nil
}

func (d dir) ReadDirNames(name string) ([]string, error) { return nil, notExist(name) }
func (d dir) Owner() (uint32, error)                     { return 0, nil }
func (d dir) Close() error                               { return nil }
