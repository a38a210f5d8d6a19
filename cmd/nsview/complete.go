package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsls"
	"github.com/nsview/nsview/pkg/spawn"
	"github.com/nsview/nsview/pkg/tree"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newCompletionCmd is `nsview completion bash|zsh|fish`: cobra's generators
// behind a command of our own, so it has an example and rejects other shells
// as a usage error (nsview is Linux-only: no PowerShell).
func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print the shell completion script for bash, zsh or fish",
		Long: `Print the completion script for bash, zsh or fish on stdout. It completes
commands and flags, and the values of the flags that take one:

  PIDs, with names          tree --inside, -H and PID; ns -p; ns --matrix;
                            nsview pid
  namespaces, with their    tree --ns, pid --in and --to (pid:[N], N, or
  first process             pid:HOSTPID); nsview ns NS (type:[N] or N,
                            of the -t types)
  sandboxes                 spawn --stop (pid:[N], or the init's PID)
  namespace types           tree -N, ns -t
  words                     ns -o (column names, also after a comma or +),
                            ns -T, pid --method, tui --interval,
                            spawn --grace
  files, directories        --input and snapshot -o (*.json), --proc and
                            man -d (directories)

With --input FILE, PIDs and namespaces come from that snapshot; sandboxes
always come from the live system.

The release packages install the scripts where each shell finds them. To
install them by hand:

  bash: nsview completion bash > /usr/share/bash-completion/completions/nsview
  zsh:  nsview completion zsh > /usr/local/share/zsh/site-functions/_nsview
  fish: nsview completion fish > ~/.config/fish/completions/nsview.fish

Bash completion needs the bash-completion package, which most distributions
install with bash.`,
		Example: `  source <(nsview completion bash)     # this bash session only
  nsview completion zsh > _nsview      # then put _nsview in a directory of $fpath
  nsview completion fish | source      # this fish session only`,
		ValidArgs:             []string{"bash", "zsh", "fish"},
		DisableFlagsInUseLine: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("nsview completion takes one shell: bash, zsh or fish")
			}
			if !slices.Contains(cmd.ValidArgs, args[0]) {
				return usageErrorf("nsview completion: unsupported shell %q (want bash, zsh or fish)", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, w := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, true)
			case "zsh":
				return root.GenZshCompletion(w)
			default:
				return root.GenFishCompletion(w, true)
			}
		},
	}
}

// completionRegistration attaches a completion function to a flag, or to
// the positional arguments, of one command.
type completionRegistration struct {
	// command is the command's path below the root, e.g. "ns"; "" is
	// the root, whose persistent flags every command has.
	command string
	// flag is the flag's long name or one-letter shorthand; "" means the
	// positional arguments.
	flag string
	// complete builds the completion function.
	complete func(g *globalOptions) cobra.CompletionFunc
}

// completionRegistrations says which flags complete what. An entry whose
// command does not exist (yet) is skipped; a test fails when an entry's
// command exists without its flag, so a renamed flag cannot silently lose
// its completion. A command that registers a completion itself keeps it.
var completionRegistrations = []completionRegistration{
	{"", "input", constCompletion(completeSnapshotFiles)},
	{"", "proc", constCompletion(completeDirs)},
	{"tree", "inside", completePIDs},
	{"tree", "H", completePIDs},
	{"tree", "N", constCompletion(completeNSTypes)},
	{"tree", "ns", completePIDNamespaces(false)},
	{"tree", "", completePIDs},
	{"snapshot", "output", constCompletion(completeSnapshotFiles)},
	{"ns", "type", constCompletion(completeNSTypes)},
	{"ns", "task", completePIDs},
	{"ns", "output", func(*globalOptions) cobra.CompletionFunc { return completeColumns(nsColumnChoices()) }},
	{"ns", "tree", constCompletion(completeWords(nsTreeKinds))},
	{"ns", "", completeNSArgs},
	{"pid", "in", completePIDNamespaces(true)},
	{"pid", "to", completePIDNamespaces(true)},
	{"pid", "method", constCompletion(completeWords(pidMethods))},
	{"pid", "", completePIDs},
	{"spawn", "stop", constCompletion(completeSandboxes)},
	{"spawn", "depth", constCompletion(completeWords(nil))},
	{"spawn", "hostname", constCompletion(completeWords(nil))},
	{"spawn", "grace", constCompletion(completeWords(durations))},
	{"tui", "interval", constCompletion(completeWords(durations))},
	{"man", "dir", constCompletion(completeDirs)},
}

// The fixed choices of some flags, each with what it means.
var (
	nsTreeKinds = []columnChoice{
		{"parent", "namespaces under their parent (PID and user)"},
		{"owner", "namespaces under the user namespace that owns them"},
		{"process", "the process tree in each namespace (the default)"},
	}
	pidMethods = []columnChoice{
		{"auto", "the kernel where it can, else NSpid chains"},
		{"kernel", "NS_GET_TGID_IN_PIDNS and NS_GET_TGID_FROM_PIDNS only"},
		{"nspid", "NSpid chains from /proc/PID/status only"},
	}
	durations = []columnChoice{{"500ms", ""}, {"1s", ""}, {"2s", ""}, {"5s", ""}, {"10s", ""}}
)

func constCompletion(f cobra.CompletionFunc) func(*globalOptions) cobra.CompletionFunc {
	return func(*globalOptions) cobra.CompletionFunc { return f }
}

// registerCompletions applies completionRegistrations to the commands and
// flags of root that exist.
func registerCompletions(root *cobra.Command, g *globalOptions) {
	for _, r := range completionRegistrations {
		cmd := findSubcommand(root, r.command)
		if cmd == nil {
			continue
		}
		if r.flag == "" {
			if cmd.ValidArgsFunction == nil && len(cmd.ValidArgs) == 0 {
				cmd.ValidArgsFunction = r.complete(g)
			}
			continue
		}
		f := lookupFlag(cmd, r.flag)
		if f == nil || f.Value.Type() == "bool" {
			continue
		}
		if _, done := cmd.GetFlagCompletionFunc(f.Name); !done {
			// The only possible error is "already registered", checked above.
			_ = cmd.RegisterFlagCompletionFunc(f.Name, r.complete(g))
		}
	}
}

// findSubcommand returns the command at path (names separated by spaces)
// below root, or nil.
func findSubcommand(root *cobra.Command, path string) *cobra.Command {
	cmd := root
next:
	for _, name := range strings.Fields(path) {
		for _, c := range cmd.Commands() {
			if c.Name() == name {
				cmd = c
				continue next
			}
		}
		return nil
	}
	return cmd
}

// lookupFlag finds a flag of cmd (its own or inherited) by long name or
// one-letter shorthand.
func lookupFlag(cmd *cobra.Command, name string) *pflag.Flag {
	for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.PersistentFlags()} {
		if f := fs.Lookup(name); f != nil {
			return f
		}
		if len(name) == 1 {
			if f := fs.ShorthandLookup(name); f != nil {
				return f
			}
		}
	}
	if len(name) == 1 {
		if f := cmd.InheritedFlags().ShorthandLookup(name); f != nil {
			return f
		}
	}
	return cmd.InheritedFlags().Lookup(name)
}

// nsTypeHelp describes each namespace type for completion menus, in the
// words of namespaces(7).
var nsTypeHelp = map[nsinfo.Type]string{
	nsinfo.Cgroup: "cgroup root directory",
	nsinfo.IPC:    "System V IPC, POSIX message queues",
	nsinfo.Mount:  "mount points",
	nsinfo.Net:    "network devices, stacks, ports",
	nsinfo.PID:    "process IDs",
	nsinfo.User:   "user and group IDs",
	nsinfo.UTS:    "hostname and NIS domain name",
	nsinfo.Time:   "boot and monotonic clocks",
}

// completeWords completes one of a fixed list of words (none: the value is
// the user's own, and no file name fits it).
func completeWords(words []columnChoice) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, w := range words {
			if strings.HasPrefix(w.name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(w.name, w.help))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// completeSnapshotFiles completes a snapshot file name: *.json, and
// directories on the way to one.
func completeSnapshotFiles(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return []cobra.Completion{"json"}, cobra.ShellCompDirectiveFilterFileExt
}

// completeDirs completes a directory name (--proc, man -d).
func completeDirs(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// completeNSTypes completes a namespace type name (-t, -N).
func completeNSTypes(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, t := range nsinfo.Types {
		if strings.HasPrefix(t.String(), strings.ToLower(toComplete)) {
			out = append(out, cobra.CompletionWithDesc(t.String(), nsTypeHelp[t]))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// columnChoice is one column name offered by completeColumns.
type columnChoice struct {
	name string
	help string
}

// nsColumnChoices lists nsview ns's columns, for -o.
func nsColumnChoices() []columnChoice {
	var out []columnChoice
	for _, c := range nsls.AllColumns() {
		out = append(out, columnChoice{c.Name(), c.Help()})
	}
	return out
}

// completeColumns completes a column list such as lsns -o takes:
// NAME,NAME,... or +NAME,... to add to the defaults. It completes the last
// name of the list, case-insensitively, and leaves out names already in it.
func completeColumns(cols []columnChoice) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		prefix, last := "", toComplete
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			prefix, last = toComplete[:i+1], toComplete[i+1:]
		} else if strings.HasPrefix(toComplete, "+") {
			prefix, last = "+", toComplete[1:]
		}
		listed := map[string]bool{}
		for _, name := range strings.Split(strings.TrimPrefix(prefix, "+"), ",") {
			listed[strings.ToUpper(name)] = true
		}
		var out []cobra.Completion
		for _, c := range cols {
			if listed[c.name] || !strings.HasPrefix(c.name, strings.ToUpper(last)) {
				continue
			}
			out = append(out, cobra.CompletionWithDesc(prefix+c.name, c.help))
		}
		// No space after a name: the user may type a comma and go on.
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveKeepOrder
	}
}

// completePIDs completes the PID of a live process (or, with --input, of a
// process in the snapshot), each described by its name.
func completePIDs(g *globalOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		procs, err := procChoices(g)
		if err != nil {
			cobra.CompDebugln(fmt.Sprintf("complete PIDs: %v", err), true)
			return nil, cobra.ShellCompDirectiveError
		}
		var out []cobra.Completion
		for _, p := range procs {
			s := strconv.Itoa(p.pid)
			if strings.HasPrefix(s, toComplete) && !slices.Contains(args, s) {
				out = append(out, cobra.CompletionWithDesc(s, escape.Text(p.name)))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// completePIDNamespaces completes the PID namespace of tree --ns and pid
// --in/--to: pid:[N], or its bare inode N once a digit is typed, each
// described by its lowest PID, that process's name and how many processes
// are in it; with hostPID, also pid:HOSTPID once "pid:" and a digit are
// typed.
func completePIDNamespaces(hostPID bool) func(g *globalOptions) cobra.CompletionFunc {
	return func(g *globalOptions) cobra.CompletionFunc {
		return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			const dir = cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
			procs, err := procChoices(g, nsinfo.PID)
			if err != nil {
				cobra.CompDebugln(fmt.Sprintf("complete PID namespaces: %v", err), true)
				return nil, cobra.ShellCompDirectiveError
			}
			if rest, ok := strings.CutPrefix(toComplete, "pid:"); ok && hostPID && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
				var out []cobra.Completion
				for _, p := range procs {
					if s := "pid:" + strconv.Itoa(p.pid); strings.HasPrefix(s, toComplete) {
						out = append(out, cobra.CompletionWithDesc(s, "the PID namespace of "+escape.Text(p.name)))
					}
				}
				return out, dir
			}
			return namespaceChoices(procs, []nsinfo.Type{nsinfo.PID}, toComplete), dir
		}
	}
}

// completeNSArgs completes nsview ns's argument: a namespace (type:[N], or
// N once a digit is typed) of the types -t names, or with --matrix, PIDs.
func completeNSArgs(g *globalOptions) cobra.CompletionFunc {
	pids := completePIDs(g)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if flagChanged(cmd.Flags(), "matrix") {
			return pids(cmd, args, toComplete)
		}
		var out []cobra.Completion
		// `-T parent` in two words: the kind is an argument (nsArgs).
		if tree := cmd.Flags().Lookup("tree"); tree != nil && tree.Changed && tree.Value.String() == "owner" {
			kind := slices.IndexFunc(args, func(a string) bool {
				return slices.ContainsFunc(nsTreeKinds, func(k columnChoice) bool { return k.name == a })
			})
			if kind < 0 {
				out, _ = completeWords(nsTreeKinds)(cmd, args, toComplete)
			} else {
				args = slices.Delete(slices.Clone(args), kind, kind+1)
			}
		}
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp // one namespace at most
		}
		types := nsinfo.Types[:]
		if names, err := cmd.Flags().GetStringArray("type"); err == nil && len(names) > 0 {
			types = nil
			for _, n := range names {
				// The shell's request may parse -t twice: no type twice.
				if t, err := nsinfo.ParseType(n); err == nil && !slices.Contains(types, t) {
					types = append(types, t)
				}
			}
		}
		procs, err := procChoices(g, types...)
		if err != nil {
			cobra.CompDebugln(fmt.Sprintf("complete namespaces: %v", err), true)
			return nil, cobra.ShellCompDirectiveError
		}
		out = append(out, namespaceChoices(procs, types, toComplete)...)
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// namespaceChoices lists the namespaces of the given types that procs are
// in, as type:[N] (N alone when toComplete starts with a digit), those
// starting with toComplete, type by type, each described by its lowest PID,
// that process's name and how many processes are in it.
func namespaceChoices(procs []pidChoice, types []nsinfo.Type, toComplete string) []cobra.Completion {
	bare := toComplete != "" && toComplete[0] >= '0' && toComplete[0] <= '9'
	var out []cobra.Completion
	for _, t := range types {
		type nsChoice struct {
			first pidChoice // the lowest PID in it: procs are sorted
			n     int
		}
		var order []uint64
		byIno := map[uint64]*nsChoice{}
		for _, p := range procs {
			ino := p.ns.Get(t).Ino
			if ino == 0 {
				continue
			}
			c := byIno[ino]
			if c == nil {
				c = &nsChoice{first: p}
				byIno[ino] = c
				order = append(order, ino)
			}
			c.n++
		}
		for _, ino := range order {
			c := byIno[ino]
			s := nsinfo.ID{Type: t, Ino: ino}.String()
			if bare {
				s = strconv.FormatUint(ino, 10)
			}
			if !strings.HasPrefix(s, toComplete) {
				continue
			}
			desc := fmt.Sprintf("PID %d (%s) and %d more", c.first.pid, escape.Text(c.first.name), c.n-1)
			if c.n == 1 {
				desc = fmt.Sprintf("PID %d (%s) alone", c.first.pid, escape.Text(c.first.name))
			}
			out = append(out, cobra.CompletionWithDesc(s, desc))
		}
	}
	return out
}

// completeSandboxes completes spawn --stop: the PID namespace of each
// nsview sandbox running here, or its init's PID once a digit is typed,
// described by the init and the command. It always reads the live system:
// --stop acts on it, whatever --input says.
func completeSandboxes(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	running, err := spawn.List()
	if err != nil {
		cobra.CompDebugln(fmt.Sprintf("complete sandboxes: %v", err), true)
		return nil, cobra.ShellCompDirectiveError
	}
	bare := toComplete != "" && toComplete[0] >= '0' && toComplete[0] <= '9'
	var out []cobra.Completion
	for _, r := range running {
		s := r.PIDNamespace.String()
		desc := fmt.Sprintf("init %d", r.Init)
		if bare || r.PIDNamespace.Ino == 0 {
			s, desc = strconv.Itoa(r.Init), "init of "+r.PIDNamespace.String()
			if r.PIDNamespace.Ino == 0 {
				desc = "nsview's init"
			}
		}
		if r.Command != "" {
			desc += ", running " + escape.Text(r.Command)
		}
		if strings.HasPrefix(s, toComplete) {
			out = append(out, cobra.CompletionWithDesc(s, desc))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}

type pidChoice struct {
	pid  int
	name string
	ns   nsinfo.Set // the namespaces read: those asked for, where readable
}

// procChoices lists the processes to offer, by PID: from the --input
// snapshot, or from /proc, reading each live process's comm (the cheapest
// name to read) and the namespace links of the given types.
func procChoices(g *globalOptions, types ...nsinfo.Type) ([]pidChoice, error) {
	var out []pidChoice
	if g.input != "" {
		s, err := tree.LoadSnapshot(g.input)
		if err != nil {
			return nil, err
		}
		for i := range s.Processes {
			p := &s.Processes[i]
			out = append(out, pidChoice{p.PID, p.Comm, p.NS})
		}
	} else {
		proc, err := nsinfo.NewProcFS(g.procPath)
		if err != nil {
			return nil, err
		}
		pids, err := proc.PIDs()
		if err != nil {
			return nil, err
		}
		var buf []byte
		for _, pid := range pids {
			dir, err := proc.Files.OpenProc(pid)
			if err != nil {
				continue // gone since the listing
			}
			c := pidChoice{pid: pid}
			var commErr error
			buf, commErr = dir.ReadFile("comm", buf[:0])
			if commErr == nil {
				c.name = strings.TrimSuffix(string(buf), "\n")
			}
			for _, t := range types {
				// Unreadable (another user's process): left out of the
				// namespace choices, still offered as a PID.
				if link, err := dir.Readlink("ns/" + t.String()); err == nil {
					if id, err := nsinfo.ParseID(link); err == nil {
						c.ns.Put(id)
					}
				}
			}
			dir.Close()
			if commErr == nil {
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b pidChoice) int { return a.pid - b.pid })
	return out, nil
}
