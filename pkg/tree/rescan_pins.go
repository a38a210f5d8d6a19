package tree

import "github.com/nsview/nsview/pkg/nsinfo"

// pinFresh pins the processes asked fresh with a pidfd, on the caller's
// own live proc mount (pidfds number PIDs as the caller's namespace does),
// and closes the pins of those no longer asked. It returns the PIDs whose
// facts must be read in full: those pinned now, whose previous facts
// cannot be told from a process that had their PID before.
func (r *Rescanner) pinFresh(fresh []int) map[int]bool {
	want := make(map[int]bool, len(fresh))
	for _, pid := range fresh {
		want[pid] = true
	}
	for pid, pin := range r.pins {
		if !want[pid] {
			pin.Close()
			delete(r.pins, pid)
		}
	}
	return r.pin(fresh)
}

// pin pins the processes not pinned yet and returns their PIDs.
func (r *Rescanner) pin(pids []int) map[int]bool {
	full := map[int]bool{}
	if len(pids) == 0 || !r.Proc.Real() || r.Proc.CheckCaller().ForeignProc {
		return full
	}
	if r.pins == nil {
		r.pins = make(map[int]*nsinfo.Pin)
	}
	for _, pid := range pids {
		if _, ok := r.pins[pid]; ok {
			continue
		}
		pin, err := nsinfo.PinProcess(pid)
		if err != nil {
			continue // gone: the scan finds out
		}
		r.pins[pid] = pin
		full[pid] = true
	}
	return full
}

// unpinExited closes the pins whose process has ended, and returns their
// PIDs: what a scan read under such a PID may belong to the ended process
// or to the next one to take the PID.
func (r *Rescanner) unpinExited() []int {
	var out []int
	for pid, pin := range r.pins {
		if pin.Exited() {
			pin.Close()
			delete(r.pins, pid)
			out = append(out, pid)
		}
	}
	return out
}

// Close releases what the Rescanner holds between scans (the pidfds of
// the processes asked fresh). It may scan again afterwards.
func (r *Rescanner) Close() error {
	for pid, pin := range r.pins {
		pin.Close()
		delete(r.pins, pid)
	}
	return nil
}
