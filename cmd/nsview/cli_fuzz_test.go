package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/nsview/nsview/pkg/escape"
)

// fuzzCommands are the commands FuzzCommandLine runs, the first input byte
// choosing one; the fuzzed arguments follow it. A command always comes
// first, so nsview never opens the terminal UI, and these are all: spawn
// starts processes, man -d writes files, tui needs a terminal.
var fuzzCommands = [][]string{
	{"tree"}, {"ns"}, {"lsns"}, {"ns", "--matrix"}, {"pid"},
	{"snapshot"}, {"version"}, {"completion"}, {"help"},
}

// fuzzSnapshot is the snapshot every fuzzed command reads: the nested PID
// namespaces of pkg/tree's fixture proc-nested (nsview --proc
// pkg/tree/testdata/proc-nested snapshot, with proc_path /proc and two
// command lines added). Everything was read; no name needs escaping.
const fuzzSnapshot = "testdata/nested.json"

// fuzzRoot returns nsview's root command, with a hook that runs after the
// flags are parsed and before the command: whatever the arguments say, the
// command reads fuzzSnapshot (never /proc, a device or stdin), and
// snapshot -o FILE writes into dir.
func fuzzRoot(dir string) *cobra.Command {
	g := &globalOptions{}
	root := newRootCmd(g)
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		g.input = fuzzSnapshot
		if out := cmd.Flags().Lookup("output"); cmd.Name() == "snapshot" && out != nil {
			if v := out.Value.String(); v != "" && v != "-" {
				return out.Value.Set(filepath.Join(dir, "snapshot.json"))
			}
		}
		return nil
	}
	return root
}

// fuzzArgs splits s into arguments, each ended by a NUL (which no argument
// given to execve can hold); an unended last one counts too, so "" is no
// argument and "\x00" one empty argument.
func fuzzArgs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\x00"), "\x00")
}

// joinFuzzArgs is the inverse of fuzzArgs.
func joinFuzzArgs(args []string) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString(a + "\x00")
	}
	return b.String()
}

// runtimeErrors are the messages of the errors nsview may end with exit 1
// when it reads fuzzSnapshot: what the arguments asked for is well formed
// but not in the snapshot. Any other message must be a usage error (exit
// 2): that is how a mistyped argument that is reported as a failure gets
// caught.
var runtimeErrors = regexp.MustCompile(`^(` + strings.Join([]string{
	`process [-+]?\d+: no such process`,
	`namespace pid:\+?\d+: process \d+: no such process`, // as typed: pid:+2 is PID 2
	`process [-+]?\d+ not found( in this view)?`,
	`no processes found`,
	`not found namespace: \d+`,
	`(namespace )?pid:\[\d+\]: no such namespace`,
	`(PID|process) [-+]?\d+ in pid:\[\d+\]: no such PID in that namespace`,
	`-H: can't get terminal capabilities: .*`,
}, "|") + `)$`)

// usagePointer ends every usage error's message (exitCode).
const usagePointer = "Run 'nsview --help' for usage."

// printable reports whether s holds nothing that acts on a terminal: no
// control byte, C1 control, invalid UTF-8 or format character, ignoring
// the backslashes of escapes and the given strings.
func printable(s string, ignore ...string) bool {
	for _, ig := range append(ignore, `\`) {
		s = strings.ReplaceAll(s, ig, "")
	}
	return escape.Safe(s)
}

// checkCommandLine checks what a user relies on from one run of nsview:
// an exit code nsview documents for the command (never spawn's 125 or
// 130); on success nothing on stderr (fuzzSnapshot is complete), and help
// only for a command that exists; on failure nothing on stdout and one
// line on stderr, "nsview: " and the message, followed for a usage error
// (exit 2) by the pointer to --help; exit 1 only for the runtime errors a
// well-formed request can meet; and nothing from the arguments on either
// output that could act on a terminal.
func checkCommandLine(t *testing.T, args []string, code int, stdout, stderr string) {
	t.Helper()
	fail := func(format string, a ...any) {
		t.Helper()
		out := stdout
		if len(out) > 500 {
			out = out[:500] + "..."
		}
		t.Fatalf("nsview %q: exit %d, stdout %q, stderr %q: "+format, append([]any{args, code, out, stderr}, a...)...)
	}
	var lines []string
	if stderr != "" {
		if !strings.HasSuffix(stderr, "\n") {
			fail("stderr does not end with a newline")
		}
		lines = strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	}
	for _, l := range lines {
		if !printable(l) {
			fail("stderr line %q holds raw control or format characters", l)
		}
	}
	switch code {
	case exitOK:
		if len(lines) > 0 {
			fail("success with something on stderr")
		}
	case exitError:
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "nsview: ") {
			fail("want one line on stderr, starting with 'nsview: '")
		}
		if msg := strings.TrimPrefix(lines[0], "nsview: "); !runtimeErrors.MatchString(msg) {
			fail("exit 1 for %q, which is not a runtime error: a usage error must exit 2", msg)
		}
	case exitUsage:
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "nsview: ") || lines[1] != usagePointer {
			fail("want 2 lines on stderr: 'nsview: ' and the message, then %q", usagePointer)
		}
	default:
		fail("not an exit code of these commands (0, 1, 2)")
	}
	if code == exitOK && args[0] == "help" && !helpNames(args[1:]) {
		fail("help shown for a topic that names no command: want a usage error")
	}
	if code != exitOK && stdout != "" {
		fail("output on stdout with an error")
	}
	// tree -G draws with VT100 line drawing, switched on and off by these
	// (pkg/tree's vtBeg and vtEnd).
	if !printable(stdout, "\n", "\t", "\x1b(0\x0f", "\x1b(B") {
		fail("stdout holds raw control or format characters")
	}
}

// helpNames reports whether topic, the arguments of nsview help, names a
// command: each word a subcommand's name or alias under the one before.
// Arguments with a flag anywhere (-h, --, ...) are not checked: cobra
// reads flags wherever they stand, and -h after any topic shows help's own
// help, rightly.
func helpNames(topic []string) bool {
	for _, w := range topic {
		if strings.HasPrefix(w, "-") {
			return true
		}
	}
	cmd := newRootCmd(&globalOptions{})
next:
	for _, w := range topic {
		for _, c := range cmd.Commands() {
			if c.Name() == w || c.HasAlias(w) {
				cmd = c
				continue next
			}
		}
		return false
	}
	return true
}

// FuzzCommandLine runs nsview's root command in process on a command
// chosen by cmd and the arguments args (see fuzzArgs), reading a fixture
// snapshot, and checks checkCommandLine's properties.
func FuzzCommandLine(f *testing.F) {
	// -H highlights with the terminal's escapes; a dumb terminal has none.
	f.Setenv("TERM", "dumb")
	f.Setenv("COLUMNS", "132")
	dir := f.TempDir()
	for _, seed := range cliFuzzSeeds() {
		f.Add(seed.cmd, seed.args)
	}
	f.Fuzz(func(t *testing.T, cmd byte, s string) {
		args := append(slices.Clone(fuzzCommands[int(cmd)%len(fuzzCommands)]), fuzzArgs(s)...)
		var stdout, stderr bytes.Buffer
		code := execute(fuzzRoot(dir), args, strings.NewReader(""), &stdout, &stderr)
		checkCommandLine(t, args, code, stdout.String(), stderr.String())
	})
}

// cliFuzzSeed is one input of FuzzCommandLine.
type cliFuzzSeed struct {
	cmd  byte
	args string
}

// seedFor returns the seed that runs args, which start with a command of
// fuzzCommands (the longest that fits); ok is false for a command that is
// not fuzzed.
func seedFor(args []string) (seed cliFuzzSeed, ok bool) {
	best := -1
	for i, c := range fuzzCommands {
		if len(args) >= len(c) && slices.Equal(args[:len(c)], c) && (best < 0 || len(c) > len(fuzzCommands[best])) {
			best = i
		}
	}
	if best < 0 {
		return cliFuzzSeed{}, false
	}
	return cliFuzzSeed{byte(best), joinFuzzArgs(args[len(fuzzCommands[best]):])}, true
}

// exampleSeeds are the nsview command lines of every command's Example
// that FuzzCommandLine can run: each pipeline or && part on its own,
// without its comment and redirections, global flags after the command,
// and the shell's PID ($$) and a sandbox ID ($id) as processes of the
// fixture.
func exampleSeeds() []cliFuzzSeed {
	var seeds []cliFuzzSeed
	for _, c := range allCommands(newRootCmd(&globalOptions{})) {
		for _, line := range exampleLines(c.Example) {
			line, _, _ = strings.Cut(line, "#")
			line = strings.NewReplacer("$$", "104", `"$id"`, "pid:[4026532200]").Replace(line)
			for _, part := range regexp.MustCompile(`&&|\||>`).Split(line, -1) {
				words := strings.Fields(part)
				if len(words) < 2 || words[0] != "nsview" {
					continue
				}
				words = words[1:]
				if words[0] == "--input" && len(words) > 2 {
					words = append(words[2:3:3], append(words[:2:2], words[3:]...)...)
				}
				if seed, ok := seedFor(words); ok {
					seeds = append(seeds, seed)
				}
			}
		}
	}
	return seeds
}

// cliFuzzSeeds are the examples and the hard cases: empty and odd
// arguments, huge and negative numbers, malformed namespaces, and hostile
// bytes (escape sequences, newlines, C1 controls, invalid UTF-8, bidi
// overrides) in every kind of place, each once seen echoed raw or reported
// with the wrong exit code by some CLI.
func cliFuzzSeeds() []cliFuzzSeed {
	seeds := exampleSeeds()
	const esc = "\x1b]0;TITLE\a\x1b[2J"
	huge := "99999999999999999999"
	for _, args := range [][]string{
		{"tree"}, {"tree", ""}, {"tree", "--"}, {"tree", "--", "-p"}, {"tree", "-"},
		{"tree", "-H"}, {"tree", "-H", "0"}, {"tree", "-H", "-1"}, {"tree", "-H", huge}, {"tree", "-H", "104", "-p"},
		{"tree", "-h", "-H", "1"}, {"tree", "-h", "-p"},
		{"tree", "--inside", "-5"}, {"tree", "--inside", huge}, {"tree", "--inside", "5"}, {"tree", "--inside", "104", "--ns", "1"},
		{"tree", "-1"}, {"tree", "0"}, {"tree", huge}, {"tree", "12abc"}, {"tree", "108", "-s", "-p"}, {"tree", "5", "-s"},
		{"tree", "root"}, {"tree", "nobody"}, {"tree", "no-such-user-" + esc}, {"tree", "1", "2"},
		{"tree", "-N", ""}, {"tree", "-N", "bogus"}, {"tree", "-N", "pid", "-p"}, {"tree", "-S", "-u", "-g"},
		{"tree", "--ns", "pid:[x]"}, {"tree", "--ns", "net:[1]"}, {"tree", "--ns", "0"}, {"tree", "--ns", "4026532200", "-p"},
		{"tree", "-A", "-U", "-G"}, {"tree", "-G"}, {"tree", "-U"}, {"tree", "--ascii=maybe"},
		{"tree", "--json", "-a"}, {"tree", "--by-ns", "--nspid"}, {"tree", "--containers", "-l", "-n", "-t", "-T", "-c"},
		{"ns", ""}, {"ns", "--"}, {"ns", "-o", "+"}, {"ns", "-o", ""}, {"ns", "-o", ","}, {"ns", "-o", "+,"}, {"ns", "-o", "NS,,TYPE"},
		{"ns", "-o", "+FOUND,CONTAINER,NETNSID"}, {"ns", "--output-all", "-J"}, {"ns", "-o", "nosuch"}, {"ns", "-o", esc},
		{"ns", "-t", ""}, {"ns", "-t", "mount"}, {"ns", "-t", "pid", "-t", "net"}, {"ns", "-t", "\xc2\x9b31m"},
		{"ns", "-T"}, {"ns", "-T", "parent"}, {"ns", "-T", "parent", "parent"}, {"ns", "-Tbogus"}, {"ns", "--tree=process", "-l"},
		{"ns", "-p", "-1"}, {"ns", "-p", huge}, {"ns", "-p", "104", "4026532200"}, {"ns", "-p", "abc"},
		{"ns", "pid:[4026532200]"}, {"ns", "net:[" + esc + "]"}, {"ns", "0"}, {"ns", huge + "9"}, {"ns", "1", "2"},
		{"ns", "-J", "-r"}, {"ns", "-r", "-n", "-u", "-W"}, {"ns", "--processes-only", "-l"},
		{"ns", "--matrix", "-1"}, {"ns", "--matrix", "abc"}, {"ns", "--matrix", "1", "104", "--all", "-J"},
		{"lsns", "-t", "user", "-o", "NS,PID,COMMAND"},
		{"pid"}, {"pid", ""}, {"pid", "--"}, {"pid", "-1"}, {"pid", "0"}, {"pid", huge}, {"pid", "1", "104", "108"}, {"pid", "5"},
		{"pid", "--in", "pid:abc", "1"}, {"pid", "--in", "bogus", "1"}, {"pid", "--in", "net:[1]", "1"}, {"pid", "--in", "0", "1"},
		{"pid", "--in", "pid:104", "1"}, {"pid", "--in", "pid:104", "99"}, {"pid", "--in", "pid:104", "1", "2"}, {"pid", "--in", "pid:5", "1"},
		{"pid", "--to", "pid:[4026532200]", "108"}, {"pid", "--to", "4026532200", "108", "--json"}, {"pid", "--in", "x", "--to", "y", "1"},
		{"pid", "--method", "kernel", "1"}, {"pid", "--method", "nspid", "1"}, {"pid", "--method", "\xc2\x85", "1"},
		{"pid", "--in", "pid:[" + esc + "]", "1"}, {"pid", esc},
		{"snapshot", "-o", "host.json"}, {"snapshot", "-o", "-"}, {"snapshot", "-o", ""}, {"snapshot", "extra"},
		{"version", "x"}, {"version", "--\x1b[2J"}, {"version", "-\x1b"},
		{"completion"}, {"completion", "bash"}, {"completion", "zsh"}, {"completion", "fish"}, {"completion", "powershell"},
		{"completion", "\xff\xfe"}, {"completion", ""}, {"completion", "bash", "zsh"},
		{"help"}, {"help", "tree"}, {"help", "nosuch"}, {"help", "help"}, {"help", esc}, {"help", "ns", "\u202eevil"},
		{"help", "\xc2\x85"}, {"help", "tree", "extra"},
		{"tree", "--input=/dev/zero"}, {"tree", "--input", ""}, {"tree", "--proc", "/nonexistent"},
		{"tree", "--\n"}, {"tree", "-\r"}, {"tree", "--\u2028"}, {"tree", "-N", "\xff"}, {"ns", "--\x7f=1"},
	} {
		seed, ok := seedFor(args)
		if !ok {
			panic("not a fuzzed command: " + args[0])
		}
		seeds = append(seeds, seed)
	}
	return seeds
}
