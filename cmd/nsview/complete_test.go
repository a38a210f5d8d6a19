package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// complete runs cobra's hidden __complete command, as the shell scripts do,
// and returns the candidates and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"__complete"}, args...), strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d: %s", args, code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func TestCompleteCommandsAndShells(t *testing.T) {
	got, _ := complete(t, "")
	for _, want := range []string{"completion", "snapshot", "tree", "version"} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, want+"\t") }) {
			t.Errorf("nsview <TAB>: no %q in %q", want, got)
		}
	}
	if slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "man\t") }) {
		t.Errorf("nsview <TAB> offers the hidden man command: %q", got)
	}
	got, _ = complete(t, "completion", "")
	if !slices.Equal(got, []string{"bash", "zsh", "fish"}) {
		t.Errorf("nsview completion <TAB>: %q", got)
	}
}

func TestCompleteNSTypes(t *testing.T) {
	got, dir := completeNSTypes(nil, nil, "")
	var names []string
	for _, c := range got {
		name, help, _ := strings.Cut(c, "\t")
		names = append(names, name)
		if help == "" {
			t.Errorf("%q has no description", name)
		}
	}
	want := []string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time"}
	if !slices.Equal(names, want) || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Errorf("types: %q (directive %d), want %q", names, dir, want)
	}
	if got, _ := completeNSTypes(nil, nil, "U"); len(got) != 2 || !strings.HasPrefix(got[0], "user\t") || !strings.HasPrefix(got[1], "uts\t") {
		t.Errorf(`types for "U": %q`, got)
	}
}

func TestCompleteColumns(t *testing.T) {
	cols := []columnChoice{{"NS", "namespace"}, {"NPROCS", "count"}, {"TYPE", "kind"}, {"PID", "lowest PID"}}
	f := completeColumns(cols)
	for _, c := range []struct {
		toComplete string
		want       []string
	}{
		{"", []string{"NS", "NPROCS", "TYPE", "PID"}},
		{"n", []string{"NS", "NPROCS"}},
		{"NS,", []string{"NS,NPROCS", "NS,TYPE", "NS,PID"}},
		{"NS,t", []string{"NS,TYPE"}},
		{"+", []string{"+NS", "+NPROCS", "+TYPE", "+PID"}},
		{"+p", []string{"+PID"}},
		{"+PID,NS,", []string{"+PID,NS,NPROCS", "+PID,NS,TYPE"}},
		{"X", nil},
	} {
		got, dir := f(nil, nil, c.toComplete)
		var names []string
		for _, g := range got {
			name, _, _ := strings.Cut(g, "\t")
			names = append(names, name)
		}
		if !slices.Equal(names, c.want) {
			t.Errorf("columns for %q: %q, want %q", c.toComplete, names, c.want)
		}
		if dir&cobra.ShellCompDirectiveNoSpace == 0 {
			t.Errorf("columns for %q: a space would follow the name", c.toComplete)
		}
	}
}

// TestCompletePIDsLive starts a process and finds it, named, among the
// PIDs offered.
func TestCompletePIDsLive(t *testing.T) {
	sleep := exec.Command("sleep", "600")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	pid := sleep.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGKILL)
		sleep.Wait()
	})
	got, dir := completePIDs(&globalOptions{procPath: "/proc"})(nil, nil, strconv.Itoa(pid))
	if !slices.Contains(got, strconv.Itoa(pid)+"\tsleep") {
		t.Errorf("PIDs for %d: %q, want %q", pid, got, strconv.Itoa(pid)+"\tsleep")
	}
	if dir&cobra.ShellCompDirectiveKeepOrder == 0 {
		t.Error("PIDs would be sorted as text by the shell")
	}
	all, _ := completePIDs(&globalOptions{procPath: "/proc"})(nil, nil, "")
	var pids []int
	for _, c := range all {
		p, _, _ := strings.Cut(c, "\t")
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatalf("not a PID: %q", c)
		}
		pids = append(pids, n)
	}
	if !slices.IsSorted(pids) || !slices.Contains(pids, os.Getpid()) {
		t.Errorf("all PIDs: not sorted, or without this test's own PID %d", os.Getpid())
	}
	// A PID already given is not offered again (nsview pid 1 2 ...).
	if got, _ := completePIDs(&globalOptions{procPath: "/proc"})(nil, []string{strconv.Itoa(pid)}, strconv.Itoa(pid)); len(got) != 0 {
		t.Errorf("PID %d offered again: %q", pid, got)
	}
}

// writeSnapshot saves a snapshot of the given processes for --input.
func writeSnapshot(t *testing.T, procs ...tree.Process) string {
	t.Helper()
	s := &tree.Snapshot{Schema: tree.SchemaVersion, ProcPath: "/proc", Processes: procs}
	path := filepath.Join(t.TempDir(), "snap.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteJSON(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCompletePIDsFromInput: with --input, the PIDs are the snapshot's, and
// a hostile name is escaped before it reaches the shell's menu.
func TestCompletePIDsFromInput(t *testing.T) {
	snap := writeSnapshot(t,
		tree.Process{PID: 4242, PPID: 1, Comm: "evil\x1b[31m\n"},
		tree.Process{PID: 1, Comm: "init"},
		tree.Process{PID: 42, PPID: 1, Comm: "x"},
	)
	got, _ := completePIDs(&globalOptions{input: snap})(nil, nil, "4")
	want := []string{"42\tx", `4242` + "\t" + `evil\x1b[31m\n`}
	if !slices.Equal(got, want) {
		t.Errorf("PIDs from snapshot: %q, want %q", got, want)
	}
	// Through the command line, as the shell asks: tree's PID argument.
	got, _ = complete(t, "--input", snap, "tree", "42")
	if !slices.Equal(got, want) {
		t.Errorf("nsview --input SNAP tree 42<TAB>: %q, want %q", got, want)
	}
}

// TestCompletionRegistrationsApply builds a command tree with the flags that
// completionRegistrations names, as the other commands define them, and
// checks through __complete that each completes what it should.
func TestCompletionRegistrationsApply(t *testing.T) {
	inNS := func(p tree.Process, pidns uint64) tree.Process {
		p.NS.Put(nsinfo.ID{Type: nsinfo.PID, Ino: pidns})
		return p
	}
	snap := writeSnapshot(t,
		inNS(tree.Process{PID: 7, Comm: "seven"}, 4026532000),
		inNS(tree.Process{PID: 1, Comm: "init"}, 4026531836),
		inNS(tree.Process{PID: 8, Comm: "eight"}, 4026532000),
	)
	g := &globalOptions{}
	root := &cobra.Command{Use: "nsview"}
	root.PersistentFlags().StringVar(&g.input, "input", "", "")
	root.PersistentFlags().StringVar(&g.procPath, "proc", "/proc", "")
	noop := func(*cobra.Command, []string) error { return nil }
	treeCmd := &cobra.Command{Use: "tree", RunE: noop}
	treeCmd.Flags().Int("inside", 0, "")
	treeCmd.Flags().String("ns", "", "")
	treeCmd.Flags().IntP("highlight-pid", "H", 0, "")
	treeCmd.Flags().StringP("ns-sort", "N", "", "")
	treeCmd.Flags().BoolP("show-pids", "p", false, "")
	nsCmd := &cobra.Command{Use: "ns", RunE: noop}
	nsCmd.Flags().StringArrayP("type", "t", nil, "")
	nsCmd.Flags().IntP("task", "p", 0, "")
	pidCmd := &cobra.Command{Use: "pid", RunE: noop}
	root.AddCommand(treeCmd, nsCmd, pidCmd)
	registerCompletions(root, g)

	ask := func(args ...string) []string {
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(append([]string{"__complete", "--input", snap}, args...))
		if err := root.Execute(); err != nil {
			t.Fatalf("__complete %q: %v", args, err)
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		return lines[:len(lines)-1]
	}
	pids := []string{"1\tinit", "7\tseven", "8\teight"}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"tree", "--inside", ""}, pids},
		{[]string{"tree", "-H", ""}, pids},
		{[]string{"tree", ""}, pids},
		{[]string{"ns", "-p", "7"}, pids[1:2]},
		{[]string{"ns", "--task", ""}, pids},
		{[]string{"pid", ""}, pids},
		{[]string{"pid", "7", ""}, []string{pids[0], pids[2]}},
		{[]string{"tree", "--ns", ""}, []string{"pid:[4026531836]\tPID 1 (init) alone", "pid:[4026532000]\tPID 7 (seven) and 1 more"}},
		{[]string{"tree", "--ns", "4026532"}, []string{"4026532000\tPID 7 (seven) and 1 more"}},
		{[]string{"ns", "-t", "p"}, []string{"pid\tprocess IDs"}},
		{[]string{"tree", "-N", "ne"}, []string{"net\tnetwork devices, stacks, ports"}},
	} {
		if got := ask(c.args...); !slices.Equal(got, c.want) {
			t.Errorf("%q: %q, want %q", c.args, got, c.want)
		}
	}
}

// TestCompletionRegistrationsCurrent fails when a command that
// completionRegistrations names exists without the flag it names: the flag
// was renamed and the table must follow. Entries whose command does not
// exist yet are listed in the log.
func TestCompletionRegistrationsCurrent(t *testing.T) {
	root := newRootCmd(&globalOptions{})
	for _, r := range completionRegistrations {
		cmd := findSubcommand(root, r.command)
		what := strings.TrimSpace("nsview " + r.command)
		switch {
		case r.flag == "":
			what += " ARG"
		case len(r.flag) == 1:
			what += " -" + r.flag
		default:
			what += " --" + r.flag
		}
		if cmd == nil {
			t.Logf("not registered yet (no command): %s", what)
			continue
		}
		if r.flag == "" {
			if cmd.ValidArgsFunction == nil {
				t.Errorf("%s: positional arguments have no completion", what)
			}
			continue
		}
		f := lookupFlag(cmd, r.flag)
		if f == nil {
			t.Errorf("%s: no such flag; update completionRegistrations in complete.go", what)
			continue
		}
		if _, ok := cmd.GetFlagCompletionFunc(f.Name); !ok {
			t.Errorf("%s: no completion registered", what)
		}
	}
}

// TestBashCompletionScript drives the generated bash script the way bash
// does on TAB, with the built binary on PATH.
func TestBashCompletionScript(t *testing.T) {
	bash := testenv.Tool(t, "bash")
	// cobra's script uses the bash-completion package's helpers, as
	// every distribution's bash does when completion is on.
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		testenv.SkipOrFail(t, "the bash-completion package is not installed (scripts/install-test-deps.sh installs it): %v", err)
	}
	bin := builtNsview(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "nsview.bash")
	r := runCommand(t, dir, os.Environ(), time.Minute, bin, "completion", "bash")
	if r.code != 0 {
		t.Fatalf("nsview completion bash: exit %d: %s", r.code, r.stderr)
	}
	if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	snap := writeSnapshot(t, tree.Process{PID: 4242, Comm: "only"}, tree.Process{PID: 1, Comm: "init"})
	env := append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
	for _, c := range []struct {
		line string
		want string
	}{
		{"nsview vers", "version"},
		{"nsview completion z", "zsh"},
		{"nsview --input " + snap + " tree 42", "4242"},
	} {
		r := runCommand(t, dir, env, time.Minute, bash, "-c", `
			source `+bashCompletion+`
			source "$1"
			read -ra COMP_WORDS <<<"$2"
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE=$2
			COMP_POINT=${#COMP_LINE}
			__start_nsview
			printf '%s\n' "${COMPREPLY[@]}"`, "_", script, c.line)
		if got := strings.TrimSpace(r.stdout); r.code != 0 || got != c.want {
			t.Errorf("%q<TAB>: %q (exit %d, %s), want %q", c.line, got, r.code, r.stderr, c.want)
		}
	}
}

// TestCompleteRealCommands asks the real command tree, as the shell does,
// for what nsview ns and nsview pid complete.
func TestCompleteRealCommands(t *testing.T) {
	got, _ := complete(t, "ns", "-o", "NS,FO")
	if len(got) != 1 || !strings.HasPrefix(got[0], "NS,FOUND\t") {
		t.Errorf("nsview ns -o NS,FO<TAB>: %q", got)
	}
	got, _ = complete(t, "lsns", "--type", "us")
	if !slices.Equal(got, []string{"user\tuser and group IDs"}) {
		t.Errorf("nsview lsns --type us<TAB>: %q", got)
	}
	self := strconv.Itoa(os.Getpid())
	for _, args := range [][]string{{"pid", self}, {"ns", "-p", self}, {"tree", "--inside", self}} {
		got, _ = complete(t, args...)
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, self+"\t") }) {
			t.Errorf("nsview %s<TAB>: no %s in %q", strings.Join(args, " "), self, got)
		}
	}
}

// TestEveryValueFlagCompletes: every flag that takes a value, of every
// command, completes something of its own (PIDs, namespaces, types, words,
// files of a kind, directories) or says that nothing can be completed, so a
// flag added later cannot fall back to offering any file name.
func TestEveryValueFlagCompletes(t *testing.T) {
	root := newRootCmd(&globalOptions{})
	for _, c := range allCommands(root) {
		for _, fs := range []*pflag.FlagSet{c.LocalNonPersistentFlags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if f.Value.Type() == "bool" || f.Name == "help" {
					return
				}
				if _, ok := c.GetFlagCompletionFunc(f.Name); !ok {
					t.Errorf("%s --%s takes a value and completes nothing of its own: add it to completionRegistrations in complete.go", c.CommandPath(), f.Name)
				}
			})
		}
	}
}

// TestCompleteNamespacesAndWords asks the real command tree, over a
// snapshot, for the namespaces, PIDs and words that nsview ns, nsview pid
// and nsview tree take, in each form the commands accept.
func TestCompleteNamespacesAndWords(t *testing.T) {
	in := func(p tree.Process, ids ...nsinfo.ID) tree.Process {
		for _, id := range ids {
			p.NS.Put(id)
		}
		return p
	}
	hostPID := nsinfo.ID{Type: nsinfo.PID, Ino: 4026531836}
	boxPID := nsinfo.ID{Type: nsinfo.PID, Ino: 4026532000}
	hostNet := nsinfo.ID{Type: nsinfo.Net, Ino: 4026531833}
	snap := writeSnapshot(t,
		in(tree.Process{PID: 1, Comm: "init"}, hostPID, hostNet),
		in(tree.Process{PID: 7, PPID: 1, Comm: "seven"}, boxPID, hostNet),
		in(tree.Process{PID: 8, PPID: 7, Comm: "eight"}, boxPID, hostNet),
		in(tree.Process{PID: 70, PPID: 1, Comm: "seventy"}, hostPID, hostNet),
	)
	pidNSs := []string{"pid:[4026531836]\tPID 1 (init) and 1 more", "pid:[4026532000]\tPID 7 (seven) and 1 more"}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"pid", "--in", ""}, pidNSs},
		{[]string{"pid", "--to", "pid:[4026532"}, pidNSs[1:]},
		{[]string{"pid", "--in", "4026532"}, []string{"4026532000\tPID 7 (seven) and 1 more"}},
		{[]string{"pid", "--in", "pid:7"}, []string{"pid:7\tthe PID namespace of seven", "pid:70\tthe PID namespace of seventy"}},
		{[]string{"tree", "--ns", "pid:7"}, nil}, // tree --ns takes no pid:HOSTPID
		{[]string{"pid", "--method", "n"}, []string{"nspid\tNSpid chains from /proc/PID/status only"}},
		{[]string{"ns", ""}, []string{
			"net:[4026531833]\tPID 1 (init) and 3 more",
			pidNSs[0], pidNSs[1],
		}},
		{[]string{"ns", "-t", "pid", "4026532"}, []string{"4026532000\tPID 7 (seven) and 1 more"}},
		{[]string{"ns", "--type", "net", "n"}, []string{"net:[4026531833]\tPID 1 (init) and 3 more"}},
		{[]string{"ns", "net:[4026531833]", ""}, nil}, // one namespace at most
		{[]string{"ns", "--matrix", "7"}, []string{"7\tseven", "70\tseventy"}},
		{[]string{"ns", "--matrix", "7", "7"}, []string{"70\tseventy"}},
		{[]string{"ns", "-T", "p"}, []string{
			"parent\tnamespaces under their parent (PID and user)",
			"process\tthe process tree in each namespace (the default)",
			pidNSs[0], pidNSs[1],
		}},
		{[]string{"ns", "-T", "parent", "pid:[4026532"}, pidNSs[1:]},
		{[]string{"ns", "--tree=o"}, []string{"owner\tnamespaces under the user namespace that owns them"}},
		{[]string{"tui", "--interval", "1"}, []string{"1s", "10s"}},
		{[]string{"spawn", "--grace", "5"}, []string{"500ms", "5s"}},
		{[]string{"spawn", "--depth", ""}, nil},
	} {
		got, _ := complete(t, append([]string{"--input", snap}, c.args...)...)
		if !slices.Equal(got, c.want) {
			t.Errorf("nsview %s<TAB>: %q, want %q", strings.Join(c.args, " "), got, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		dir  string
	}{
		{[]string{"--input", ""}, ":8"}, // FilterFileExt: json
		{[]string{"tree", "--input", ""}, ":8"},
		{[]string{"snapshot", "-o", ""}, ":8"},
		{[]string{"--proc", ""}, ":16"}, // FilterDirs
		{[]string{"man", "-d", ""}, ":16"},
	} {
		got, dir := complete(t, c.args...)
		if dir != c.dir {
			t.Errorf("nsview %s<TAB>: directive %s (%q), want %s", strings.Join(c.args, " "), dir, got, c.dir)
		}
	}
	if got, _ := complete(t, "--input", ""); !slices.Equal(got, []string{"json"}) {
		t.Errorf("nsview --input <TAB>: %q, want the extension json", got)
	}
}
