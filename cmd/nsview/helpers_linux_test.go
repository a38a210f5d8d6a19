package main

import (
	"os"
	"os/exec"
	"testing"
)

// skipOrFail skips a test that cannot run here, except in CI
// (NSVIEW_CI=1), where every test must run.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("NSVIEW_CI") != "" {
		t.Fatalf("cannot run in CI: %s", why)
	}
	t.Skip(why)
}

// needRoot skips (outside CI) unless running as root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "needs root to create namespaces")
	}
}

// needTools skips (outside CI) unless every program is installed.
func needTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			skipOrFail(t, n+" is not installed (scripts/install-test-deps.sh)")
		}
	}
}
