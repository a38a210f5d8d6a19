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
