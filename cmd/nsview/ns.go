package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsls"
	"github.com/nsview/nsview/pkg/tree"
	"github.com/spf13/cobra"
)

type nsOptions struct {
	json, list, noHeadings, raw, noTrunc, noWrap, outputAll bool
	output                                                  []string
	pid                                                     int
	types                                                   []string
	tree                                                    string
	processesOnly                                           bool
	matrix                                                  bool
	matrixAll                                               bool
}

func newNSCmd(g *globalOptions) *cobra.Command {
	o := &nsOptions{}
	cmd := &cobra.Command{
		Use:     "ns [NS]",
		Aliases: []string{"lsns"},
		Short:   "List namespaces (lsns-compatible), with those no process is in",
		Long: `List namespaces as util-linux lsns does: the same columns, flags, table,
raw and JSON output. With NS (an inode number, or type:[N]), list the
processes in that namespace.

Unlike lsns 2.38, nsview also lists namespaces that no process is in: held
only by a bind mount (ip netns add), only by an open file descriptor, or
revealed only by the parent/owner hierarchy; -o +FOUND says how each was
found. --processes-only lists what lsns 2.38 lists.

Columns (-o, -o +COL to add):
` + columnHelp() + `
With --matrix [PID...], show one row per process and one column per
namespace type, each cell the namespace id marked as shared with PID 1
(=) or its own (*).`,
		Example: `  nsview ns                      # like lsns
  nsview ns -t net -o +FOUND     # network namespaces, and how each was found
  nsview ns -J                   # JSON, as lsns -J
  nsview ns -T parent            # PID and user namespaces nested
  nsview ns 4026531836           # the processes in one namespace
  nsview ns --matrix             # what each container shares with the host`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.matrix {
				return runMatrix(cmd, g, o, args)
			}
			return runNS(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.json, "json", "J", false, "use JSON output format")
	f.BoolVarP(&o.list, "list", "l", false, "use list format output")
	f.BoolVarP(&o.noHeadings, "noheadings", "n", false, "don't print headings")
	f.StringArrayVarP(&o.output, "output", "o", nil, "define which output columns to use (`LIST`: COL,COL...; +LIST adds)")
	f.BoolVar(&o.outputAll, "output-all", false, "output all of lsns's columns")
	f.IntVarP(&o.pid, "task", "p", 0, "print the namespaces of process `PID`")
	f.BoolVarP(&o.raw, "raw", "r", false, "use the raw output format")
	f.BoolVarP(&o.noTrunc, "notruncate", "u", false, "don't truncate text in columns")
	f.BoolVarP(&o.noWrap, "nowrap", "W", false, "don't use multi-line representation")
	f.StringArrayVarP(&o.types, "type", "t", nil, "namespace `TYPE` (mnt, net, ipc, user, pid, uts, cgroup, time)")
	f.StringVarP(&o.tree, "tree", "T", "", "use tree format: `KIND` parent, owner, or process")
	f.Lookup("tree").NoOptDefVal = "owner"
	f.BoolVar(&o.processesOnly, "processes-only", false, "list only namespaces some process is in (as lsns 2.38)")
	f.BoolVar(&o.matrix, "matrix", false, "show which namespaces each process shares with PID 1")
	f.BoolVar(&o.matrixAll, "all", false, "with --matrix: one row per process, not only the namespace-entering ones")
	return cmd
}

func columnHelp() string {
	var b strings.Builder
	for _, c := range nsls.AllColumns() {
		fmt.Fprintf(&b, " %11s  %s\n", c.Name(), c.Help())
	}
	return b.String()
}

// nsArgs separates the NS argument from a tree kind given as `-T parent`
// (lsns accepts only -Tparent and --tree=parent; nsview accepts both).
func nsArgs(cmd *cobra.Command, o *nsOptions, args []string) ([]string, error) {
	if flagChanged(cmd.Flags(), "tree") && o.tree == "owner" {
		for i, a := range args {
			if a == "parent" || a == "owner" || a == "process" {
				o.tree = a
				args = append(args[:i:i], args[i+1:]...)
				break
			}
		}
	}
	if len(args) > 1 {
		return nil, usageErrorf("nsview ns takes at most one namespace, got %q", strings.Join(args, " "))
	}
	return args, nil
}

func runNS(cmd *cobra.Command, g *globalOptions, o *nsOptions, args []string) error {
	args, err := nsArgs(cmd, o, args)
	if err != nil {
		return err
	}
	ro := nsls.Options{
		Output: o.output, OutputAll: o.outputAll, List: o.list, NoHeadings: o.noHeadings,
		NoTrunc: o.noTrunc, NoWrap: o.noWrap, PID: o.pid, ProcessesOnly: o.processesOnly,
	}
	switch {
	case o.json && o.raw:
		return usageErrorf("options --json and --raw are mutually exclusive")
	case o.json:
		ro.Format = nsls.JSON
	case o.raw:
		ro.Format = nsls.Raw
	}
	if flagChanged(cmd.Flags(), "tree") {
		if o.list {
			return usageErrorf("options --list and --tree are mutually exclusive")
		}
		if ro.Tree, err = nsls.ParseTree(o.tree); err != nil {
			return usageErrorf("%v", err)
		}
	}
	for _, t := range o.types {
		typ, err := nsinfo.ParseType(t)
		if err != nil || t == "mount" {
			return usageErrorf("unknown namespace type: %s", t)
		}
		ro.Types = append(ro.Types, typ)
	}
	if len(args) == 1 {
		if o.pid != 0 {
			return usageErrorf("--task is mutually exclusive with <namespace>")
		}
		id, err := parseNamespaceArg(args[0])
		if err != nil {
			return err
		}
		ro.NS = id.Ino
		if id.Type != 0 {
			ro.Types = append(ro.Types[:0:0], id.Type)
		}
	}
	// Check the columns before scanning: a typo is a usage error.
	cols := []nsls.Column{}
	for _, list := range o.output {
		if cols, err = nsls.ParseColumns(list, cols); err != nil {
			return usageErrorf("%v", err)
		}
	}
	stdout := cmd.OutOrStdout()
	ro.IsTerm, ro.TermWidth = terminal(stdout)
	ro.UTF8 = localeIsUTF8(os.Getenv)

	opts := nsScanOptions(o)
	if ro.NS != 0 {
		// Every process of the namespace is listed with its command.
		opts.Cmdline = true
	} else {
		// Each namespace shows its lowest PID only: the others need
		// no more than their links.
		opts.LeadersOnly = true
	}
	s, err := loadSnapshot(g, opts, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	if ro.NS != 0 && !nsls.HasNamespace(s, ro) {
		return fmt.Errorf("not found namespace: %d", ro.NS)
	}
	if ro.Format != nsls.JSON {
		return nsls.Render(stdout, s, ro)
	}
	// JSON says how many processes could not be read, next to the
	// namespaces, when some could not.
	var buf bytes.Buffer
	if err := nsls.Render(&buf, s, ro); err != nil {
		return err
	}
	return writeWithUnreadable(stdout, buf.Bytes(), s)
}

// writeWithUnreadable writes util-linux JSON, adding before the closing
// brace an "unreadable" count when some processes could not be read and
// the "warnings" when the proc mount hides something (lsns has neither:
// they are there only when needed).
func writeWithUnreadable(w io.Writer, js []byte, s *tree.Snapshot) error {
	var extra []byte
	if n := s.Unreadable.Unread(); n > 0 {
		extra = fmt.Appendf(extra, ",\n   \"unreadable\": %d", n)
	}
	if len(s.Warnings) > 0 {
		ws, err := json.Marshal(s.Warnings)
		if err != nil {
			return err
		}
		extra = fmt.Appendf(extra, ",\n   \"warnings\": %s", ws)
	}
	if len(extra) > 0 {
		if end := bytes.LastIndex(js, []byte("\n}\n")); end >= 0 {
			js = append(append(js[:end:end], extra...), "\n}\n"...)
		}
	}
	_, err := w.Write(js)
	return err
}

// parseNSArg parses a namespace argument: an inode number or type:[N].
func parseNamespaceArg(s string) (nsinfo.ID, error) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil && n > 0 {
		return nsinfo.ID{Ino: n}, nil
	}
	id, err := nsinfo.ParseID(s)
	if err != nil {
		return nsinfo.ID{}, usageErrorf("invalid namespace argument: '%s' (want an inode number or type:[N])", s)
	}
	return id, nil
}

// nsScanOptions reads what `nsview ns` shows: every namespace link, the
// hierarchy (PNS, ONS, and namespaces found above the others), the command
// lines of the processes that stand for a namespace, and where asked
// network ids and cgroups.
func nsScanOptions(o *nsOptions) tree.Options {
	opts := tree.Options{Namespaces: true, Hierarchy: true, LeaderCmdline: true, Discover: !o.processesOnly, Mounts: true}
	all := strings.ToUpper(strings.Join(o.output, ","))
	if o.outputAll || strings.Contains(all, "NETNSID") || strings.Contains(strings.Join(o.types, ","), "net") {
		opts.NetNSID = true
	}
	if strings.Contains(all, "CONTAINER") || o.matrix {
		opts.Cgroup = true
	}
	if o.matrix {
		opts.NSpid = true
	}
	return opts
}

func runMatrix(cmd *cobra.Command, g *globalOptions, o *nsOptions, args []string) error {
	mo := nsls.MatrixOptions{All: o.matrixAll, JSON: o.json}
	for _, a := range args {
		pid, err := strconv.Atoi(a)
		if err != nil || pid <= 0 {
			return usageErrorf("--matrix takes PIDs, got %q", a)
		}
		mo.PIDs = append(mo.PIDs, pid)
	}
	stdout := cmd.OutOrStdout()
	isTerm, _ := terminal(stdout)
	mo.Color = colorWanted(isTerm)
	s, err := loadSnapshot(g, tree.Options{Namespaces: true, NSpid: true, Cmdline: true, Cgroup: true}, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	return nsls.RenderMatrix(stdout, s, mo)
}
