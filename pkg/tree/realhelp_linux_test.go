package tree

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
)

// start runs a command that the test ends by its PID at cleanup.
func start(t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// children lists a process's children from /proc (its main thread's).
func children(pid int) []int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/children")
	if err != nil {
		return nil
	}
	var kids []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			kids = append(kids, n)
		}
	}
	return kids
}

// onlyChild waits for pid to have exactly one child and returns it.
func onlyChild(t testing.TB, pid int) int {
	t.Helper()
	var kid int
	testenv.WaitFor(t, 10*time.Second, "a child of "+strconv.Itoa(pid), func() bool {
		k := children(pid)
		if len(k) == 1 {
			kid = k[0]
		}
		return len(k) == 1
	})
	return kid
}

// pidNS is the inode of a process's PID namespace, 0 if gone.
func pidNS(pid int) uint64 {
	s, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/pid")
	if err != nil {
		return 0
	}
	id, err := nsinfo.ParseID(s)
	if err != nil {
		return 0
	}
	return id.Ino
}

// nsGoneAtCleanup ends cmd at cleanup, then checks that no process is left
// in the PID namespace ino that cmd created (a zombie counts as gone).
func nsGoneAtCleanup(t testing.TB, cmd *exec.Cmd, ino uint64) {
	t.Helper()
	if ino == 0 {
		t.Fatal("no namespace to watch")
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		testenv.WaitFor(t, 10*time.Second, "namespace "+strconv.FormatUint(ino, 10)+" to empty", func() bool {
			entries, _ := os.ReadDir("/proc")
			for _, e := range entries {
				pid, err := strconv.Atoi(e.Name())
				if err != nil || pidNS(pid) != ino {
					continue
				}
				if b, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
					if st, err := nsinfo.ParseStat(b); err == nil && st.State == 'Z' {
						continue
					}
				}
				return false
			}
			return true
		})
	})
}

// helperBinary copies the test binary where every user may run it, for
// helpers run as nobody (go test builds in a directory only root can enter).
func helperBinary(t testing.TB) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "nsview-helper-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := dir + "/tree.test"
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// runHelperScan runs the scan helper under the given wrapper command
// (unshare, setpriv ...) and returns the snapshot it wrote.
func runHelperScan(t testing.TB, bin string, wrapper ...string) *Snapshot {
	t.Helper()
	args := append(slices.Clone(wrapper[1:]), bin, "-test.run=^$")
	cmd := exec.Command(wrapper[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"=scan")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%v: %v: %s", cmd.Args, err, ee.Stderr)
		}
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	s, err := ReadSnapshot(strings.NewReader(string(out)))
	if err != nil {
		t.Fatalf("helper's snapshot: %v", err)
	}
	return s
}
