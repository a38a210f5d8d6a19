package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// finishCommandTree completes the command tree once every command has been
// added: cobra's help command gets an example like every other command and
// rejects a topic that is no command, and the flags that take a PID, a
// namespace type or a column get their shell completions (complete.go).
func finishCommandTree(root *cobra.Command, g *globalOptions) {
	// An unknown command gets "did you mean" for a typo (noArgs).
	root.SuggestionsMinimumDistance = 2
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			if c.Example == "" {
				c.Example = "  nsview help snapshot"
			}
			c.Args = helpTopic
		}
	}
	registerCompletions(root, g)
}

// helpTopic accepts the arguments of nsview help when they name a command
// (nsview help ns, nsview help lsns): anything else is a usage error, where
// cobra would show nsview's own help and exit 0.
func helpTopic(cmd *cobra.Command, args []string) error {
	found, rest, err := cmd.Root().Find(args)
	switch {
	case err != nil:
		return usageError{err}
	case len(rest) > 0:
		return usageErrorf("unknown help topic %q%s", strings.Join(args, " "), didYouMean(found, rest[0]))
	}
	return nil
}
