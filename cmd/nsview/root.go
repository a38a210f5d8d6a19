package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nsview/nsview/ui"
	"github.com/spf13/pflag"
)

// globalOptions are the flags every command shares.
type globalOptions struct {
	// procPath is the proc mount to scan.
	procPath string
	// input is a snapshot file to show instead of scanning.
	input string
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return execute(newRootCmd(&globalOptions{}), args, stdin, stdout, stderr)
}

// execute runs root, made by newRootCmd, on args and returns the exit
// code, having printed any error on stderr. Tests call it with a root whose
// globalOptions they hold.
func execute(root *cobra.Command, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return exitCode(root.Execute(), stderr)
}

func newRootCmd(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "nsview",
		Short: "Show processes the way PID namespaces number them",
		Long: `nsview shows Linux processes the way the kernel's PID namespaces number
them: the host's process tree and the tree as seen from inside any PID
namespace, with every process's PID at every nesting level.

With no command on a terminal it opens the live terminal UI; when its output
is not a terminal it prints the process tree (nsview tree).`,
		Example: `  nsview                            # the live UI on a terminal, else the tree
  nsview tree -p                    # pstree -p, namespace-aware
  nsview tree --nspid               # every PID at every nesting level
  nsview snapshot > host.json       # every process and namespace, as JSON
  nsview --input host.json tree -p  # the same tree, from the snapshot`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDefault(cmd, g)
		},
	}
	root.PersistentFlags().StringVar(&g.procPath, "proc", "/proc", "the proc filesystem `DIR` to read")
	root.PersistentFlags().StringVar(&g.input, "input", "", "show the saved snapshot `FILE` (from 'nsview snapshot') instead of reading /proc; - for stdin")
	root.CompletionOptions.DisableDefaultCmd = true // newCompletionCmd replaces it
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{err}
	})
	root.AddCommand(
		newTreeCmd(g),
		newSnapshotCmd(g),
		newNSCmd(g),
		newPIDCmd(g),
		newSpawnCmd(g),
		newVersionCmd(),
		newCompletionCmd(),
		newManCmd(),
		newTUICmd(g),
	)
	finishCommandTree(root, g)
	return root
}

// runDefault is plain `nsview`: the terminal UI on a terminal, else the
// tree.
func runDefault(cmd *cobra.Command, g *globalOptions) error {
	if isTerminal(cmd.OutOrStdout()) {
		return runTUI(cmd, g, &tuiOptions{interval: ui.DefaultInterval})
	}
	tree := newTreeCmd(g)
	tree.SetOut(cmd.OutOrStdout())
	tree.SetErr(cmd.ErrOrStderr())
	tree.SetArgs(nil)
	return tree.RunE(tree, nil)
}

// noArgs rejects positional arguments as a usage error; to a command with
// subcommands, an argument is an unknown command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 && cmd.HasAvailableSubCommands() {
		return usageErrorf("unknown command %q for %q%s", args[0], cmd.CommandPath(), didYouMean(cmd, args[0]))
	}
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " "))
	}
	return nil
}

// didYouMean suggests the subcommands of cmd whose names are close to a
// mistyped one: " (did you mean snapshot?)", or "" when none is.
func didYouMean(cmd *cobra.Command, typed string) string {
	s := cmd.SuggestionsFor(typed)
	if len(s) == 0 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
}

// maxArgs rejects more than n positional arguments as a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usageErrorf("%s takes at most %d argument(s), got %d: %q", cmd.CommandPath(), n, len(args), strings.Join(args, " "))
		}
		return nil
	}
}

// flagChanged reports whether the user set the named flag.
func flagChanged(flags *pflag.FlagSet, name string) bool {
	f := flags.Lookup(name)
	return f != nil && f.Changed
}
