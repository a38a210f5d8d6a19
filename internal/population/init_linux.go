package population

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// unshareArgs is how every level is made: a new PID namespace whose init is
// our init, with a mount namespace and a /proc of its own, killed with its
// unshare (--kill-child) so that ending the outermost unshare ends all.
func unshareArgs(cfg InitConfig, level int) []string {
	args := []string{"--pid", "--fork", "--mount-proc", "--kill-child",
		cfg.Self, "init", "-level", strconv.Itoa(level), "-plan", cfg.Plan.String()}
	if cfg.Idle != "" {
		args = append(args, "-idle", cfg.Idle)
	}
	return args
}

// RunInit is the init of one level: it starts the next level, then its
// share of idle children, then reaps whatever dies until it is killed.
func RunInit(cfg InitConfig) error {
	if os.Getpid() != 1 {
		return fmt.Errorf("init of level %d: getpid() is %d, not 1: run me through unshare --pid --fork", cfg.Level, os.Getpid())
	}
	if cfg.Level < 1 || cfg.Level > len(cfg.Plan) {
		return fmt.Errorf("init: level %d outside plan %s", cfg.Level, cfg.Plan)
	}
	// Whatever fds the caller of scripts/population leaked to us (a shell's
	// saved descriptors, a job runner's pipe) stay here: the idle children
	// and the levels below hold /dev/null as 0, 1 and 2 and nothing else,
	// the same population whoever starts it.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("init of level %d: mark inherited fds close-on-exec: %w", cfg.Level, err)
	}
	if cfg.Level < len(cfg.Plan) {
		next := exec.Command("unshare", unshareArgs(cfg, cfg.Level+1)...)
		next.Stdout, next.Stderr = os.Stdout, os.Stderr
		if err := next.Start(); err != nil {
			return fmt.Errorf("init of level %d: start level %d: %w", cfg.Level, cfg.Level+1, err)
		}
		// Reaped by the loop below, never by next.Wait.
	}

	path, argv := cfg.Idle, []string{IdleComm}
	if path == "" {
		p, err := exec.LookPath("sleep")
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		path, argv = p, []string{"sleep", "infinity"}
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	attr := &syscall.ProcAttr{Files: []uintptr{null.Fd(), null.Fd(), null.Fd()}}
	for i := 0; i < cfg.Plan[cfg.Level-1]; i++ {
		if err := forkExecRetry(path, argv, attr); err != nil {
			return fmt.Errorf("init of level %d: start idle child %d of %d: %w", cfg.Level, i+1, cfg.Plan[cfg.Level-1], err)
		}
	}

	for {
		_, err := unix.Wait4(-1, nil, 0, nil)
		if errors.Is(err, unix.ECHILD) {
			// Nothing left to reap; orphans may still come.
			time.Sleep(time.Second)
		}
	}
}

// forkExecRetry retries a fork that failed for want of a resource (EAGAIN:
// the task limit, a memory cgroup) for a while before giving up.
func forkExecRetry(path string, argv []string, attr *syscall.ProcAttr) error {
	delay := time.Millisecond
	for try := 0; ; try++ {
		_, err := syscall.ForkExec(path, argv, attr)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.ENOMEM) || try >= 12 {
			return err
		}
		time.Sleep(delay)
		delay *= 2
	}
}
