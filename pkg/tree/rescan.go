package tree

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// DefaultRecheck is how many scans a Rescanner lets pass before it reads a
// known process in full again.
const DefaultRecheck = 60

// Rescanner scans one proc mount again and again, as a live view refreshes,
// and reads in full only what it has not seen before.
//
// A process is known when the previous scan saw the same PID with the same
// start time. Its NSpid chain and its PID namespace never change, so they
// are kept. For a known process only its stat file is read (parent, group,
// session, state, name, CPU time); when its name changed (an exec, often
// right after a setns or an unshare) it is read in full. What can change but rarely does (the other
// namespace links after setns or unshare, the owner after setuid, the
// cgroup, a command line rewritten in place) is read again once every
// Recheck scans, spread over the scans by PID. Namespaces seen before keep
// what the kernel said about them; new ones are asked.
//
// With Restat above 1, even stat is read only every Restat scans for a
// known process, except for the PIDs the caller asks fresh (what is on its
// screen) and the children of processes that vanished (whose parent
// changed): the list of PIDs, read every time, is enough to see what
// appeared and what vanished. A PID reused meanwhile, or a new name, shows
// at the process's next turn.
//
// A Rescanner is not safe for concurrent use: one Scan at a time.
type Rescanner struct {
	Proc    *nsinfo.ProcFS
	Options Options
	// Recheck is how often, in scans, a known process is read in full; 0
	// means DefaultRecheck, 1 reads everything every time.
	Recheck int
	// Restat is how often, in scans, a known process's stat is read; 0 or
	// 1 means every scan.
	Restat int

	prev  *Snapshot
	round int
	list  pidList
	// pins hold a pidfd on each process asked fresh (see pinFresh).
	pins map[int]*nsinfo.Pin
}

// pidList is the last listing of the proc root, with the kernel's task
// stamp when it was taken.
type pidList struct {
	stamp string
	pids  []int
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
func (r *Rescanner) Scan() (*Snapshot, error) { return r.ScanFresh(nil) }

// ScanFresh is Scan, reading the stat of the processes with the given PIDs
// whatever Restat says.
func (r *Rescanner) ScanFresh(fresh []int) (*Snapshot, error) {
	plan := rescanPlan{
		recheck: max(1, r.Recheck),
		restat:  max(1, r.Restat),
		round:   r.round,
	}
	if r.Recheck <= 0 {
		plan.recheck = DefaultRecheck
	}
	if len(fresh) > 0 {
		plan.fresh = make(map[int]bool, len(fresh))
		for _, pid := range fresh {
			plan.fresh[pid] = true
		}
	}
	// The processes asked fresh are what a user looks at (the UI's
	// screen and selection): each is pinned before it is read and
	// checked after, so that a PID reused by a process with the same
	// start time and name, which the rest of the scan takes for the same
	// process, shows its own facts. One that ended during the scan is
	// read again in a second pass.
	plan.full = r.pinFresh(fresh)
	s, err := rescan(r.Proc, r.Options, r.prev, plan, &r.list)
	if err != nil {
		return nil, err
	}
	if again := r.unpinExited(); len(again) > 0 {
		for pid := range r.pin(again) {
			plan.full[pid] = true
		}
		if s, err = rescan(r.Proc, r.Options, r.prev, plan, &r.list); err != nil {
			return nil, err
		}
		r.unpinExited() // ended again: the next scan reads it in full
	}
	r.prev = s
	r.round++
	return s, nil
}

// rescanPlan says what one scan reads of a known process (one it does not
// know is read in full).
type rescanPlan struct {
	recheck, restat, round int
	fresh                  map[int]bool
	// full are PIDs read in full whatever the previous scan saw: pinned
	// for the first time, or their pinned process ended (see pinFresh).
	full map[int]bool
	// orphaned are PIDs whose parent vanished since the previous scan.
	orphaned map[int]bool
	// youngAfter is the start time (clock ticks after boot) after which
	// a process is young: likely to exec soon after its fork, so its name
	// is read at every scan. 0: none is.
	youngAfter uint64
}

// youngFor is how long after its start a process's stat is read at every
// scan whatever Restat says: a fork is usually followed by an exec, which
// renames the process, within moments.
const youngFor = 10 * time.Second

// what returns how much of a known process to read.
func (pl *rescanPlan) what(pid int, old *Process) readDepth {
	switch {
	case pl.full[pid], (pid+pl.round)%pl.recheck == 0:
		return readFull
	case pl.restat == 1, (pid+pl.round)%pl.restat == 0, pl.fresh[pid], pl.orphaned[pid]:
		return readStat
	case pl.youngAfter > 0 && old.StartTime >= pl.youngAfter:
		return readStat
	}
	return readNothing
}

type readDepth uint8

const (
	readNothing readDepth = iota
	readStat
	readFull
)

func rescan(proc *nsinfo.ProcFS, opts Options, prev *Snapshot, plan rescanPlan, list *pidList) (*Snapshot, error) {
	start := time.Now()
	real := proc.Real()
	s := newSnapshot(proc, opts, start, prev)
	// Listing 10,000 PIDs costs as much as a third of a refresh; when no
	// task was created or reaped since the last listing, it is still
	// right (see taskStamp).
	stamp := ""
	if real && !s.Caller.ForeignProc {
		stamp = taskStamp(proc)
	}
	var pids []int
	reused := prev != nil && stamp != "" && stamp == list.stamp && list.pids != nil
	if reused {
		pids = list.pids
	} else {
		var err error
		if pids, err = proc.PIDs(); err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
	}
	list.stamp, list.pids = stamp, pids
	// Reusing facts is only right when the previous scan read the same
	// ones.
	if prev != nil && (prev.ProcPath != proc.Path || !sameFacts(prev.Read, s.Read)) {
		prev = nil
	}
	if prev != nil && plan.restat > 1 {
		if !reused { // nothing vanished otherwise
			plan.orphaned = orphans(prev, pids)
		}
		if !s.BootTime.IsZero() {
			up := start.Sub(s.BootTime) - youngFor
			plan.youngAfter = uint64(max(up, 0) / (time.Second / clockTicks))
		}
	}

	procs := make([]Process, len(pids))
	results := make([]procResult, len(pids))
	readEach(proc, opts, len(pids), func(rd *reader, i int) {
		pid := pids[i]
		var old *Process
		if prev != nil {
			old, _ = prev.Proc(pid)
		}
		p := &procs[i]
		switch {
		case old == nil:
			results[i] = rd.read(pid, p)
		default:
			switch plan.what(pid, old) {
			case readFull:
				results[i] = rd.read(pid, p)
			case readStat:
				results[i] = rd.reread(pid, old, p)
			default:
				*p = *old
				results[i] = procResult{ok: true}
				if old.Denied {
					results[i].outcome = outcomeDenied
				}
			}
		}
	})

	s.gather(procs, results)
	hierarchy := s.Read.Hierarchy
	s.Read.Hierarchy = false
	s.collectNamespaces(proc)
	s.Read.Hierarchy = hierarchy
	if hierarchy {
		s.inspectNamespaces(proc, prev, plan.round%plan.recheck == 0)
	}
	s.Sort()
	return s, nil
}

// taskStamp returns, from /proc/loadavg, the number of tasks in the system
// and the last PID given out in the caller's PID namespace, "" if unknown.
// Every new task takes a PID in the caller's namespace (and in each one
// above its own), and a reaped one lowers the count, so while the stamp
// stays the same, so does the set of PIDs of a proc mount of the caller's
// namespace. (A task created and another reaped leave the count equal but
// move the last PID; the last PID comes back only after pid_max others.)
func taskStamp(proc *nsinfo.ProcFS) string {
	b, err := os.ReadFile(proc.Join("loadavg"))
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 5 {
		return ""
	}
	slash := strings.IndexByte(f[3], '/')
	if slash < 0 {
		return ""
	}
	return f[3][slash+1:] + " " + f[4]
}

// orphans returns the PIDs of prev's processes whose parent is no longer
// listed: the kernel gave them a new parent.
func orphans(prev *Snapshot, pids []int) map[int]bool {
	listed := make(map[int]struct{}, len(pids))
	for _, pid := range pids {
		listed[pid] = struct{}{}
	}
	out := map[int]bool{}
	for i := range prev.Processes {
		p := &prev.Processes[i]
		if p.PPID == 0 {
			continue
		}
		if _, ok := listed[p.PPID]; !ok {
			out[p.PID] = true
		}
	}
	return out
}

// sameFacts reports whether two scans read the same facts.
func sameFacts(a, b Options) bool {
	a.Workers, b.Workers = 0, 0
	return a == b
}

// reread reads into p the stat file of a process the previous scan saw as
// old. When the start time still matches it is the same process: p is old
// with what stat says updated, and the command line read again if the name
// changed. Otherwise the PID was reused and the process is read in full.
func (r *reader) reread(pid int, old, p *Process) procResult {
	if sr, ok := r.proc.Files.(statReader); ok && !r.opts.Threads {
		return r.rereadStat(sr, pid, old, p)
	}
	dir, err := r.proc.Files.OpenProc(pid)
	if err != nil {
		return failure(err)
	}
	res, same := r.rereadDir(dir, pid, old, p)
	dir.Close()
	if !same {
		return r.read(pid, p)
	}
	return res
}

// statReader is implemented by Files that read a process's stat file, and
// the UID that owns it, without opening the process's directory first
// (nsinfo's StatReader): three or four syscalls instead of six.
type statReader interface {
	ReadStat(pid int, buf []byte) (stat []byte, uid uint32, err error)
}

// rereadStat is reread through a statReader; the directory is opened only
// when the command line must be read again.
func (r *reader) rereadStat(sr statReader, pid int, old, p *Process) procResult {
	var uid uint32
	var err error
	r.buf, uid, err = sr.ReadStat(pid, r.buf)
	st, err := r.parseStat(pid, err)
	if err != nil {
		return failure(err)
	}
	if st.StartTime != old.StartTime || st.Comm != old.Comm {
		// Another process, or an exec, which often follows a setns or
		// an unshare (nsenter, unshare, ip netns exec): read it all.
		return r.read(pid, p)
	}
	res := r.update(old, st, p)
	p.UID = uid
	if r.opts.Cmdline && cmdlineChanged(old, st) {
		dir, err := r.proc.Files.OpenProc(pid)
		if err != nil {
			return failure(err)
		}
		defer dir.Close()
		if !r.rereadCmdline(dir, p, &res) {
			return res
		}
	}
	return res
}

func (r *reader) rereadDir(dir nsinfo.ProcDir, pid int, old, p *Process) (res procResult, same bool) {
	var err error
	r.buf, err = dir.ReadFile("stat", r.buf)
	st, err := r.parseStat(pid, err)
	if err != nil {
		return failure(err), true
	}
	if st.StartTime != old.StartTime || st.Comm != old.Comm {
		// Another process, or an exec, which often follows a setns or
		// an unshare (nsenter, unshare, ip netns exec): read it all.
		return procResult{}, false
	}
	res = r.update(old, st, p)
	if r.opts.Cmdline && cmdlineChanged(old, st) && !r.rereadCmdline(dir, p, &res) {
		return res, true
	}
	if r.opts.Threads {
		p.Threads = nil
		if st.NumThreads > 1 {
			// As Scan: a process whose task list has vanished is gone;
			// one whose threads cannot be listed is kept without them.
			r.readThreads(dir, p, func(err error) bool {
				if nsinfo.IsVanished(err) {
					res = procResult{outcome: outcomeVanished, err: err}
				}
				return err == nil
			})
		}
	}
	return res, true
}

// parseStat parses the stat file just read into r.buf (err is the read's).
func (r *reader) parseStat(pid int, err error) (nsinfo.Stat, error) {
	if err == nil && len(r.buf) == 0 {
		err = fmt.Errorf("read %s/%d/stat: %w: empty", r.proc.Path, pid, nsinfo.ErrVanished)
	}
	if err != nil {
		return nsinfo.Stat{}, err
	}
	st, err := nsinfo.ParseStat(r.buf)
	if err != nil {
		return st, fmt.Errorf("read %s/%d/stat: %w", r.proc.Path, pid, err)
	}
	return st, nil
}

// update makes p old with what its stat file says now.
func (r *reader) update(old *Process, st nsinfo.Stat, p *Process) procResult {
	res := procResult{ok: true}
	*p = *old
	p.PPID, p.PGID, p.SID = st.PPID, st.PGID, st.SID
	p.Comm = st.Comm
	p.State = string(st.State)
	p.CPUTime = st.UTime + st.STime
	p.NumThreads = st.NumThreads
	if p.Denied {
		res.outcome = outcomeDenied
	}
	return res
}

// cmdlineChanged reports whether the process's arguments may have changed
// since they were read, its name being the same (a new name is read in
// full): an exit (a zombie's command line is empty), or an empty command
// line read while an exec was under way (the kernel names the process
// before it sets up its arguments).
// Kernel threads (kthreadd, PID 2, and its children) have none, always.
func cmdlineChanged(old *Process, st nsinfo.Stat) bool {
	zombie := st.State == 'Z' || st.State == 'X'
	wasZombie := old.State == "Z" || old.State == "X"
	kernel := old.PID == 2 || old.PPID == 2
	return st.Comm != old.Comm || zombie != wasZombie || (len(old.Cmdline) == 0 && !zombie && !kernel)
}

// rereadCmdline reads the command line into p; false when the process
// vanished meanwhile (res then says so).
func (r *reader) rereadCmdline(dir nsinfo.ProcDir, p *Process, res *procResult) bool {
	var err error
	r.buf, err = dir.ReadFile("cmdline", r.buf)
	switch {
	case err == nil:
		p.Cmdline, p.CmdlineUnterminated = splitCmdline(r.buf)
	case nsinfo.IsVanished(err):
		*res = procResult{outcome: outcomeVanished, err: err}
		return false
	default:
		// As Scan: unknown, and counted (denied, or failed).
		p.Cmdline, p.CmdlineUnterminated = nil, false
		if nsinfo.IsDenied(err) {
			p.Denied = true
			if res.outcome == outcomeOK {
				res.outcome = outcomeDenied
			}
		} else {
			res.outcome, res.err = outcomeFailed, err
		}
	}
	return true
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
