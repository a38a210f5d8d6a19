package population

import (
	"fmt"
	"os"
	"strconv"
)

// pidMaxPath is kernel.pid_max.
const pidMaxPath = "/proc/sys/kernel/pid_max"

// raisePIDMax raises kernel.pid_max where n more processes need it. It
// returns the old and new value (new 0 when left alone). pid_max is per PID
// namespace since Linux 6.14, and a new namespace inherits its parent's, so
// this must happen before the namespaces are made.
func raisePIDMax(n int) (old, set int, err error) {
	old, err = readIntFile(pidMaxPath)
	if err != nil {
		return 0, 0, fmt.Errorf("read kernel.pid_max: %w", err)
	}
	tasks, err := taskCount()
	if err != nil {
		return old, 0, fmt.Errorf("count tasks: %w", err)
	}
	set = pidMaxFor(n, tasks, old)
	if set == 0 {
		return old, 0, nil
	}
	if set < tasks+n {
		return old, 0, fmt.Errorf("%d processes do not fit: %d tasks run and kernel.pid_max cannot exceed %d", n, tasks, pidMaxLimit)
	}
	if err := os.WriteFile(pidMaxPath, []byte(strconv.Itoa(set)), 0o644); err != nil {
		return old, 0, fmt.Errorf("raise kernel.pid_max from %d to %d for %d processes: %w", old, set, n, err)
	}
	return old, set, nil
}

// restorePIDMax puts kernel.pid_max back to old if it still holds what
// raisePIDMax set (someone else may have changed it since) and the tasks
// running now fit below old. It returns a note for the user, or "".
func restorePIDMax(old, set int) (string, error) {
	if set == 0 {
		return "", nil
	}
	cur, err := readIntFile(pidMaxPath)
	if err != nil {
		return "", fmt.Errorf("read kernel.pid_max: %w", err)
	}
	if cur != set {
		return fmt.Sprintf("kernel.pid_max is %d, not the %d this population set: left alone", cur, set), nil
	}
	tasks, err := taskCount()
	if err != nil {
		return "", fmt.Errorf("count tasks: %w", err)
	}
	if tasks+1000 > old {
		return fmt.Sprintf("kernel.pid_max left at %d: %d tasks still run, too many for the old %d", cur, tasks, old), nil
	}
	if err := os.WriteFile(pidMaxPath, []byte(strconv.Itoa(old)), 0o644); err != nil {
		return "", fmt.Errorf("restore kernel.pid_max to %d: %w", old, err)
	}
	return "", nil
}
