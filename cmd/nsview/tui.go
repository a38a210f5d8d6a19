package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/spf13/cobra"

	"github.com/nsview/nsview/pkg/container"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
	"github.com/nsview/nsview/ui"
)

type tuiOptions struct {
	interval time.Duration
	detach   bool
}

// minInterval keeps a live refresh from scanning back to back.
const minInterval = 100 * time.Millisecond

func newTUICmd(g *globalOptions) *cobra.Command {
	o := &tuiOptions{}
	cmd := &cobra.Command{
		Use:   "tui",
		Short: "Open the live terminal UI (the default on a terminal)",
		Long: `Open the terminal UI: the host's process tree on the left, the selected
process's PID namespace as it sees itself on the right (what
'nsenter -t PID -p -m pstree -p' would show), its details below.

It refreshes every --interval, incrementally; --input shows a saved snapshot
with refresh off. / searches by name, command line or PID in any numbering,
s spawns a sandbox (a new PID namespace) and x ends it. Sandboxes spawned
from the UI end when it quits, unless --detach.

Keys (? shows them in the UI too):
` + tuiKeyHelp(),
		Example: `  nsview tui
  nsview tui --interval 2s
  nsview snapshot > host.json && nsview tui --input host.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTUI(cmd, g, o)
		},
	}
	cmd.Flags().DurationVar(&o.interval, "interval", ui.DefaultInterval, "refresh `INTERVAL` of the live view")
	cmd.Flags().BoolVar(&o.detach, "detach", false, "leave sandboxes spawned from the UI running after it quits")
	return cmd
}

func runTUI(cmd *cobra.Command, g *globalOptions, o *tuiOptions) error {
	if o.interval < minInterval {
		return usageErrorf("--interval %s is too short: at least %s", o.interval, minInterval)
	}
	if !isTerminal(cmd.OutOrStdout()) {
		return usageErrorf("the terminal UI needs a terminal, and standard output is not one: use 'nsview tree' or 'nsview snapshot'")
	}
	// Sandboxes inside sandboxes are made by this same program, run as
	// `nsview spawn` inside the outer one.
	exe, err := os.Executable()
	if err != nil {
		exe = "/proc/self/exe"
	}
	opts := ui.Options{
		Spawner:  ui.SystemSpawner(exe),
		Interval: o.interval,
		Detach:   o.detach,
		Container: func(_ *tree.Snapshot, p *tree.Process) string {
			return container.OfProcess(p).String()
		},
		// A hidden switch for the tests of terminal restoration.
		TestPanic: os.Getenv("NSVIEW_TEST_PANIC"),
	}
	if g.input != "" {
		s, err := tree.LoadSnapshot(g.input)
		if err != nil {
			return err
		}
		opts.Source, opts.Title = ui.SnapshotSource(s), g.input
	} else {
		proc, err := nsinfo.NewProcFS(g.procPath)
		if err != nil {
			return err
		}
		opts.Source = ui.LiveSource(proc)
	}
	err = ui.Run(opts)
	var se ui.SignalError
	if errors.As(err, &se) {
		return exitCodeError{code: 128 + int(se.Sig)}
	}
	if err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

// tuiKeyRow is one key binding of the UI as the help shows it.
type tuiKeyRow struct {
	help, action string
	// keys are every key bound, as Bubble Tea names them.
	keys []string
}

// tuiKeys lists the UI's key bindings from its key map, in the order of
// its ? screen, then the keys of a prompt: the --help text, the man page
// and the README's table come from here, so none can drift from the keys
// the UI binds.
func tuiKeys() []tuiKeyRow {
	km := ui.DefaultKeyMap()
	var rows []tuiKeyRow
	add := func(b key.Binding, suffix string) {
		rows = append(rows, tuiKeyRow{b.Help().Key, b.Help().Desc + suffix, b.Keys()})
	}
	for _, col := range km.FullHelp() {
		for _, b := range col {
			add(b, "")
		}
	}
	add(km.Accept, " (search or spawn prompt)")
	add(km.Cancel, " (search or spawn prompt)")
	return rows
}

func tuiKeyHelp() string {
	var b strings.Builder
	for _, r := range tuiKeys() {
		fmt.Fprintf(&b, "  %-8s %s\n", r.help, r.action)
	}
	return b.String()
}
