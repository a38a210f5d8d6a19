package spawn

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/nsview/nsview/pkg/nsinfo"
	"golang.org/x/sys/unix"
)

// setupLevel runs in a new PID and mount namespace, as its PID 1: it makes
// every mount private, so nothing done here reaches the caller's mount
// namespace, and mounts a proc of this PID namespace on /proc.
func setupLevel(cfg config) error {
	if err := unix.Mount("none", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return &Error{Op: "make every mount private (mount --make-rprivate /)", Err: err}
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return procMountError(err, systemFacts())
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/proc", &st); err != nil {
		return &Error{Op: "check the new /proc", Err: err}
	}
	if st.Type != unix.PROC_SUPER_MAGIC {
		return &Error{Op: "check the new /proc", Err: fmt.Errorf("/proc is not a proc filesystem (statfs type %#x)", st.Type)}
	}
	if cfg.Level == 1 && cfg.Hostname != "" {
		if err := unix.Sethostname([]byte(cfg.Hostname)); err != nil {
			return &Error{Op: "set the hostname", Err: err}
		}
	}
	return nil
}

// systemFacts reads what the error hints need, from this process's view.
func systemFacts() facts {
	f := facts{euid: os.Geteuid(), sysctl: readSysctl, pidLevel: -1}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		if s, err := nsinfo.ParseStatus(b); err == nil && len(s.NSpid) > 0 {
			f.pidLevel = len(s.NSpid) - 1
		}
	}
	f.procOvermounts = procOvermounts()
	return f
}

// readSysctl reads /proc/sys/NAME with dots as slashes.
func readSysctl(name string) (string, bool) {
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// procOvermounts lists the mount points strictly below /proc in this
// mount namespace.
func procOvermounts() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		point := unescapeMount(fields[4])
		if strings.HasPrefix(point, "/proc/") {
			points = append(points, point)
		}
	}
	return points
}
