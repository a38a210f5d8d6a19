package main

import (
	"regexp"
	"strings"
	"testing"

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

// exampleStart matches the start of an Example line that runs nsview:
// `nsview ...`, or `NAME=$(nsview ...` keeping its output for the lines
// after it.
var exampleStart = regexp.MustCompile(`^(nsview |[A-Za-z_][A-Za-z0-9_]*=\$\(nsview )`)

// exampleLines returns the lines of an Example that run nsview, once
// indented, with backslash continuations joined.
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
		if exampleStart.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}
