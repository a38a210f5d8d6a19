package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestUsageErrorsExit2 runs the built binary with what a user mistypes: each
// exits 2, prints nothing on stdout, and on stderr one line naming what was
// wrong, then the pointer to --help (no usage dump).
func TestUsageErrorsExit2(t *testing.T) {
	bin := builtNsview(t)
	for _, c := range []struct {
		args []string
		want string // in the error line
	}{
		{[]string{"--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"no-such-command"}, `unknown command "no-such-command" for "nsview"`},
		{[]string{"snapshott"}, `unknown command "snapshott" for "nsview" (did you mean snapshot?)`},
		{[]string{"version", "--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"snapshot", "-Z"}, "unknown shorthand flag: 'Z' in -Z"},
		{[]string{"version", "extra"}, `takes no arguments, got "extra"`},
		{[]string{"completion", "powershell"}, `unsupported shell "powershell"`},
		{[]string{"--proc"}, "flag needs an argument: --proc"},
		{[]string{"help", "snapshott"}, `unknown help topic "snapshott" (did you mean snapshot?)`},
	} {
		r := runCommand(t, t.TempDir(), os.Environ(), time.Minute, append([]string{bin}, c.args...)...)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		ok := r.code == exitUsage && r.stdout == "" && len(lines) == 2 &&
			strings.HasPrefix(lines[0], "nsview: ") && strings.Contains(lines[0], c.want) &&
			lines[1] == "Run 'nsview --help' for usage."
		if !ok {
			t.Errorf("nsview %s: exit %d, stdout %q, stderr:\n%s\nwant exit 2, no stdout, a line with %q and the --help pointer",
				strings.Join(c.args, " "), r.code, r.stdout, r.stderr, c.want)
		}
	}
}

// TestExitCodesDocumented checks that the README's "Exit codes" table and
// the list the man page is made from (exitCodeDocs) give the same codes, and
// that the codes nsview uses are in it.
func TestExitCodesDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(moduleRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Exit codes\n")
	if !ok {
		t.Fatal(`README.md has no "## Exit codes" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	// Rows whose first cell is a `code`: the header and rule are not.
	row := regexp.MustCompile("(?m)^\\| *`([^`|]+)` *\\|(.*)\\| *$")
	var inREADME, inMan []string
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		meaning := strings.TrimSpace(strings.ReplaceAll(m[2], "`", ""))
		inREADME = append(inREADME, m[1]+": "+meaning)
	}
	for _, e := range exitCodeDocs {
		inMan = append(inMan, e.code+": "+e.meaning)
	}
	if !slices.Equal(inREADME, inMan) {
		t.Errorf("README.md's exit codes differ from the man page's (exitCodeDocs in exit.go); keep them the same, in the same order:\nREADME:\n  %s\nman page:\n  %s",
			strings.Join(inREADME, "\n  "), strings.Join(inMan, "\n  "))
	}
	for _, code := range []int{exitOK, exitError, exitUsage, exitNoSpawn, exitSIGINT} {
		found := false
		for _, e := range exitCodeDocs {
			found = found || e.code == strconv.Itoa(code)
		}
		if !found {
			t.Errorf("exit code %d is not in exitCodeDocs", code)
		}
	}
}
