package main

import "github.com/spf13/cobra"

// finishCommandTree completes the command tree once every command has been
// added: cobra's help command gets an example like every other command, and
// the flags that take a PID, a namespace type or a column get their shell
// completions (complete.go).
func finishCommandTree(root *cobra.Command, g *globalOptions) {
	// An unknown command gets "did you mean" for a typo (noArgs).
	root.SuggestionsMinimumDistance = 2
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" && c.Example == "" {
			c.Example = "  nsview help snapshot"
		}
	}
	registerCompletions(root, g)
}
