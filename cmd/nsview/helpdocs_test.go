package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// allCommands lists root and every command below it, parents first, hidden
// ones included.
func allCommands(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for i := 0; i < len(out); i++ {
		out = append(out, out[i].Commands()...)
	}
	return out
}

// TestEveryCommandDocumented checks that every command, including those
// added after this test was written, has what --help and the man page show:
// a one-line Short, a Long description, and an Example with at least one
// `nsview ...` line. It lists every offender at once.
func TestEveryCommandDocumented(t *testing.T) {
	root := newRootCmd(&globalOptions{})
	var problems []string
	for _, c := range allCommands(root) {
		name := c.CommandPath()
		short := strings.TrimSpace(c.Short)
		switch {
		case short == "":
			problems = append(problems, name+": no Short (one-line summary)")
		case strings.Contains(short, "\n"):
			problems = append(problems, name+": Short is more than one line")
		}
		if strings.TrimSpace(c.Long) == "" {
			problems = append(problems, name+": no Long (description)")
		}
		if len(exampleLines(c.Example)) == 0 {
			problems = append(problems, name+": no Example with an `nsview ...` line")
		}
	}
	if len(problems) > 0 {
		t.Errorf("%d command(s) lack help text:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
}

// exampleLines returns the lines of an Example that run nsview: lines that
// start with "nsview " once indented, with backslash continuations joined.
func exampleLines(example string) []string {
	var out []string
	var cont string
	for _, l := range strings.Split(example, "\n") {
		l = strings.TrimSpace(l)
		if cont != "" {
			l = cont + " " + l
			cont = ""
		}
		if strings.HasSuffix(l, `\`) {
			cont = strings.TrimSuffix(l, `\`)
			continue
		}
		if strings.HasPrefix(l, "nsview ") {
			out = append(out, l)
		}
	}
	return out
}

// examplesNotRun are example lines that TestExamplesRun must not run, by
// prefix, with the reason. Add a command here when its examples change the
// system or need a terminal; every other example is read-only and must run.
var examplesNotRun = []struct{ prefix, why string }{
	{"nsview spawn", "creates namespaces and starts processes"},
	{"nsview tui", "needs a terminal (the interactive UI)"},
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

// TestExamplesRun runs every Example line of every command, as written, with
// bash, against the built binary (first on PATH), in a scratch directory
// that is also HOME, lines of one command in order. Each must exit 0.
func TestExamplesRun(t *testing.T) {
	bash := toolPath(t, "bash")
	bin := builtNsview(t)
	root := newRootCmd(&globalOptions{})
	env := append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
	ran := 0
	for _, c := range allCommands(root) {
		lines := exampleLines(c.Example)
		if len(lines) == 0 {
			continue
		}
		dir := t.TempDir()
		cmdEnv := append(env[:len(env):len(env)], "HOME="+dir)
		for _, line := range lines {
			if why := exampleSkipReason(line); why != "" {
				t.Logf("not run: %s (%s)", line, why)
				continue
			}
			r := runCommand(t, dir, cmdEnv, 2*time.Minute, bash, "-o", "pipefail", "-c", line)
			ran++
			if r.code != 0 {
				t.Errorf("example of %q exits %d: %s\nstderr: %s", c.CommandPath(), r.code, line, r.stderr)
			}
		}
	}
	if ran == 0 {
		t.Error("no example ran")
	}
	t.Logf("%d example lines ran", ran)
}
