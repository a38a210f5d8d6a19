package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// nsviewBin is the nsview binary the end-to-end tests run, built once by
// TestMain.
var nsviewBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nsview-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	nsviewBin = filepath.Join(dir, "nsview")
	out, err := exec.Command("go", "build", "-o", nsviewBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build nsview: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

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
