package tree

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// Options says which facts a scan reads. Each costs syscalls per process, so
// commands ask only for what they show.
type Options struct {
	// Threads lists each multi-threaded process's threads (task/).
	Threads bool `json:"threads"`
	// ThreadNames reads each thread's own name (task/TID/stat).
	ThreadNames bool `json:"thread_names"`
	// ThreadNSpid reads the NSpid chain of each thread of a process in a
	// nested PID namespace (task/TID/status), which views from inside need
	// to number threads. A thread of a process at the mount's own level is
	// numbered by its TID alone and costs nothing. It implies NSpid.
	ThreadNSpid bool `json:"thread_nspid"`
	// Cmdline reads the argument vector.
	Cmdline bool `json:"cmdline"`
	// NSpid reads /proc/PID/status for the NSpid chain.
	NSpid bool `json:"nspid"`
	// Namespaces reads the eight ns links.
	Namespaces bool `json:"namespaces"`
	// PIDForChildren reads pid_for_children beside the eight links (the
	// snapshot keeps it; no view shows it). It implies Namespaces.
	PIDForChildren bool `json:"pid_for_children"`
	// LeadersOnly reads, of most processes, only what places them in
	// namespaces: their eight links (and with Discover their open fds).
	// What else is asked (stat, owner, status, command line, cgroup) is
	// read only for the process that stands for each namespace, its lowest
	// PID, which is all that `nsview ns` shows of processes; the others
	// keep PID and NS alone (UID UnknownUID), and a process that exited
	// but was not yet reaped is left out. It implies Namespaces.
	LeadersOnly bool `json:"leaders_only"`
	// Hierarchy asks the kernel, once per namespace found, for its 64-bit
	// ID, parent, owner and owner UID (real proc mounts only).
	Hierarchy bool `json:"hierarchy"`
	// Cgroup reads /proc/PID/cgroup.
	Cgroup bool `json:"cgroup"`
	// Discover also finds namespaces that no process is in: held by an
	// open fd, by a bind mount, or revealed by the parent/owner hierarchy
	// (see discover.go).
	Discover bool `json:"discover"`
	// Mounts reads the nsfs bind mounts of every mount namespace (lsns's
	// NSFS column), a part of Discover that costs little.
	Mounts bool `json:"mounts"`
	// LeaderCmdline reads the command lines of only the processes that
	// stand for a namespace (its lowest PID), as lsns shows them: one
	// read per namespace instead of one per process.
	LeaderCmdline bool `json:"leader_cmdline"`
	// NetNSID asks the kernel for each network namespace's id (RTM_GETNSID).
	NetNSID bool `json:"netnsid"`
	// Workers is how many goroutines read processes; 0 means one per CPU
	// (at least two: reads of /proc block in the kernel).
	Workers int `json:"-"`
}

// Everything returns Options that read every fact, as `nsview snapshot` does.
func Everything() Options {
	return Options{Threads: true, ThreadNames: true, ThreadNSpid: true, Cmdline: true, NSpid: true, Namespaces: true, PIDForChildren: true, Hierarchy: true, Cgroup: true, Discover: true, Mounts: true, NetNSID: true}
}

// clockTicks is USER_HZ, the unit of times in /proc/PID/stat. It is 100 on
// every Linux architecture Go supports; sysconf(_SC_CLK_TCK) needs cgo.
const clockTicks = 100

// maxCmdline bounds how much of one command line is kept, so memory stays
// bounded by what users can see (pstree reads at most 8 KiB).
const maxCmdline = 64 << 10

// Scan reads every process of the proc mount into a Snapshot. Processes that
// vanish while being read are left out and counted; facts that are denied
// are left unknown and counted; other per-process failures are counted and
// the first few recorded. Only a proc root that cannot be listed is an error.
func Scan(proc *nsinfo.ProcFS, opts Options) (*Snapshot, error) {
	start := time.Now()
	if opts.ThreadNSpid {
		opts.NSpid = true
	}
	if opts.PIDForChildren || opts.LeadersOnly {
		opts.Namespaces = true
	}
	pids, err := proc.PIDs()
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	s := newSnapshot(proc, opts, start, nil)

	procs := make([]Process, len(pids))
	results := make([]procResult, len(pids))
	readEach(proc, opts, len(pids), func(r *reader, i int) {
		results[i] = r.read(pids[i], &procs[i])
	})
	if opts.LeadersOnly {
		readLeaders(proc, opts, procs, results)
	}

	fds := s.gather(procs, results)
	s.collectNamespaces(proc)
	s.extras(proc, opts, fds)
	s.Sort()
	return s, nil
}

// readEach calls read(r, i) for every i below n, from worker goroutines
// (Options.Workers; by default one per CPU and at least two: reads of /proc
// block in the kernel) each with a reader of its own (Scan and the
// Rescanner alike). The readers of a real proc mount share what they learn
// of its PID namespace (reader.mountPIDNS). A panic in a worker is raised
// again in the caller, with the worker's stack, where the caller (the
// terminal UI) can recover it.
func readEach(proc *nsinfo.ProcFS, opts Options, n int, read func(r *reader, i int)) {
	workers := opts.Workers
	if workers <= 0 {
		workers = max(2, runtime.GOMAXPROCS(0))
	}
	workers = min(workers, max(1, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Pointer[workerPanic]
	var mountPIDNS atomic.Uint64
	real := proc.Real()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					panicked.CompareAndSwap(nil, &workerPanic{value: v, stack: debug.Stack()})
				}
			}()
			r := newReader(proc, opts)
			if real {
				r.mountPIDNS = &mountPIDNS
			}
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				read(r, i)
			}
		}()
	}
	wg.Wait()
	if p := panicked.Load(); p != nil {
		panic(p.String())
	}
}

// workerPanic carries a panic from a reading goroutine to the caller.
type workerPanic struct {
	value any
	stack []byte
}

func (w *workerPanic) String() string {
	return fmt.Sprintf("scan worker: %v\n\n%s", w.value, w.stack)
}

// warnAboutProc records what the proc mount keeps from the caller: that it
// belongs to another PID namespace (its PIDs are not the caller's), or that
// it hides other users' processes (hidepid).
func (s *Snapshot) warnAboutProc(proc *nsinfo.ProcFS) {
	if w := s.Caller.Warning(proc.Path); w != "" {
		s.Warnings = append(s.Warnings, w)
	}
	if m, ok := proc.Mount(); ok {
		if w := m.Warning(proc.Path); w != "" {
			s.Warnings = append(s.Warnings, w)
		}
	}
}

// newSnapshot starts the snapshot of a scan taken at taken: what was read
// and from where, and the facts about the system. A rescan takes the
// hostname, kernel and boot time from prev, its previous snapshot, rather
// than read them again every refresh.
func newSnapshot(proc *nsinfo.ProcFS, opts Options, taken time.Time, prev *Snapshot) *Snapshot {
	s := &Snapshot{
		Schema:     SchemaVersion,
		Taken:      taken.UTC(),
		ProcPath:   proc.Path,
		ClockTicks: clockTicks,
		Read:       opts,
	}
	s.Read.Workers = 0
	if !proc.Real() {
		s.Read.Hierarchy = false
	} else {
		s.Caller = proc.CheckCaller()
		s.warnAboutProc(proc)
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
	return s
}

// gather keeps the processes read (procs, results[i] saying how procs[i]
// was read) and counts, by reason, those it could not read (Scan and the
// Rescanner alike); it returns the namespace fds the processes hold. The
// processes kept are moved to the front of procs, which becomes
// s.Processes: at 10,000 processes a copy would be 3 MB more to allocate,
// fault in and collect.
func (s *Snapshot) gather(procs []Process, results []procResult) []fdHold {
	n := 0
	var fds []fdHold
	for i := range results {
		r := &results[i]
		switch r.outcome {
		case outcomeVanished:
			s.Unreadable.Vanished++
			continue
		case outcomeDenied:
			s.Unreadable.Denied++
		case outcomeHidden:
			// Listed, but its stat denied (hidepid=1).
			s.Unreadable.Hidden++
			continue
		case outcomeFailed:
			s.Unreadable.Failed++
			if len(s.Unreadable.Errors) < maxErrors {
				s.Unreadable.Errors = append(s.Unreadable.Errors, r.err.Error())
			}
		}
		if r.ok {
			if n != i {
				procs[n] = procs[i]
			}
			n++
			fds = append(fds, r.fds...)
		}
	}
	clear(procs[n:]) // what the processes left out held can be collected
	s.Processes = procs[:n:n]
	return fds
}

type outcome uint8

const (
	outcomeOK outcome = iota
	outcomeVanished
	outcomeDenied
	outcomeHidden
	outcomeFailed
)

// procResult says how a process was read into its Process.
type procResult struct {
	ok      bool // the Process holds a process to show
	outcome outcome
	err     error
	// linksOnly says the Process holds PID and NS alone
	// (Options.LeadersOnly).
	linksOnly bool
	// fds are the process's open fds that refer to a namespace
	// (Options.Discover).
	fds []fdHold
}

// reader reads processes for one worker, reusing its buffers.
type reader struct {
	proc *nsinfo.ProcFS
	opts Options
	buf  []byte
	// onFD is handed to ReadFDLinks: made once, it appends to fds the
	// namespace fds of process fdPID.
	onFD  func(fd int, link []byte)
	fdPID int
	fds   []fdHold
	// mountPIDNS, when set, is shared by the readers of one scan of a
	// real proc mount: the inode of the mount's own PID namespace, 0
	// until learnt. NSpid lists a process's PIDs from the mount's
	// namespace down to its own, so a process whose ns/pid link is that
	// namespace is numbered by its PID alone: its status need not be
	// read (three syscalls of about thirty per process). It is learnt
	// from the first status read with one PID, whatever the caller's
	// namespace: every process of a PID namespace is at the same level.
	mountPIDNS *atomic.Uint64
}

// atMountLevel reports whether p, its links read, is known to be in the
// proc mount's own PID namespace.
func (r *reader) atMountLevel(p *Process) bool {
	if r.mountPIDNS == nil {
		return false
	}
	ns := p.NS.Get(nsinfo.PID).Ino
	return ns != 0 && ns == r.mountPIDNS.Load()
}

// learnMountLevel notes p's PID namespace as the mount's own when its
// status said it has one PID.
func (r *reader) learnMountLevel(p *Process) {
	if r.mountPIDNS == nil || len(p.NSpid) != 1 {
		return
	}
	if ns := p.NS.Get(nsinfo.PID).Ino; ns != 0 {
		r.mountPIDNS.CompareAndSwap(0, ns)
	}
}

func newReader(proc *nsinfo.ProcFS, opts Options) *reader {
	r := &reader{proc: proc, opts: opts}
	r.onFD = func(fd int, link []byte) {
		if id, ok := nsinfo.ParseLink(link); ok {
			r.fds = append(r.fds, fdHold{pid: r.fdPID, fd: fd, id: id})
		}
	}
	return r
}

// statOnly reports whether the options need nothing of a process but its
// stat file (and, for a multi-threaded process, its task list).
func (o Options) statOnly() bool {
	return !o.NSpid && !o.Cmdline && !o.Namespaces && !o.Cgroup && !o.Discover
}

// read reads one process into p as the options ask.
func (r *reader) read(pid int, p *Process) procResult {
	if r.opts.LeadersOnly {
		return r.readLinks(pid, p)
	}
	return r.readFull(pid, p)
}

// links reads the namespace links the options ask for.
func (r *reader) links(dir nsinfo.ProcDir) (nsinfo.Links, error) {
	if r.opts.PIDForChildren {
		return nsinfo.ReadLinks(dir)
	}
	return nsinfo.ReadNamespaceLinks(dir)
}

// readLinks reads of one process only its links (and fds), for
// LeadersOnly. A process whose links cannot all be read is read in full
// instead, which tells a process whose links are not ours to read (shown,
// partly) from one hidden by hidepid (left out), as a full scan does.
func (r *reader) readLinks(pid int, p *Process) procResult {
	dir, err := r.proc.Files.OpenProc(pid)
	if err != nil {
		return failure(err)
	}
	defer dir.Close()
	links, err := r.links(dir)
	switch {
	case err == nil:
	case nsinfo.IsVanished(err):
		// Gone, or exited and not yet reaped: a zombie's namespaces are
		// gone already, so a full read would put it in none either.
		return procResult{outcome: outcomeVanished, err: err}
	default:
		return r.readFull(pid, p)
	}
	res := procResult{ok: true, linksOnly: true}
	*p = Process{PID: pid, UID: UnknownUID, NS: links.NS, PIDForChildren: links.PIDForChildren}
	if r.opts.Discover {
		res.fds = r.readFDs(dir, pid)
	}
	return res
}

// readFDs returns the open fds of a process that refer to a namespace.
// A process whose fds may not be read (another user's, without privilege)
// or that vanished meanwhile has none to report.
func (r *reader) readFDs(dir nsinfo.ProcDir, pid int) []fdHold {
	r.fdPID, r.fds = pid, nil
	if fr, ok := dir.(nsinfo.FDLinkReader); ok {
		r.buf, _ = fr.ReadFDLinks(r.buf, r.onFD)
		return r.fds
	}
	names, err := dir.ReadDirNames("fd")
	if err != nil {
		return nil
	}
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		link, err := dir.Readlink("fd/" + n)
		if err != nil {
			continue
		}
		r.onFD(fd, []byte(link))
	}
	return r.fds
}

// readLeaders reads in full, after a LeadersOnly scan, each process that
// stands for a namespace (its lowest PID), as the options ask but for the
// fds, already read. A leader that vanished or changed namespaces in
// between hands its place to the next lowest PID, read in its turn.
func readLeaders(proc *nsinfo.ProcFS, opts Options, procs []Process, results []procResult) {
	full := opts
	full.LeadersOnly, full.Discover = false, false
	full.Cmdline = opts.Cmdline || opts.LeaderCmdline
	r := newReader(proc, full)
	// Each round reads at least one process that was not read in full, so
	// this ends; the bound keeps a machine that churns from holding it.
	for range 16 {
		todo := leaders(procs, results)
		if len(todo) == 0 {
			return
		}
		for _, i := range todo {
			fds := results[i].fds
			results[i] = r.readFull(procs[i].PID, &procs[i])
			if results[i].ok {
				results[i].fds = fds
			}
		}
	}
}

// leaders returns the indexes of the processes, read links only, that hold
// the lowest PID of some namespace.
func leaders(procs []Process, results []procResult) []int {
	var lowest [nsinfo.NumTypes]map[uint64]int
	for t := range lowest {
		lowest[t] = make(map[uint64]int)
	}
	// Neighbours in the PID list share most namespaces: the last one of
	// each type, with its lowest PID's index, spares most map lookups.
	type hit struct {
		ino  uint64
		best int
	}
	var last [nsinfo.NumTypes]hit
	for i := range results {
		if !results[i].ok {
			continue
		}
		p := &procs[i]
		for t, ino := range p.NS {
			if ino == 0 {
				continue
			}
			if ino == last[t].ino {
				if p.PID < procs[last[t].best].PID {
					last[t].best = i
					lowest[t][ino] = i
				}
				continue
			}
			j, ok := lowest[t][ino]
			if !ok || p.PID < procs[j].PID {
				j = i
				lowest[t][ino] = i
			}
			last[t] = hit{ino, j}
		}
	}
	var todo []int
	seen := make(map[int]bool)
	for t := range lowest {
		for _, i := range lowest[t] {
			if results[i].linksOnly && !seen[i] {
				seen[i] = true
				todo = append(todo, i)
			}
		}
	}
	sort.Ints(todo)
	return todo
}

// readFull reads one process into p: its stat, then what the options ask.
func (r *reader) readFull(pid int, p *Process) (res procResult) {
	// When stat is all that is needed, read it by path: opening the
	// directory first (which keeps several reads on one process) would
	// cost two more syscalls per process.
	var (
		dir nsinfo.ProcDir
		uid uint32
		err error
	)
	sr, fast := r.proc.Files.(nsinfo.StatReader)
	fast = fast && r.opts.statOnly()
	if fast {
		r.buf, uid, err = sr.ReadStat(pid, r.buf)
	} else {
		dir, err = r.proc.Files.OpenProc(pid)
		if err != nil {
			return failure(err)
		}
		defer dir.Close()
		r.buf, err = dir.ReadFile("stat", r.buf)
	}
	if err == nil && len(r.buf) == 0 {
		err = fmt.Errorf("read %s/%d/stat: %w: empty", r.proc.Path, pid, nsinfo.ErrVanished)
	}
	if err != nil {
		return failure(err)
	}
	st, err := nsinfo.ParseStat(r.buf)
	if err != nil {
		return failure(fmt.Errorf("read %s/%d/stat: %w", r.proc.Path, pid, err))
	}
	*p = Process{PID: pid}
	p.PPID, p.PGID, p.SID = st.PPID, st.PGID, st.SID
	p.Comm = st.Comm
	p.State = string(st.State)
	p.StartTime = st.StartTime
	p.CPUTime = st.UTime + st.STime
	p.NumThreads = st.NumThreads
	res.ok = true

	// From here on a failure leaves a partial process, shown with what was
	// read; vanishing still removes it.
	note := func(err error) bool {
		if err == nil {
			return true
		}
		switch {
		case nsinfo.IsVanished(err):
			res.ok = false
			res.outcome = outcomeVanished
		case nsinfo.IsDenied(err):
			p.Denied = true
			if res.outcome == outcomeOK {
				res.outcome = outcomeDenied
			}
		default:
			if res.outcome != outcomeVanished {
				res.outcome, res.err = outcomeFailed, err
			}
		}
		return false
	}

	if fast {
		p.UID = uid
	} else {
		p.UID, err = dir.Owner()
		if !note(err) {
			p.UID = UnknownUID
			if !res.ok {
				return res
			}
		}
	}

	if r.opts.Namespaces && st.State != 'Z' && st.State != 'X' {
		// A zombie has no namespaces left: its links read ENOENT.
		links, err := r.links(dir)
		if nsinfo.IsVanished(err) && r.stillThere(dir, st.StartTime) {
			// Exiting: the kernel releases a process's namespaces
			// before it is a zombie. It is shown, as a zombie is,
			// without them (found by TestScanStress).
			links, err = nsinfo.Links{}, nil
		}
		if note(err) || !nsinfo.IsVanished(err) {
			p.NS = links.NS
			p.PIDForChildren = links.PIDForChildren
		}
		if !res.ok {
			return res
		}
	}

	if r.opts.NSpid && r.atMountLevel(p) {
		// One PID, as its status would say (see mountPIDNS).
		p.NSpid = []int{pid}
	} else if r.opts.NSpid {
		r.buf, err = dir.ReadFile("status", r.buf)
		if err == nil && len(r.buf) == 0 {
			err = fmt.Errorf("read %s/%d/status: %w: empty", r.proc.Path, pid, nsinfo.ErrVanished)
		}
		if note(err) {
			status, err := nsinfo.ParseStatus(r.buf)
			if err == nil && len(status.NSpid) > 0 && status.NSpid[0] != pid {
				// The first entry is the mount's own numbering.
				status.NSpid = nil
				err = fmt.Errorf("%w: NSpid does not start with the PID", nsinfo.ErrMalformed)
			}
			if err != nil {
				note(fmt.Errorf("read %s/%d/status: %w", r.proc.Path, pid, err))
			}
			p.NSpid = status.NSpid
			if err == nil {
				r.learnMountLevel(p)
			}
		}
		if !res.ok {
			return res
		}
	}

	if r.opts.Cmdline && st.KernelThread() {
		// A kernel thread has no memory of its own: the kernel hands
		// out an empty command line without looking.
		p.Cmdline = []string{}
	} else if r.opts.Cmdline {
		r.buf, err = dir.ReadFile("cmdline", r.buf)
		if note(err) {
			p.Cmdline, p.CmdlineUnterminated = splitCmdline(r.buf)
		}
		if !res.ok {
			return res
		}
	}

	if r.opts.Cgroup {
		r.buf, err = dir.ReadFile("cgroup", r.buf)
		if note(err) {
			p.Cgroup = cgroupPath(r.buf)
			p.CgroupPaths = cgroupPaths(r.buf)
		}
		if !res.ok {
			return res
		}
	}

	// Zombies and kernel threads hold no fds: kernel threads share the
	// kernel's own empty table (kthreadd's).
	if r.opts.Discover && st.State != 'Z' && st.State != 'X' && !st.KernelThread() {
		res.fds = r.readFDs(dir, pid)
	}

	if r.opts.Threads && st.NumThreads > 1 {
		if dir == nil {
			dir, err = r.openSame(pid, st.StartTime)
			if !note(err) {
				return res
			}
			defer dir.Close()
		}
		r.readThreads(dir, p, note)
	}
	return res
}

// stillThere reports whether the process of dir is still the one whose
// stat said start: a read of another of its files that said it vanished
// came from a process that is exiting, not gone.
func (r *reader) stillThere(dir nsinfo.ProcDir, start uint64) bool {
	if dir == nil {
		return false
	}
	var err error
	r.buf, err = dir.ReadFile("stat", r.buf)
	if err != nil {
		return false
	}
	st, err := nsinfo.ParseStat(r.buf)
	return err == nil && st.StartTime == start
}

// openSame opens the directory of a process whose stat was read by path,
// and checks it still holds the same process (same start time): the PID
// may have been reused in between.
func (r *reader) openSame(pid int, start uint64) (nsinfo.ProcDir, error) {
	dir, err := r.proc.Files.OpenProc(pid)
	if err != nil {
		return nil, err
	}
	r.buf, err = dir.ReadFile("stat", r.buf)
	if err == nil {
		var st nsinfo.Stat
		if st, err = nsinfo.ParseStat(r.buf); err == nil && st.StartTime != start {
			err = fmt.Errorf("read %s/%d: %w: PID reused", r.proc.Path, pid, nsinfo.ErrVanished)
		}
	}
	if err != nil {
		dir.Close()
		return nil, err
	}
	return dir, nil
}

func (r *reader) readThreads(dir nsinfo.ProcDir, p *Process, note func(error) bool) {
	names, err := dir.ReadDirNames("task")
	if !note(err) {
		return
	}
	p.Threads = make([]Thread, 0, len(names))
	for _, n := range names {
		tid, err := strconv.Atoi(n)
		if err != nil || tid == p.PID {
			continue
		}
		t := Thread{TID: tid}
		if r.opts.ThreadNames {
			// A thread that exits meanwhile keeps its place, unnamed:
			// its process is still alive.
			if b, err := dir.ReadFile("task/"+n+"/stat", r.buf); err == nil {
				r.buf = b
				if st, err := nsinfo.ParseStat(b); err == nil {
					t.Comm = st.Comm
				}
			}
		}
		if r.opts.ThreadNSpid && len(p.NSpid) > 1 {
			// Only a nested process's threads have PIDs worth reading;
			// a thread that exits meanwhile keeps its place, unnumbered.
			if b, err := dir.ReadFile("task/"+n+"/status", r.buf); err == nil {
				r.buf = b
				if st, err := nsinfo.ParseStatus(b); err == nil && len(st.NSpid) > 0 && st.NSpid[0] == tid {
					t.NSpid = st.NSpid
				}
			}
		}
		p.Threads = append(p.Threads, t)
	}
	sort.Slice(p.Threads, func(i, j int) bool { return p.Threads[i].TID < p.Threads[j].TID })
}

func failure(err error) procResult {
	switch {
	case nsinfo.IsVanished(err):
		return procResult{outcome: outcomeVanished, err: err}
	case nsinfo.IsDenied(err):
		// Listed but not readable (hidepid=1): without its stat a
		// process cannot be placed in a tree.
		return procResult{outcome: outcomeHidden, err: err}
	}
	return procResult{outcome: outcomeFailed, err: err}
}

// splitCmdline splits a NUL-separated argument vector. Kernel threads and
// zombies have an empty one. A process that rewrote its arguments may leave
// no trailing NUL, or several; every NUL separates. unterminated reports a
// non-empty vector that did not end in NUL, so that the exact bytes are
// strings.Join(args, "\x00") plus a NUL unless unterminated (pstree -a
// prints the two differently).
func splitCmdline(b []byte) (args []string, unterminated bool) {
	if len(b) == 0 {
		return []string{}, false
	}
	// Judge the end before cutting: a long command line cut at maxCmdline
	// was still terminated.
	unterminated = b[len(b)-1] != 0
	if len(b) > maxCmdline {
		b = b[:maxCmdline]
	} else if !unterminated {
		b = b[:len(b)-1]
	}
	n := bytes.Count(b, []byte{0}) + 1
	args = make([]string, 0, n)
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			args = append(args, string(b))
			return args, unterminated
		}
		args = append(args, string(b[:i]))
		b = b[i+1:]
	}
}

// CollectNamespaces builds Namespaces from the processes' links as a scan
// does (type, inode, process count, lowest PID, PID namespace level), for
// a snapshot made by hand: tests and benchmarks.
func (s *Snapshot) CollectNamespaces() {
	s.Namespaces = nil
	s.byNS = nil
	s.collectNamespaces(nil)
}

// collectNamespaces builds the namespace list from the processes' links and,
// where asked (and proc is given), asks the kernel about each namespace once.
func (s *Snapshot) collectNamespaces(proc *nsinfo.ProcFS) {
	index := make(map[nsinfo.ID]int)
	// Neighbours share most namespaces: the last one of each type spares
	// most map lookups.
	var last [nsinfo.NumTypes]struct {
		ino uint64
		j   int
	}
	for i := range s.Processes {
		p := &s.Processes[i]
		for t, ino := range p.NS {
			if ino == 0 {
				continue
			}
			id := nsinfo.ID{Type: nsinfo.Types[t], Ino: ino}
			j, ok := last[t].j, last[t].ino == ino
			if !ok {
				j, ok = index[id]
			}
			if !ok {
				j = len(s.Namespaces)
				index[id] = j
				s.Namespaces = append(s.Namespaces, Namespace{
					Type: id.Type, Ino: ino, PID: p.PID, Level: -1, OwnerUID: -1,
					Found: []string{"process"},
				})
			}
			last[t].ino, last[t].j = ino, j
			n := &s.Namespaces[j]
			n.NProcs++
			if p.PID < n.PID {
				n.PID = p.PID
			}
			if id.Type == nsinfo.PID && len(p.NSpid) > 0 {
				n.Level = len(p.NSpid) - 1
			}
		}
	}
	if !s.Read.Hierarchy || proc == nil {
		return
	}
	for i := range s.Namespaces {
		n := &s.Namespaces[i]
		info, err := nsinfo.Inspect(proc.Join(strconv.Itoa(n.PID), "ns", n.Type.String()))
		if err != nil {
			continue
		}
		if info.ID != n.ID() {
			// The process moved or its PID was reused since it was read.
			continue
		}
		n.KernelID = info.KernelID
		n.Parent = info.Parent.Ino
		n.Owner = info.Owner.Ino
		n.OwnerUID = info.OwnerUID
	}
}

// ErrNoProcess is wrapped when a PID named by the user is not in a snapshot.
var ErrNoProcess = errors.New("no such process")
