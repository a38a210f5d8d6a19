package tree

import "github.com/nsview/nsview/pkg/nsinfo"

// HostNamespaces returns the namespaces that "the host" means for the
// snapshot: PID 1's, as the proc mount numbers it. Where PID 1's links are
// unreadable (a sandbox's PID 1, or another user's without privilege),
// kthreadd's (PID 2, PPID 0) stand in: kernel threads never leave the
// initial namespaces. An entry stays 0 where neither is known. from names
// the reference used ("PID 1", "kthreadd", or "" for none).
func (s *Snapshot) HostNamespaces() (set nsinfo.Set, from string) {
	if p, ok := s.Proc(1); ok {
		set = p.NS
		for _, ino := range set {
			if ino != 0 {
				from = "PID 1"
			}
		}
	}
	complete := true
	for _, ino := range set {
		complete = complete && ino != 0
	}
	if complete {
		return set, from
	}
	if k, ok := s.Proc(2); ok && k.PPID == 0 && k.Comm == "kthreadd" {
		used := false
		for i, ino := range k.NS {
			if set[i] == 0 && ino != 0 {
				set[i] = ino
				used = true
			}
		}
		if used {
			if from == "" {
				from = "kthreadd"
			} else {
				from += " and kthreadd"
			}
		}
	}
	return set, from
}

// LevelInit returns the init (PID 1) of the PID namespace in which p is
// seen at the given level (0 = the proc mount's own), found from NSpid
// chains and parentage alone, so that it works where namespace links are
// unreadable: the init is the outermost ancestor of p still seen at that
// level, and its PID there is 1. nil where that does not hold (a process
// that entered the namespace with setns, an init that is not visible).
func (s *Snapshot) LevelInit(p *Process, level int) *Process {
	if level < 0 || len(p.NSpid) <= level {
		return nil
	}
	if level == 0 {
		if q, ok := s.Proc(1); ok {
			return q
		}
		return nil
	}
	var init *Process
	cur := p
	for steps := 0; cur != nil && steps <= len(s.Processes); steps++ {
		if len(cur.NSpid) <= level {
			break
		}
		if cur.NSpid[level] == 1 {
			init = cur
			break
		}
		if cur.PPID == 0 || cur.PPID == cur.PID {
			break
		}
		next, ok := s.Proc(cur.PPID)
		if !ok {
			break
		}
		cur = next
	}
	if init == nil {
		// An ancestor chain broken by setns: look for the init among
		// the processes in the same namespace, where links tell.
		ns := s.PIDNamespaceAt(p, level)
		if ns == 0 {
			return nil
		}
		for i := range s.Processes {
			q := &s.Processes[i]
			if len(q.NSpid) == level+1 && q.NSpid[level] == 1 && s.PIDNamespaceOf(q) == ns {
				return q
			}
		}
	}
	return init
}
