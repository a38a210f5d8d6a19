package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nsview/nsview/pkg/spawn"
)

// nsviewBin is the nsview binary the end-to-end tests run, built once by
// TestMain, in a directory every user may enter (the spawner's tests run
// it as nobody). It is built without the race detector even under -race:
// a race-instrumented program takes about a second to start on this
// machine, and every spawn starts nsview and two or three images of its
// init (pkg/spawn's tests run the spawner's API under -race).
var nsviewBin string

// envTestMain makes this test binary act as the spawner tests' harness.
const envTestMain = "NSVIEW_TEST_MAIN"

func TestMain(m *testing.M) {
	// Code that calls spawn.Start re-executes its own binary as the init.
	spawn.MaybeRunInit()
	switch os.Getenv(envTestMain) {
	case "kill-harness":
		os.Exit(killHarness(os.Args[1:]))
	case "sleep":
		// A process with whatever name and arguments a test gave it
		// (the terminal injection tests), until it is killed.
		for {
			time.Sleep(time.Hour)
		}
	case "exit":
		os.Exit(0)
	}
	// Listing the tests (scripts/fuzz.sh does, for every package) and a
	// fuzz worker, which runs only a fuzz target and that runs nsview in
	// process, need no binary: building it would take much of a 5 s
	// fuzzing budget.
	flag.Parse()
	if flagValue("test.list") != "" || flagValue("test.fuzzworker") == "true" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "nsview-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(dir, 0o755)
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

// flagValue returns the value of the named command-line flag, "" if there
// is none.
func flagValue(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}
