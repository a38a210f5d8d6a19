package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsls"
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
commands and flags, and the values of the flags that take one: namespace
types (-N, -t), nsview ns column names (-o, also after a comma or +), PID
namespaces with their first process (--ns), and the PIDs of live processes
with their names (--inside, -H, -p, nsview pid, nsview tree's PID); with
--input FILE, the PIDs come from that snapshot.

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
	// command is the command's path below the root, e.g. "ns".
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
	{"tree", "inside", completePIDs},
	{"tree", "H", completePIDs},
	{"tree", "N", constCompletion(completeNSTypes)},
	{"tree", "ns", completePIDNamespaces},
	{"tree", "", completePIDs},
	{"ns", "type", constCompletion(completeNSTypes)},
	{"ns", "task", completePIDs},
	{"ns", "output", func(*globalOptions) cobra.CompletionFunc { return completeColumns(nsColumnChoices()) }},
	{"pid", "", completePIDs},
}

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
	if f := cmd.Flags().Lookup(name); f != nil {
		return f
	}
	if len(name) == 1 {
		if f := cmd.Flags().ShorthandLookup(name); f != nil {
			return f
		}
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
		procs, err := procChoices(g, false)
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

// completePIDNamespaces completes the inode number of a PID namespace
// (tree --ns), described by its lowest PID, that process's name and how many
// processes are in it.
func completePIDNamespaces(g *globalOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		procs, err := procChoices(g, true)
		if err != nil {
			cobra.CompDebugln(fmt.Sprintf("complete PID namespaces: %v", err), true)
			return nil, cobra.ShellCompDirectiveError
		}
		type nsChoice struct {
			ino   uint64
			first pidChoice // the lowest PID in it: procs are sorted
			n     int
		}
		var order []uint64
		byIno := map[uint64]*nsChoice{}
		for _, p := range procs {
			if p.pidns == 0 {
				continue
			}
			c := byIno[p.pidns]
			if c == nil {
				c = &nsChoice{ino: p.pidns, first: p}
				byIno[p.pidns] = c
				order = append(order, p.pidns)
			}
			c.n++
		}
		var out []cobra.Completion
		for _, ino := range order {
			c := byIno[ino]
			s := strconv.FormatUint(ino, 10)
			if strings.HasPrefix(s, strings.TrimPrefix(toComplete, "pid:[")) {
				desc := fmt.Sprintf("PID %d (%s) and %d more", c.first.pid, escape.Text(c.first.name), c.n-1)
				if c.n == 1 {
					desc = fmt.Sprintf("PID %d (%s) alone", c.first.pid, escape.Text(c.first.name))
				}
				out = append(out, cobra.CompletionWithDesc(s, desc))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

type pidChoice struct {
	pid   int
	name  string
	pidns uint64 // inode of its PID namespace, 0 if unknown or not read
}

// procChoices lists the processes to offer, by PID: from the --input
// snapshot, or from /proc, reading each live process's comm (the cheapest
// name to read) and, with pidns, its PID namespace link.
func procChoices(g *globalOptions, pidns bool) ([]pidChoice, error) {
	var out []pidChoice
	if g.input != "" {
		s, err := tree.LoadSnapshot(g.input)
		if err != nil {
			return nil, err
		}
		for i := range s.Processes {
			p := &s.Processes[i]
			out = append(out, pidChoice{p.PID, p.Comm, p.NS.Get(nsinfo.PID).Ino})
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
			if pidns {
				// Unreadable (another user's process): left out of the
				// namespace choices, still offered as a PID.
				if link, err := dir.Readlink("ns/pid"); err == nil {
					if id, err := nsinfo.ParseID(link); err == nil {
						c.pidns = id.Ino
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
