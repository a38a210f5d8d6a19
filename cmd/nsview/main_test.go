package main

import (
	"os"
	"testing"

	"github.com/nsview/nsview/pkg/spawn"
)

// envTestMain makes this test binary act as nsview itself (where go build
// cannot make a real one) or as the spawner tests' harness, so that tests
// can run, signal and kill a real nsview process.
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
