package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/nsview/nsview/internal/terminfo"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
	"github.com/spf13/cobra"
)

// treeOptions are the flags of `nsview tree`: pstree 23.6's, then nsview's.
type treeOptions struct {
	args, noCompact, pids, pgids, uidChanges, nsChanges bool
	byPID, hideThreads, threadNames, showParents, long  bool
	highlightAll, containers                            bool
	highlightPID                                        int
	nsSort                                              string
	symbols                                             symbolsFlag

	nspid  bool
	inside int
	ns     string
	byNS   bool
	json   bool
}

// symbolsFlag is -A, -U and -G: like pstree, the last one given wins.
type symbolsFlag struct {
	set  bool
	syms tree.Symbols
}

// symbolValue is one of -A, -U, -G: a boolean flag that sets the shared
// choice when given.
type symbolValue struct {
	dst  *symbolsFlag
	syms tree.Symbols
}

func (v symbolValue) String() string { return "false" }
func (v symbolValue) Type() string   { return "bool" }
func (v symbolValue) Set(s string) error {
	on, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	if on {
		v.dst.set, v.dst.syms = true, v.syms
	}
	return nil
}

func newTreeCmd(g *globalOptions) *cobra.Command {
	o := &treeOptions{}
	cmd := &cobra.Command{
		Use:   "tree [PID|USER]",
		Short: "Show the process tree (pstree-compatible, PID-namespace aware)",
		Long: `Show the process tree. With pstree's flags, nsview tree prints what psmisc
pstree 23.6 prints for the same processes, byte for byte: the same line
drawing (ASCII unless standard output is a UTF-8 terminal), the same
compaction of identical subtrees (3*[sleep]) and threads ({name}), the same
cut at the output width (COLUMNS, else the terminal's, else 132) and the same
octal escapes of non-printable bytes.

PID starts the tree at that process (default 1); USER shows the trees rooted
at that user's processes.

Beyond pstree:
  --nspid         every PID as its chain through the nested PID namespaces,
                  outer to inner: sleep(4150/4/2)
  --inside PID    the tree as PID's PID namespace sees it (what
                  'nsenter -t PID -p -m pstree -p' prints, without entering);
                  a PID argument is then numbered as inside
  --ns ID         the same for a namespace given as pid:[INODE] or INODE
  --by-ns         PID namespaces as branches, each with its processes
  --json          the view as JSON: a flat list of processes

-h highlights nsview itself and its ancestors, -H PID that process: bold, as
the terminal described by TERM in the terminfo database starts it ("md",
e.g. ESC [1m) and ends it ("me", as ncurses trims it, e.g. ESC [0m).`,
		Example: `  nsview tree -p
  nsview tree -a -p $$                # this shell and below, with arguments
  nsview tree --nspid
  nsview tree --inside $$ -p          # as this shell's PID namespace sees it
  nsview tree --by-ns
  nsview snapshot -o host.json && nsview tree --json --input host.json`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTree(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.Bool("help", false, "help for tree") // -h is pstree's --highlight-all
	f.BoolVarP(&o.args, "arguments", "a", false, "show command line arguments")
	f.BoolVarP(&o.noCompact, "compact-not", "c", false, "don't compact identical subtrees")
	f.BoolVarP(&o.highlightAll, "highlight-all", "h", false, "highlight the current process and its ancestors")
	f.IntVarP(&o.highlightPID, "highlight-pid", "H", 0, "highlight this `PID` and its ancestors")
	f.BoolVarP(&o.long, "long", "l", false, "don't truncate long lines")
	f.BoolVarP(&o.byPID, "numeric-sort", "n", false, "sort output by PID")
	f.StringVarP(&o.nsSort, "ns-sort", "N", "", "one tree per namespace of this `TYPE` (cgroup, ipc, mnt, net, pid, time, user, uts)")
	f.BoolVarP(&o.pids, "show-pids", "p", false, "show PIDs; implies -c")
	f.BoolVarP(&o.pgids, "show-pgids", "g", false, "show process group IDs")
	f.BoolVarP(&o.showParents, "show-parents", "s", false, "show the parents of the selected process")
	f.BoolVarP(&o.nsChanges, "ns-changes", "S", false, "show namespace transitions")
	f.BoolVarP(&o.threadNames, "thread-names", "t", false, "show full thread names")
	f.BoolVarP(&o.hideThreads, "hide-threads", "T", false, "hide threads, show only processes")
	f.BoolVarP(&o.uidChanges, "uid-changes", "u", false, "show uid transitions")
	for _, s := range []struct {
		name, short, usage string
		syms               tree.Symbols
	}{
		{"ascii", "A", "use ASCII line drawing characters", tree.ASCIISymbols},
		{"unicode", "U", "use UTF-8 (Unicode) line drawing characters", tree.UTF8Symbols},
		{"vt100", "G", "use VT100 line drawing characters", tree.VT100Symbols},
	} {
		fl := f.VarPF(symbolValue{dst: &o.symbols, syms: s.syms}, s.name, s.short, s.usage)
		fl.NoOptDefVal = "true"
	}
	f.BoolVar(&o.nspid, "nspid", false, "show each PID as its chain through the nested PID namespaces, outer to inner; implies -c")
	f.IntVar(&o.inside, "inside", 0, "show the tree as the PID namespace of this `PID` sees it")
	f.StringVar(&o.ns, "ns", "", "show the tree as this PID namespace (`ID`: pid:[INODE] or INODE) sees it")
	f.BoolVar(&o.byNS, "by-ns", false, "show PID namespaces as branches, each with its processes")
	f.BoolVar(&o.json, "json", false, "print the view as JSON")
	f.BoolVar(&o.containers, "containers", false, "mark each process that enters a container or unit: [docker:3f2a9c1d4e5f]")
	return cmd
}

// scanOptions reads only what the flags show.
func (o *treeOptions) scanOptions() tree.Options {
	inside := o.inside != 0 || o.ns != ""
	threads := !o.hideThreads && !o.byNS
	return tree.Options{
		Threads:     threads,
		ThreadNames: threads && o.threadNames,
		ThreadNSpid: threads && (inside || o.nspid || o.json),
		Cmdline:     o.args,
		NSpid:       o.nspid || inside || o.byNS || o.json,
		Namespaces:  o.nsChanges || o.nsSort != "" || inside || o.byNS || o.json,
		Hierarchy:   inside || o.byNS || o.json,
		Cgroup:      o.containers,
	}
}

// needs lists the facts a snapshot must hold for these flags, each with the
// flag that needs it.
func (o *treeOptions) check(s *tree.Snapshot, input string) error {
	want := o.scanOptions()
	have := s.Read
	var missing []string
	need := func(wanted, read bool, what, flags string) {
		if wanted && !read {
			missing = append(missing, fmt.Sprintf("%s (for %s)", what, flags))
		}
	}
	need(want.Threads, have.Threads, "threads", "threads are shown unless -T")
	need(want.ThreadNames, have.ThreadNames, "thread names", "-t")
	need(want.Cmdline, have.Cmdline, "command lines", "-a")
	need(want.NSpid, have.NSpid, "NSpid chains", "--nspid, --inside, --ns, --by-ns, --json")
	need(want.Namespaces, have.Namespaces, "namespace links", "-S, -N, --inside, --ns, --by-ns, --json")
	if want.ThreadNSpid && !have.ThreadNSpid && (o.inside != 0 || o.ns != "" || o.nspid) {
		missing = append(missing, "thread NSpid chains (for threads in --inside, --ns, --nspid; add -T)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("snapshot %s did not read %s: take it with 'nsview snapshot'", input, strings.Join(missing, ", "))
	}
	return nil
}

func runTree(cmd *cobra.Command, g *globalOptions, o *treeOptions, args []string) error {
	flags := cmd.Flags()
	if o.highlightAll && flagChanged(flags, "highlight-pid") {
		return usageErrorf("-h and -H cannot be combined")
	}
	if flagChanged(flags, "highlight-pid") && o.highlightPID <= 0 {
		return usageErrorf("-H wants a PID greater than 0, got %d", o.highlightPID)
	}
	if o.inside != 0 && o.ns != "" {
		return usageErrorf("--inside and --ns cannot be combined")
	}
	if flagChanged(flags, "inside") && o.inside <= 0 {
		return usageErrorf("--inside wants a PID greater than 0, got %d", o.inside)
	}
	po := tree.PstreeOptions{
		Args: o.args, NoCompact: o.noCompact, PIDs: o.pids, PGIDs: o.pgids, NSpid: o.nspid,
		UIDChanges: o.uidChanges, NSChanges: o.nsChanges, ByPID: o.byPID,
		HideThreads: o.hideThreads, ThreadNames: o.threadNames, ShowParents: o.showParents,
		Long: o.long,
	}
	if o.nsSort != "" {
		t, err := nsinfo.ParseType(o.nsSort)
		if err != nil {
			return usageErrorf("-N: %v", err)
		}
		po.NSSort = t
	}
	var nsID nsinfo.ID
	if o.ns != "" {
		id, err := parseNSArg(o.ns)
		if err != nil {
			return usageErrorf("--ns: %v", err)
		}
		nsID = id
	}
	if len(args) == 1 {
		a := args[0]
		if a != "" && a[0] >= '0' && a[0] <= '9' {
			pid, err := strconv.Atoi(a)
			if err != nil || pid < 0 {
				return usageErrorf("bad PID %q", a)
			}
			po.Root, po.HasRoot = pid, true
		} else {
			u, err := user.Lookup(a)
			if err != nil {
				return usageErrorf("no such user name: %s", a)
			}
			uid, err := strconv.ParseUint(u.Uid, 10, 32)
			if err != nil {
				return fmt.Errorf("user %s: uid %q: %w", a, u.Uid, err)
			}
			u32 := uint32(uid)
			po.User = &u32
		}
	}

	out := cmd.OutOrStdout()
	env := os.Getenv
	po.Width = outputWidth(out, env)
	switch {
	case o.symbols.set:
		po.Symbols = o.symbols.syms
	case isTerminal(out) && localeIsUTF8(env):
		po.Symbols = tree.UTF8Symbols
	default:
		po.Symbols = tree.ASCIISymbols
	}
	if o.highlightAll || o.highlightPID != 0 {
		term, ok := os.LookupEnv("TERM")
		var ti *terminfo.Terminal
		var err error
		if ok {
			ti, err = terminfo.Load(term, env)
		}
		switch {
		case o.highlightAll:
			// pstree -h silently highlights nothing without a terminal
			// description.
			if ok && err == nil {
				po.Bold, po.Normal = ti.Bold(), ti.ExitAttributes()
			}
		case !ok:
			return errors.New("-H: TERM is not set")
		case err != nil:
			return fmt.Errorf("-H: can't get terminal capabilities: %w", err)
		default:
			po.Bold, po.Normal = ti.Bold(), ti.ExitAttributes()
		}
	}
	if o.uidChanges {
		po.UserName = lookupUserName
	}

	s, err := loadSnapshot(g, o.scanOptions(), cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	if g.input != "" {
		if err := o.check(s, g.input); err != nil {
			return err
		}
	}
	var v *tree.View
	switch {
	case o.inside != 0:
		v, err = s.InsideViewOf(o.inside)
	case o.ns != "":
		v, err = s.InsideView(nsID)
	default:
		v = s.HostView()
	}
	if err != nil {
		return err
	}
	if o.containers {
		po.Suffix = containerTags(s, v)
	}
	if o.highlightAll && s.Caller.ProcSelf > 0 {
		for i := range v.Entries {
			if v.Entries[i].Proc.PID == s.Caller.ProcSelf {
				po.Highlight = v.Entries[i].PID
			}
		}
	} else if o.highlightPID != 0 {
		po.Highlight = o.highlightPID
	}

	switch {
	case o.json:
		return v.WriteJSON(out, tree.JSONOptions{Pstree: po})
	case o.byNS:
		return s.WriteByNamespace(out, v)
	}
	err = v.WritePstree(out, po)
	switch {
	case errors.Is(err, tree.ErrNoUserProcesses):
		return errors.New("no processes found")
	case errors.Is(err, tree.ErrNoProcess) && o.showParents:
		return fmt.Errorf("process %d not found", po.Root)
	case errors.Is(err, tree.ErrNoProcess):
		return fmt.Errorf("process %d not found in this view", po.Root)
	}
	return err
}

// parseNSArg reads --ns: pid:[4026532190] or 4026532190.
// errNotPIDNamespace is parseNSArg's error for a namespace of another type.
var errNotPIDNamespace = errors.New("not a PID namespace")

func parseNSArg(s string) (nsinfo.ID, error) {
	if strings.Contains(s, ":") {
		id, err := nsinfo.ParseID(s)
		if err != nil {
			return nsinfo.ID{}, err
		}
		if id.Type != nsinfo.PID {
			return nsinfo.ID{}, fmt.Errorf("%s is %w", s, errNotPIDNamespace)
		}
		return id, nil
	}
	ino, err := strconv.ParseUint(s, 10, 64)
	if err != nil || ino == 0 {
		return nsinfo.ID{}, fmt.Errorf("want pid:[INODE] or INODE, got %q", s)
	}
	return nsinfo.ID{Type: nsinfo.PID, Ino: ino}, nil
}

func lookupUserName(uid uint32) (string, bool) {
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil {
		return "", false
	}
	return u.Username, true
}

// outputWidth is pstree's: COLUMNS if it is a whole number in (0, 2^31-1)
// (strtol's syntax: 0x.. hex, 0.. octal), else the terminal's width, else
// 132.
func outputWidth(out io.Writer, env func(string) string) int {
	if c := env("COLUMNS"); c != "" {
		if n, ok := strtol(c); ok && n > 0 && n < 0x7fffffff {
			return int(n)
		}
	}
	if w := terminalWidth(out); w > 0 {
		return w
	}
	return 132
}

// strtol parses s as C's strtol(s, &end, 0) and reports whether it used the
// whole string.
func strtol(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2]):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base = 8
	}
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, base, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return int64(^uint64(0) >> 1), true // LONG_MAX, rejected by the caller
		}
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// localeIsUTF8 reports whether the locale's character set is UTF-8, as
// setlocale(LC_ALL, "") and nl_langinfo(CODESET) would find it: from
// LC_ALL, else LC_CTYPE, else LANG, by the codeset in its name (C.UTF-8,
// en_US.utf8). Whether that locale is installed is not checked.
func localeIsUTF8(env func(string) string) bool {
	name := ""
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if name = env(v); name != "" {
			break
		}
	}
	dot := strings.IndexByte(name, '.')
	if dot < 0 {
		return false
	}
	cs := name[dot+1:]
	if at := strings.IndexByte(cs, '@'); at >= 0 {
		cs = cs[:at]
	}
	cs = strings.ToLower(strings.ReplaceAll(cs, "-", ""))
	return cs == "utf8"
}
