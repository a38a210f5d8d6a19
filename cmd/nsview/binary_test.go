package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// builtNsview builds cmd/nsview into a temporary directory with the given
// extra `go build` arguments (e.g. -ldflags) and returns its path. The Go
// build cache makes every build after the first a link step.
func builtNsview(t *testing.T, buildArgs ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the nsview binary; not in -short mode")
	}
	bin := filepath.Join(t.TempDir(), "nsview")
	args := append([]string{"build", "-o", bin}, buildArgs...)
	args = append(args, ".")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// result is what a finished command did.
type result struct {
	code           int
	stdout, stderr string
}

// runCommand runs argv[0] with argv[1:] in dir, stdin empty, and ends the
// process group it started if it has not finished within the timeout.
func runCommand(t *testing.T, dir string, env []string, timeout time.Duration, argv ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The group's ID is the PID of the process started here.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s: did not finish within %v\nstdout: %s\nstderr: %s", strings.Join(argv, " "), timeout, stdout.String(), stderr.String())
	}
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("%s: %v", strings.Join(argv, " "), err)
		}
		code = ee.ExitCode()
	}
	return result{code, stdout.String(), stderr.String()}
}
