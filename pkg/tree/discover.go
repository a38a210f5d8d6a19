package tree

import (
	"fmt"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// extras runs the scan steps that look beyond each process's own links:
// discovery of namespaces no process is in, network namespace ids and user
// names. Scan calls it once, after the processes' namespaces are collected,
// with the namespace fds its readers found (Discover).
func (s *Snapshot) extras(proc *nsinfo.ProcFS, opts Options, fds []fdHold) {
	d := discoverer{s: s, proc: proc, real: proc.Real(), where: make(map[nsinfo.ID]string)}
	d.reindex()
	if opts.Namespaces {
		d.rememberProcessPaths()
	}
	if opts.LeaderCmdline && !opts.Cmdline && !opts.LeadersOnly {
		// (A LeadersOnly scan read them with the rest of each leader.)
		d.leaderCmdlines()
	}
	if opts.Discover || opts.Mounts {
		d.bindMounts()
	}
	if opts.Discover {
		d.fds(fds)
		if d.real {
			d.inspectNew()
			d.hierarchy()
		}
		s.deriveLevels()
	}
	if opts.NetNSID && d.real {
		d.netNSIDs()
	}
	if opts.Namespaces || opts.Discover {
		s.lookUpUsers()
	}
}

// discoverer holds the state of one discovery pass.
type discoverer struct {
	s     *Snapshot
	proc  *nsinfo.ProcFS
	real  bool
	index map[nsinfo.ID]int
	// where is a path that opens each namespace: a /proc/PID/ns link, a
	// /proc/PID/fd link, or a bind mount seen through /proc/PID/root.
	where map[nsinfo.ID]string
	// inspected marks namespaces the kernel was already asked about.
	inspected map[nsinfo.ID]bool
}

func (d *discoverer) reindex() {
	d.index = make(map[nsinfo.ID]int, len(d.s.Namespaces))
	for i := range d.s.Namespaces {
		d.index[d.s.Namespaces[i].ID()] = i
	}
}

// add returns the namespace with the given identity, creating it (found by
// how) if it is new, and records how it was found.
func (d *discoverer) add(id nsinfo.ID, how string) *Namespace {
	i, ok := d.index[id]
	if !ok {
		i = len(d.s.Namespaces)
		d.index[id] = i
		d.s.Namespaces = append(d.s.Namespaces, Namespace{Type: id.Type, Ino: id.Ino, Level: -1, OwnerUID: -1})
	}
	n := &d.s.Namespaces[i]
	if how != "" && !slices.Contains(n.Found, how) {
		n.Found = append(n.Found, how)
	}
	return n
}

// rememberProcessPaths records, for each namespace found through processes,
// the link of its lowest PID, and marks it inspected when the scan already
// asked the kernel about it.
func (d *discoverer) rememberProcessPaths() {
	d.inspected = make(map[nsinfo.ID]bool)
	for i := range d.s.Namespaces {
		n := &d.s.Namespaces[i]
		if n.PID > 0 {
			d.where[n.ID()] = d.proc.Join(strconv.Itoa(n.PID), "ns", n.Type.String())
			if d.s.Read.Hierarchy {
				d.inspected[n.ID()] = true
			}
		}
	}
}

// leaderCmdlines reads the command line of each namespace's lowest PID.
func (d *discoverer) leaderCmdlines() {
	done := make(map[int]bool)
	var buf []byte
	for i := range d.s.Namespaces {
		pid := d.s.Namespaces[i].PID
		if pid <= 0 || done[pid] {
			continue
		}
		done[pid] = true
		p, ok := d.findProc(pid)
		if !ok {
			continue
		}
		dir, err := d.proc.Files.OpenProc(pid)
		if err != nil {
			continue
		}
		buf, err = dir.ReadFile("cmdline", buf)
		dir.Close()
		if err == nil {
			p.Cmdline, p.CmdlineUnterminated = splitCmdline(buf)
		}
	}
}

// mountNamespaces returns, per mount namespace, the processes whose mount
// table bindMounts may read, lowest PID first (at most tries of them: one
// whose table is denied or vanishes is replaced by the next), the scanning
// process's own namespace first with itself first, so that its mount table
// (the one lsns reads) is always read.
func (d *discoverer) mountNamespaces(tries int) [][]int {
	mi := nsinfo.Mount.Index()
	where := make(map[uint64]int) // mount namespace -> index in out
	var out [][]int
	if self := d.s.Caller.ProcSelf; self > 0 {
		if p, ok := d.findProc(self); ok && p.NS[mi] != 0 {
			where[p.NS[mi]] = 0
			out = append(out, []int{self})
		}
	}
	// The processes are in the order the proc root listed them, which is
	// by PID on a real proc mount but not on a fixture.
	procs := make([]*Process, 0, len(d.s.Processes))
	for i := range d.s.Processes {
		if d.s.Processes[i].NS[mi] != 0 {
			procs = append(procs, &d.s.Processes[i])
		}
	}
	slices.SortFunc(procs, func(a, b *Process) int { return a.PID - b.PID })
	for _, p := range procs {
		i, ok := where[p.NS[mi]]
		if !ok {
			i = len(out)
			where[p.NS[mi]] = i
			out = append(out, nil)
		}
		if len(out[i]) < tries && !slices.Contains(out[i], p.PID) {
			out[i] = append(out[i], p.PID)
		}
	}
	if len(out) == 0 {
		out = append(out, []int{0}) // "self": at least the caller's own table
	}
	return out
}

func (d *discoverer) findProc(pid int) (*Process, bool) {
	i, ok := slices.BinarySearchFunc(d.s.Processes, pid, func(p Process, pid int) int { return p.PID - pid })
	if !ok {
		// Not sorted yet (Scan sorts after extras): search linearly.
		for j := range d.s.Processes {
			if d.s.Processes[j].PID == pid {
				return &d.s.Processes[j], true
			}
		}
		return nil, false
	}
	return &d.s.Processes[i], true
}

// bindMounts finds nsfs mounts in the mount table of every mount namespace
// a process of the scan is in.
func (d *discoverer) bindMounts() {
	var buf []byte
	for _, candidates := range d.mountNamespaces(3) {
		for _, pid := range candidates {
			var ok bool
			if buf, ok = d.bindMountsOf(pid, buf); ok {
				break
			}
		}
	}
}

// bindMountsOf adds the nsfs mounts of the mount table of process pid (0:
// the caller's), and reports whether the table could be read. Like every
// per-process read it goes through Files, so that the fault layer reaches
// it.
func (d *discoverer) bindMountsOf(pid int, buf []byte) ([]byte, bool) {
	var mntns uint64
	name := "self"
	if pid > 0 {
		name = strconv.Itoa(pid)
		if p, ok := d.findProc(pid); ok {
			mntns = p.NS[nsinfo.Mount.Index()]
		}
	}
	dir, err := d.proc.Files.OpenProc(pid)
	if err != nil {
		// Vanished, or denied (another user's process): that table is
		// read through another process of the namespace, or not at all.
		return buf, false
	}
	buf, err = dir.ReadFile("mountinfo", buf)
	dir.Close()
	if err != nil {
		return buf, false
	}
	for _, m := range nsfsMounts(buf) {
		id, err := nsinfo.ParseID(m.root)
		if err != nil {
			continue
		}
		path := m.point
		n := d.add(id, "bind "+path)
		if !slices.Contains(n.Mounts, NSMount{Path: path, MntNS: mntns}) {
			n.Mounts = append(n.Mounts, NSMount{Path: path, MntNS: mntns})
		}
		if _, ok := d.where[id]; !ok {
			d.where[id] = d.proc.Join(name, "root", path)
		}
	}
	return buf, true
}

// UnescapeMount undoes the octal escapes (\040 for a space, \011, \012,
// \134) that the kernel writes in mountinfo paths.
func UnescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// fdHold is one open file descriptor that refers to a namespace.
type fdHold struct {
	pid, fd int
	id      nsinfo.ID
}

// fds adds the namespaces held by open fds, which the scan's readers found
// (reader.readFDs), in the order of PID and fd.
func (d *discoverer) fds(all []fdHold) {
	slices.SortFunc(all, func(a, b fdHold) int {
		if a.pid != b.pid {
			return a.pid - b.pid
		}
		return a.fd - b.fd
	})
	for _, h := range all {
		d.add(h.id, fmt.Sprintf("fd %d/%d", h.pid, h.fd))
		if _, ok := d.where[h.id]; !ok {
			d.where[h.id] = d.proc.Join(strconv.Itoa(h.pid), "fd", strconv.Itoa(h.fd))
		}
	}
}

// inspectNew asks the kernel about every namespace that discovery added.
func (d *discoverer) inspectNew() {
	for i := range d.s.Namespaces {
		n := &d.s.Namespaces[i]
		id := n.ID()
		if d.inspected[id] {
			continue
		}
		path, ok := d.where[id]
		if !ok {
			continue
		}
		info, err := nsinfo.Inspect(path)
		if err != nil || info.ID != id {
			continue
		}
		d.inspected[id] = true
		n.setInfo(info)
	}
}

func (n *Namespace) setInfo(info nsinfo.Info) {
	n.KernelID = info.KernelID
	n.Parent = info.Parent.Ino
	n.Owner = info.Owner.Ino
	n.OwnerUID = info.OwnerUID
}

// hierarchy walks up from every namespace whose parent or owner is not in
// the snapshot, adding the namespaces reached ("hierarchy").
func (d *discoverer) hierarchy() {
	known := func(id nsinfo.ID) bool { _, ok := d.index[id]; return ok }
	for i := 0; i < len(d.s.Namespaces); i++ {
		n := d.s.Namespaces[i]
		missing := (n.Parent != 0 && !known(nsinfo.ID{Type: n.Type, Ino: n.Parent})) ||
			(n.Owner != 0 && !known(nsinfo.ID{Type: nsinfo.User, Ino: n.Owner}))
		if !missing {
			continue
		}
		path, ok := d.where[n.ID()]
		if !ok {
			continue
		}
		fd, err := nsinfo.OpenNS(path)
		if err != nil {
			continue
		}
		infos, err := nsinfo.Hierarchy(fd, known)
		nsinfo.CloseNS(fd)
		if err != nil || len(infos) == 0 || infos[0].ID != n.ID() {
			continue
		}
		for _, info := range infos[1:] {
			m := d.add(info.ID, "hierarchy")
			m.setInfo(info)
			d.inspected[info.ID] = true
		}
	}
}

// deriveLevels gives PID namespaces found without processes a level from
// their parents or children.
func (s *Snapshot) deriveLevels() {
	idx := make(map[uint64]int)
	for i := range s.Namespaces {
		if s.Namespaces[i].Type == nsinfo.PID {
			idx[s.Namespaces[i].Ino] = i
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range s.Namespaces {
			n := &s.Namespaces[i]
			if n.Type != nsinfo.PID || n.Parent == 0 {
				continue
			}
			j, ok := idx[n.Parent]
			if !ok {
				continue
			}
			p := &s.Namespaces[j]
			switch {
			case n.Level < 0 && p.Level >= 0:
				n.Level = p.Level + 1
				changed = true
			case p.Level < 0 && n.Level > 0:
				p.Level = n.Level - 1
				changed = true
			}
		}
	}
}

// netNSIDs asks the kernel for the id of every network namespace.
func (d *discoverer) netNSIDs() {
	ids, err := nsinfo.OpenNetNSIDs()
	if err != nil {
		return
	}
	defer ids.Close()
	for i := range d.s.Namespaces {
		n := &d.s.Namespaces[i]
		if n.Type != nsinfo.Net {
			continue
		}
		path, ok := d.where[n.ID()]
		if !ok {
			continue
		}
		fd, err := nsinfo.OpenNS(path)
		if err != nil {
			continue
		}
		id, err := ids.Get(fd)
		nsinfo.CloseNS(fd)
		if err == nil {
			n.NetNSID = &id
		}
	}
}

// lookUpUsers records the names of the UIDs the snapshot shows.
func (s *Snapshot) lookUpUsers() {
	if s.Users == nil {
		s.Users = make(map[uint32]string)
	}
	missing := make(map[uint32]bool)
	look := func(uid uint32) {
		if _, ok := s.Users[uid]; ok || missing[uid] {
			return
		}
		u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
		if err != nil || u.Username == "" {
			missing[uid] = true
			return
		}
		s.Users[uid] = u.Username
	}
	for i := range s.Processes {
		if uid := s.Processes[i].UID; uid != UnknownUID {
			look(uid)
		}
	}
	for i := range s.Namespaces {
		if u := s.Namespaces[i].OwnerUID; u >= 0 && u < 1<<32 {
			look(uint32(u))
		}
	}
}
