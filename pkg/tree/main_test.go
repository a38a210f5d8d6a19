package tree

import (
	"fmt"
	"os"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// helperEnv makes the test binary act as a small helper program instead of
// running tests: with NSVIEW_TEST_HELPER=scan it scans /proc and writes the
// snapshot as JSON on stdout, which tests run under unshare or setpriv.
const helperEnv = "NSVIEW_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "scan":
		os.Exit(helperScan())
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", helperEnv, os.Getenv(helperEnv))
		os.Exit(2)
	}
}

func helperScan() int {
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := Scan(proc, Everything())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := s.WriteJSON(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
