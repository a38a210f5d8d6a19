package population

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"syscall"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// procRoot is the host's proc mount: population processes are recorded as
// the caller's PID namespace numbers them.
const procRoot = "/proc"

// task is one process as its stat file shows it.
type task struct {
	pid, ppid int
	start     uint64
	comm      string
	state     byte
}

// readTask reads /proc/PID/stat. A process that is gone wraps
// fs.ErrNotExist (ESRCH reads as that too).
func readTask(pid int, buf []byte) (task, error) {
	path := procRoot + "/" + strconv.Itoa(pid) + "/stat"
	b, err := readInto(path, buf)
	if err != nil {
		return task{}, err
	}
	st, err := nsinfo.ParseStat(b)
	if err != nil {
		return task{}, fmt.Errorf("read %s: %w", path, err)
	}
	return task{pid: st.PID, ppid: st.PPID, start: st.StartTime, comm: st.Comm, state: st.State}, nil
}

func readInto(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if cap(buf) < 1024 {
		buf = make([]byte, 0, 1024)
	}
	n, err := f.Read(buf[:cap(buf)])
	if err != nil {
		if errors.Is(err, errSRCH) {
			return nil, fs.ErrNotExist
		}
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return buf[:n], nil
}

// allTasks reads the stat of every process below /proc. Processes that exit
// meanwhile are left out.
func allTasks() ([]task, error) {
	d, err := os.Open(procRoot)
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", procRoot, err)
	}
	buf := make([]byte, 0, 1024)
	tasks := make([]task, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		t, err := readTask(pid, buf)
		if err != nil {
			continue
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

// alive reports whether the process recorded as p still runs: same PID,
// same start time, and not a zombie (a zombie has left every namespace).
func alive(p Proc, buf []byte) bool {
	t, err := readTask(p.PID, buf)
	return err == nil && t.start == p.Start && t.state != 'Z' && t.state != 'X'
}

// nsOf returns the inode of a process's namespace of the given type.
func nsOf(pid int, typ string) (uint64, error) {
	link, err := os.Readlink(procRoot + "/" + strconv.Itoa(pid) + "/ns/" + typ)
	if err != nil {
		return 0, err
	}
	id, err := nsinfo.ParseID(link)
	if err != nil {
		return 0, err
	}
	return id.Ino, nil
}

// nspid returns the NSpid chain of a process.
func nspid(pid int) ([]int, error) {
	b, err := os.ReadFile(procRoot + "/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil, err
	}
	st, err := nsinfo.ParseStatus(b)
	if err != nil {
		return nil, err
	}
	return st.NSpid, nil
}

// readIntFile reads a sysctl such as /proc/sys/kernel/pid_max.
func readIntFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	return v, nil
}

// taskCount is the number of tasks (threads) on the system, each of which
// holds a PID: the fourth field of /proc/loadavg, "running/total".
func taskCount() (int, error) {
	b, err := os.ReadFile(procRoot + "/loadavg")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 4 {
		return 0, fmt.Errorf("read /proc/loadavg: %q", b)
	}
	_, total, ok := strings.Cut(f[3], "/")
	if !ok {
		return 0, fmt.Errorf("read /proc/loadavg: %q", b)
	}
	return strconv.Atoi(total)
}

var errSRCH = syscall.ESRCH
