package main

import (
	"fmt"
	"os"

	"github.com/nsview/nsview/pkg/tree"
	"github.com/spf13/cobra"
)

type snapshotOptions struct {
	output string
}

func newSnapshotCmd(g *globalOptions) *cobra.Command {
	o := &snapshotOptions{}
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Write every process and namespace as JSON, for --input",
		Long: `Write a snapshot of every process and namespace as JSON: pid, ppid, pgid,
uid, name, command line, state, start time, threads, NSpid chain, the eight
namespace ids, cgroup, and every namespace with its parent and owner. Every
view reads it back with --input, on any machine.

Names that are not valid UTF-8 are kept exactly (base64 in *_b64 fields).`,
		Example: `  nsview snapshot > host.json
  nsview snapshot -o host.json && nsview tree --nspid --input host.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSnapshot(g, tree.Everything(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if o.output == "" || o.output == "-" {
				return s.WriteJSON(cmd.OutOrStdout())
			}
			f, err := os.Create(o.output)
			if err != nil {
				return fmt.Errorf("create snapshot file: %w", err)
			}
			if err := s.WriteJSON(f); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("write %s: %w", o.output, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write to `FILE` instead of stdout")
	return cmd
}
