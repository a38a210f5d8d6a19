package tree

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// DefaultRecheck is how many scans a Rescanner lets pass before it reads a
// known process in full again.
const DefaultRecheck = 10

// Rescanner scans one proc mount again and again, as a live view refreshes,
// and reads in full only what it has not seen before.
//
// A process is known when the previous scan saw the same PID with the same
// start time. For a known process only its stat file is read (parent, group,
// session, state, name, CPU time): its NSpid chain and its PID namespace
// never change, so they are kept. What can change but rarely does (the
// other namespace links after setns or unshare, the owner after setuid, the
// cgroup, the command line without a change of name) is read again once
// every Recheck scans, spread over the scans by PID so that each scan reads
// about 1/Recheck of the processes in full. The command line is also read
// again whenever the name changes (an exec). Namespaces seen before keep
// what the kernel said about them; new ones are asked.
//
// A Rescanner is not safe for concurrent use: one Scan at a time.
type Rescanner struct {
	Proc    *nsinfo.ProcFS
	Options Options
	// Recheck is how often, in scans, a known process is read in full; 0
	// means DefaultRecheck, 1 reads everything every time.
	Recheck int

	prev  *Snapshot
	round int
}

// NewRescanner returns a Rescanner of proc that reads what opts asks for.
func NewRescanner(proc *nsinfo.ProcFS, opts Options) *Rescanner {
	return &Rescanner{Proc: proc, Options: opts}
}

// Reset forgets the previous scan, so that the next one reads everything.
func (r *Rescanner) Reset() { r.prev = nil }

// Scan reads the proc mount, reusing what the previous Scan read for
// processes that are still the same. Its outcomes are those of Scan. A
// panic in one of its reading goroutines is raised again in the caller's,
// where it can be recovered.
func (r *Rescanner) Scan() (*Snapshot, error) {
	s, err := rescan(r.Proc, r.Options, r.prev, r.recheck(), r.round)
	if err != nil {
		return nil, err
	}
	r.prev = s
	r.round++
	return s, nil
}

func (r *Rescanner) recheck() int {
	if r.Recheck <= 0 {
		return DefaultRecheck
	}
	return r.Recheck
}

// workerPanic carries a panic from a reading goroutine to the caller.
type workerPanic struct {
	value any
	stack []byte
}

func (w *workerPanic) String() string {
	return fmt.Sprintf("scan worker: %v\n\n%s", w.value, w.stack)
}

func rescan(proc *nsinfo.ProcFS, opts Options, prev *Snapshot, recheck, round int) (*Snapshot, error) {
	start := time.Now()
	pids, err := proc.PIDs()
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	s := &Snapshot{
		Schema:     SchemaVersion,
		Taken:      start.UTC(),
		ProcPath:   proc.Path,
		ClockTicks: clockTicks,
		Read:       opts,
	}
	s.Read.Workers = 0
	real := proc.Real()
	if !real {
		s.Read.Hierarchy = false
	}
	if real {
		s.Caller = proc.CheckCaller()
		if w := s.Caller.Warning(proc.Path); w != "" {
			s.Warnings = append(s.Warnings, w)
		}
		if prev != nil {
			s.Hostname, s.Kernel = prev.Hostname, prev.Kernel
		} else {
			s.Hostname, _ = os.Hostname()
			s.Kernel = kernelRelease()
		}
	}
	if prev != nil && !prev.BootTime.IsZero() {
		s.BootTime = prev.BootTime
	} else if st, err := proc.FS.Stat(); err == nil && st.BootTime > 0 {
		s.BootTime = time.Unix(int64(st.BootTime), 0).UTC()
	}
	// Reusing facts is only right when the previous scan read the same
	// ones.
	if prev != nil && (prev.ProcPath != proc.Path || !sameFacts(prev.Read, s.Read)) {
		prev = nil
	}

	results := make([]procResult, len(pids))
	workers := opts.Workers
	if workers <= 0 {
		workers = max(2, runtime.GOMAXPROCS(0))
	}
	workers = min(workers, max(1, len(pids)))
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Pointer[workerPanic]
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					panicked.CompareAndSwap(nil, &workerPanic{value: v, stack: debug.Stack()})
				}
			}()
			rd := reader{proc: proc, opts: opts}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(pids) {
					return
				}
				pid := pids[i]
				var old *Process
				if prev != nil {
					old, _ = prev.Proc(pid)
				}
				if old == nil || (pid+round)%recheck == 0 {
					results[i] = rd.read(pid)
				} else {
					results[i] = rd.reread(pid, old)
				}
			}
		}()
	}
	wg.Wait()
	if p := panicked.Load(); p != nil {
		panic(p.String())
	}

	s.Processes = make([]Process, 0, len(pids))
	for i := range results {
		r := &results[i]
		switch {
		case r.outcome == outcomeVanished:
			s.Unreadable.Vanished++
			continue
		case r.outcome == outcomeDenied:
			s.Unreadable.Denied++
		case r.outcome == outcomeFailed:
			s.Unreadable.Failed++
			if len(s.Unreadable.Errors) < maxErrors {
				s.Unreadable.Errors = append(s.Unreadable.Errors, r.err.Error())
			}
		}
		if r.ok {
			s.Processes = append(s.Processes, r.p)
		}
	}
	hierarchy := s.Read.Hierarchy
	s.Read.Hierarchy = false
	s.collectNamespaces(proc)
	s.Read.Hierarchy = hierarchy
	if hierarchy {
		s.inspectNamespaces(proc, prev, round%recheck == 0)
	}
	s.Sort()
	return s, nil
}

// sameFacts reports whether two scans read the same facts.
func sameFacts(a, b Options) bool {
	a.Workers, b.Workers = 0, 0
	return a == b
}

// reread reads the stat file of a process the previous scan saw as old.
// When the start time still matches it is the same process: the result is
// old with what stat says updated, and the command line read again if the
// name changed. Otherwise the PID was reused and the process is read in
// full.
func (r *reader) reread(pid int, old *Process) procResult {
	dir, err := r.proc.Files.OpenProc(pid)
	if err != nil {
		return failure(err)
	}
	res, same := r.rereadDir(dir, pid, old)
	dir.Close()
	if !same {
		return r.read(pid)
	}
	return res
}

// rereadDir is reread on an opened directory; same is false when the PID
// now names another process.
func (r *reader) rereadDir(dir nsinfo.ProcDir, pid int, old *Process) (res procResult, same bool) {
	var err error
	r.buf, err = dir.ReadFile("stat", r.buf)
	if err == nil && len(r.buf) == 0 {
		err = fmt.Errorf("read %s/%d/stat: %w: empty", r.proc.Path, pid, nsinfo.ErrVanished)
	}
	if err != nil {
		return failure(err), true
	}
	st, err := nsinfo.ParseStat(r.buf)
	if err != nil {
		return failure(fmt.Errorf("read %s/%d/stat: %w", r.proc.Path, pid, err)), true
	}
	if st.StartTime != old.StartTime {
		return procResult{}, false
	}
	res = procResult{p: *old, ok: true}
	p := &res.p
	p.PPID, p.PGID, p.SID = st.PPID, st.PGID, st.SID
	p.State = string(st.State)
	p.CPUTime = st.UTime + st.STime
	p.NumThreads = st.NumThreads
	zombie := st.State == 'Z' || st.State == 'X'
	wasZombie := old.State == "Z" || old.State == "X"
	if r.opts.Cmdline && (st.Comm != old.Comm || zombie != wasZombie) {
		// An exec (new name) or an exit (a zombie's command line is
		// empty) changed the arguments.
		r.buf, err = dir.ReadFile("cmdline", r.buf)
		switch {
		case err == nil:
			p.Cmdline, p.CmdlineUnterminated = splitCmdline(r.buf)
		case nsinfo.IsVanished(err):
			return procResult{outcome: outcomeVanished, err: err}, true
		default:
			p.Cmdline, p.CmdlineUnterminated = nil, false
		}
	}
	p.Comm = st.Comm
	if r.opts.Threads {
		p.Threads = nil
		if st.NumThreads > 1 {
			r.readThreads(dir, p, func(err error) bool { return err == nil })
		}
	}
	if p.Denied {
		res.outcome = outcomeDenied
	}
	return res, true
}

// inspectNamespaces asks the kernel about each namespace, as Scan does,
// except that namespaces the previous scan already asked about keep its
// answer unless all is to be asked again.
func (s *Snapshot) inspectNamespaces(proc *nsinfo.ProcFS, prev *Snapshot, all bool) {
	for i := range s.Namespaces {
		n := &s.Namespaces[i]
		if !all && prev != nil && prev.Read.Hierarchy {
			if old, ok := prev.Namespace(n.ID()); ok {
				n.KernelID, n.Parent, n.Owner, n.OwnerUID = old.KernelID, old.Parent, old.Owner, old.OwnerUID
				continue
			}
		}
		info, err := nsinfo.Inspect(proc.Join(strconv.Itoa(n.PID), "ns", n.Type.String()))
		if err != nil || info.ID != n.ID() {
			// Gone, unreadable, or the PID was reused since it was read.
			continue
		}
		n.KernelID = info.KernelID
		n.Parent = info.Parent.Ino
		n.Owner = info.Owner.Ino
		n.OwnerUID = info.OwnerUID
	}
}
