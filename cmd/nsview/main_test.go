package main

import (
	"os"
	"testing"

	"github.com/nsview/nsview/pkg/spawn"
)

// envTestMain makes this test binary act as nsview itself (and, for the
// spawner's tests, as their harness), so that tests can run, signal and
// kill a real nsview process.
const envTestMain = "NSVIEW_TEST_MAIN"

func TestMain(m *testing.M) {
	// nsview spawn re-executes this binary as the sandbox's init.
	spawn.MaybeRunInit()
	switch os.Getenv(envTestMain) {
	case "nsview":
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	case "kill-harness":
		os.Exit(killHarness(os.Args[1:]))
	}
	code := m.Run()
	removeSharedBinary()
	os.Exit(code)
}
