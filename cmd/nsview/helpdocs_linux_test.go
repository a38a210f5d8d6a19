package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/spawntest"
	"github.com/nsview/nsview/internal/testenv"
)

// examplesNotRun are example lines that TestExamplesRun must not run, by
// prefix, with the reason. Every other example must run as written.
var examplesNotRun = []struct{ prefix, why string }{
	{"nsview completion fish | source", "fish syntax, not bash"},
}

func exampleSkipReason(line string) string {
	for _, s := range examplesNotRun {
		if strings.HasPrefix(line, s.prefix) {
			return s.why
		}
	}
	return ""
}

// needsTerminal: the UI's examples run in a terminal (tmux).
func needsTerminal(line string) bool { return strings.Contains(line, "nsview tui") }

// TestExamplesRun runs every Example line of every command, as written,
// against the built binary (first on PATH): the lines of one command in
// order, in one bash session (so `id=$(nsview spawn --detach ...)` is there
// for the next line), in a scratch directory that is also HOME; each must
// exit 0. The UI's lines run in a tmux terminal and are quit with q once the
// UI is drawn. Spawn's lines run as root (their processes carry a tag in
// their environment), and must leave no process behind.
func TestExamplesRun(t *testing.T) {
	bash := testenv.Tool(t, "bash")
	bin := builtNsview(t)
	root := newRootCmd(&globalOptions{})
	tag := fmt.Sprintf("NSVIEW_TEST_TAG=examples-%d-%d", os.Getpid(), time.Now().UnixNano())
	env := append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"), tag)
	canSpawn := os.Geteuid() == 0
	if !canSpawn && os.Getenv("NSVIEW_CI") != "" {
		t.Fatal("CI runs as root: the spawn examples must run")
	}
	defer func() {
		// What an example left running, ended here by its tag.
		if !testenv.Poll(5*time.Second, func() bool { return len(spawntest.Tagged(tag)) == 0 }) {
			left := spawntest.Tagged(tag)
			for _, p := range left {
				syscall.Kill(p.PID, syscall.SIGKILL)
			}
			t.Errorf("the examples left %d process(es) running: %v", len(left), left)
		}
	}()
	ran := 0
	for _, c := range allCommands(root) {
		dir := t.TempDir()
		cmdEnv := append(env[:len(env):len(env)], "HOME="+dir)
		var session []string
		flush := func() {
			if len(session) == 0 {
				return
			}
			ran += len(session)
			runExampleSession(t, bash, dir, cmdEnv, c.CommandPath(), session)
			session = nil
		}
		for _, line := range exampleLines(c.Example) {
			switch {
			case exampleSkipReason(line) != "":
				t.Logf("not run: %s (%s)", line, exampleSkipReason(line))
			case strings.Contains(line, "nsview spawn") && !canSpawn:
				t.Logf("not run: %s (spawning needs root here)", line)
			case needsTerminal(line):
				flush()
				runExampleInTerminal(t, dir, cmdEnv, c.CommandPath(), line)
				ran++
			default:
				session = append(session, line)
			}
		}
		flush()
	}
	if ran == 0 {
		t.Error("no example ran")
	}
	t.Logf("%d example lines ran", ran)
}

// runExampleSession runs lines in one bash session, each followed by the
// record of its exit status, and reports each line that failed.
func runExampleSession(t *testing.T, bash, dir string, env []string, command string, lines []string) {
	t.Helper()
	status := filepath.Join(t.TempDir(), "status")
	var script strings.Builder
	script.WriteString("set -o pipefail\n")
	for i, line := range lines {
		fmt.Fprintf(&script, "%s\necho %d $? >> '%s'\n", line, i, status)
	}
	r := runCommand(t, dir, env, 2*time.Minute, bash, "-c", script.String())
	b, _ := os.ReadFile(status)
	codes := map[int]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var i, code int
		if _, err := fmt.Sscan(l, &i, &code); err == nil {
			codes[i] = code
		}
	}
	for i, line := range lines {
		code, ok := codes[i]
		switch {
		case !ok:
			t.Errorf("example of %q never finished (the session exited %d): %s\nstderr: %s", command, r.code, line, r.stderr)
		case code != 0:
			t.Errorf("example of %q exits %d: %s\nstderr: %s", command, code, line, r.stderr)
		}
	}
}

// runExampleInTerminal runs a UI example in a tmux terminal, waits for the
// UI's header, quits with q and checks the exit status.
func runExampleInTerminal(t *testing.T, dir string, env []string, command, line string) {
	t.Helper()
	// Not the spawn tag: the pane's shell stays after the UI (tmux ends it).
	var exports []string
	for _, e := range env {
		if strings.HasPrefix(e, "PATH=") || strings.HasPrefix(e, "HOME=") {
			exports = append(exports, strconv.Quote(e))
		}
	}
	r := startLineInTmux(t, 120, 30, exports, dir, line)
	r.waitScreen("the UI's header", func(s string) bool { return strings.Contains(s, " nsview ") && strings.Contains(s, "processes") })
	r.keys("q")
	if code := r.exitStatus(); code != 0 {
		t.Errorf("example of %q exits %d: %s\nstderr: %s", command, code, line, r.stderr())
	}
}
