// Package testenv decides, in one place, whether a test that needs
// something this machine may lack (root, a program, a proc filesystem)
// skips or fails: outside CI it skips with the reason; in CI (NSVIEW_CI
// set, as .ci/run sets it) it fails, so that CI cannot pass by skipping.
// It also holds the small waiting and counting helpers the tests share.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// InCI reports whether the tests run in CI, where every test must run.
func InCI() bool { return os.Getenv("NSVIEW_CI") != "" }

// SkipOrFail skips t outside CI and fails it in CI, saying why.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	why := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("cannot run in CI: %s", why)
	}
	t.Skip(why)
}

// NeedRoot skips (or, in CI, fails) t unless it runs as root.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(t, "needs root to create namespaces (CI runs as root)")
	}
}

// NeedTools skips (or, in CI, fails) t unless every program is installed.
func NeedTools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		Tool(t, n)
	}
}

// Tool returns the path of a program, skipping (or, in CI, failing) t
// when it is not installed.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		SkipOrFail(t, "%s is not installed (scripts/install-test-deps.sh installs it)", name)
	}
	return path
}

// Poll calls cond until it holds or d has passed, and reports whether it
// held.
func Poll(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitFor polls cond until it holds, and fails t if it does not within d.
func WaitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Poll(d, cond) {
		t.Fatalf("timed out after %v waiting for %s", d, what)
	}
}

// OpenFDs counts the calling process's open file descriptors.
func OpenFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries) - 1 // the directory being read
}

// insideEnv names the test that a test binary runs again inside a fresh
// PID namespace (InFreshPIDNamespace).
const insideEnv = "NSVIEW_TEST_INSIDE"

// InFreshPIDNamespace runs the calling test again, in a new process of
// the test binary that is PID 1 of a new PID and mount namespace with its
// own /proc (unshare --pid --fork --mount-proc --kill-child), and reports
// true: the caller then returns, its result being the inner run's. Inside,
// it reports false and the test runs. Tests that must see every process
// of their /proc, control PID allocation (ns_last_pid), or cost the same on
// a busy machine run this way. It needs root and unshare.
func InFreshPIDNamespace(t *testing.T) bool {
	t.Helper()
	if os.Getenv(insideEnv) == t.Name() {
		return false
	}
	NeedRoot(t)
	NeedTools(t, "unshare")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--pid", "--fork", "--mount-proc", "--kill-child", self, "-test.run=^" + t.Name() + "$", "-test.v", "-test.count=1"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := exec.Command("unshare", args...)
	cmd.Env = append(os.Environ(), insideEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("%s inside a new PID namespace: %v\n%s", t.Name(), err, out)
	}
	t.Logf("inside a new PID namespace:\n%s", out)
	return true
}

// Inside reports whether the test runs inside the fresh PID namespace of
// InFreshPIDNamespace.
func Inside() bool { return os.Getenv(insideEnv) != "" }

// StartAt starts a command whose process gets PID pid, by writing pid-1
// to /proc/sys/kernel/ns_last_pid first: the test must be alone in its PID
// namespace (InFreshPIDNamespace). A thread the Go runtime starts in
// between takes a PID too (and so does the os package's first check that
// pidfds work): then the process is ended and started again, a few times.
// It is killed and reaped at cleanup.
func StartAt(t *testing.T, pid int, sys *syscall.SysProcAttr, name string, args ...string) *exec.Cmd {
	t.Helper()
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Release()
	}
	for try := 0; ; try++ {
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(name, args...)
		cmd.SysProcAttr = sys
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if cmd.Process.Pid == pid {
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			return cmd
		}
		cmd.Process.Kill()
		cmd.Wait()
		if try == 10 {
			t.Fatalf("%s got PID %d, not %d: is something else forking in this namespace?", name, cmd.Process.Pid, pid)
		}
	}
}

// Allocated returns how many bytes f allocates (the fuzz targets' check
// that a parser's memory is bounded by its input's size).
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
