package main

// Placeholder: the pstree-compatible tree command lands with the core issue.

import (
	"fmt"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/tree"
	"github.com/spf13/cobra"
)

func newTreeCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "tree",
		Short: "Show the process tree (pstree-compatible)",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSnapshot(g, tree.Options{NSpid: true, Namespaces: true}, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			v := s.HostView()
			t := v.Tree()
			w := cmd.OutOrStdout()
			t.Walk(func(vis tree.Visit, lastAt []bool) bool {
				e := &v.Entries[vis.Node]
				fmt.Fprintf(w, "%*s%s(%d) %v\n", vis.Depth*2, "", escape.Text(e.Proc.Comm), e.PID, e.NSpid)
				return true
			})
			return nil
		},
	}
}
