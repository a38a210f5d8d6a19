package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsls"
	"github.com/nsview/nsview/pkg/pidmap"
	"github.com/nsview/nsview/pkg/tree"
	"github.com/spf13/cobra"
)

type pidOptions struct {
	in, to string
	json   bool
	method string

	// afterRead, when set (by tests), runs once, after the snapshot is
	// read and before the kernel is asked: where a PID reused meanwhile
	// would mix two processes in one report.
	afterRead func()
}

func newPIDCmd(g *globalOptions) *cobra.Command { return newPIDCmdWith(g, &pidOptions{}) }

func newPIDCmdWith(g *globalOptions, o *pidOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pid PID...",
		Short: "Show a process's PID at every PID-namespace level, and translate PIDs",
		Long: `For each PID (as this /proc numbers it), show its PID in every PID
namespace from the caller's down to its own: the level, the namespace, the
PID there and that namespace's init (PID 1) as the caller numbers it; then
its eight namespaces, each shared with the host (PID 1) or its own.

--in NS PID maps a PID numbered inside NS to the caller's numbering; --to NS
PID maps the caller's PID into NS's numbering. NS is a namespace inode,
pid:[N], or pid:HOSTPID for the PID namespace of process HOSTPID.

The kernel translates (NS_GET_TGID_IN_PIDNS / NS_GET_TGID_FROM_PIDNS, Linux
6.11+) where it can; NSpid chains from /proc/PID/status otherwise, and with
--input or --method nspid.`,
		Example: `  nsview pid $$                     # this shell at every level
  nsview pid --in pid:$$ 1          # which PID here is PID 1 in this shell's namespace?
  nsview pid --to pid:$$ $$         # and back
  nsview pid --json $$`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("nsview pid needs at least one PID")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPID(cmd, g, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.in, "in", "", "map PID, numbered inside namespace `NS`, to the caller's numbering")
	f.StringVar(&o.to, "to", "", "map the caller's PID to namespace `NS`'s numbering")
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.StringVar(&o.method, "method", "auto", "how to translate (`METHOD`): auto, kernel (ioctls) or nspid (NSpid chains)")
	return cmd
}

// pidAttempts is how many times nsview pid reads again when a process it
// reports on ended while it was being read.
const pidAttempts = 3

func runPID(cmd *cobra.Command, g *globalOptions, o *pidOptions, args []string) error {
	if o.in != "" && o.to != "" {
		return usageErrorf("--in and --to are mutually exclusive")
	}
	switch o.method {
	case "auto", "kernel", "nspid":
	default:
		return usageErrorf("--method %q: want auto, kernel or nspid", o.method)
	}
	if o.method == "kernel" && g.input != "" {
		return usageErrorf("--method kernel needs a live system, not --input")
	}
	pids := make([]int, len(args))
	for i, a := range args {
		n, err := strconv.Atoi(a)
		if err != nil || n <= 0 {
			return usageErrorf("invalid PID %q", a)
		}
		pids[i] = n
	}
	if (o.in != "" || o.to != "") && len(pids) != 1 {
		return usageErrorf("--in and --to take one PID, got %d", len(pids))
	}
	// Every process named by PID is pinned (a pidfd) before anything
	// about it is read, and checked after all is read: one that ended
	// meanwhile may have left its PID to another process, so that the
	// report would mix the two. Then everything is read again, and only a
	// report whose processes all lived through it is printed.
	var err error
	for range pidAttempts {
		var out, stderr bytes.Buffer
		err = pidOnce(g, o, pids, &out, &stderr)
		if errors.Is(err, nsinfo.ErrExited) {
			o.afterRead = nil
			continue
		}
		cmd.ErrOrStderr().Write(stderr.Bytes())
		if err != nil {
			return err
		}
		_, err = cmd.OutOrStdout().Write(out.Bytes())
		return err
	}
	return err
}

// pidOnce is one attempt of nsview pid: the processes pinned, read and
// reported into w (warnings into stderr), the pins checked last.
func pidOnce(g *globalOptions, o *pidOptions, pids []int, w, stderr io.Writer) error {
	pins, err := pinNamed(g, o, pids)
	if err != nil {
		return err
	}
	defer pins.close()
	s, err := loadSnapshot(g, tree.Options{NSpid: true, Namespaces: true, Hierarchy: true, Cmdline: true}, stderr)
	if err != nil {
		return err
	}
	if o.afterRead != nil {
		o.afterRead()
	}
	live := g.input == "" && !s.Caller.ForeignProc
	if o.method == "kernel" && !live {
		return fmt.Errorf("--method kernel: %s is not the caller's own proc mount", s.ProcPath)
	}
	useKernel := live && o.method != "nspid"
	if o.in != "" || o.to != "" {
		res, err := translatePID(s, o, pids[0], useKernel)
		if err != nil {
			return err
		}
		if err := pins.check(); err != nil {
			return err
		}
		if o.json {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		}
		_, err = fmt.Fprintln(w, res.To)
		return err
	}
	var reports []pidReport
	for _, pid := range pids {
		r, err := reportPID(s, pid, useKernel, o.method == "kernel")
		if err != nil {
			return err
		}
		reports = append(reports, r)
	}
	if err := pins.check(); err != nil {
		return err
	}
	if o.json {
		doc := struct {
			Processes  []pidReport `json:"processes"`
			Unreadable int         `json:"unreadable"`
			Host       string      `json:"host"`
			Warnings   []string    `json:"warnings,omitempty"`
		}{reports, s.Unreadable.Unread(), hostFrom(s), s.Warnings}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	for i := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writePIDReport(w, &reports[i], hostFrom(s))
	}
	return nil
}

// pins are the processes nsview pid names by PID, pinned before reading.
type pins map[int]*nsinfo.Pin

// pinNamed pins the processes the arguments name with the caller's
// numbering: the PIDs reported on or mapped with --to, and the process of
// an NS given as pid:HOSTPID. Only on the caller's own live proc mount
// (pidfd_open numbers PIDs as the caller's namespace does); a PID that
// names no process is left to the report to say so.
func pinNamed(g *globalOptions, o *pidOptions, pids []int) (pins, error) {
	if g.input != "" {
		return nil, nil
	}
	proc, err := nsinfo.NewProcFS(g.procPath)
	if err != nil {
		return nil, err
	}
	if !proc.Real() || proc.CheckCaller().ForeignProc {
		return nil, nil
	}
	named := pids
	if o.in != "" {
		named = nil // numbered inside the namespace, not as the caller's
	}
	for _, ns := range []string{o.in, o.to} {
		if rest, ok := strings.CutPrefix(ns, "pid:"); ok {
			if pid, err := strconv.Atoi(rest); err == nil && pid > 0 {
				named = append(named, pid)
			}
		}
	}
	p := pins{}
	for _, pid := range named {
		if _, ok := p[pid]; ok {
			continue
		}
		pin, err := nsinfo.PinProcess(pid)
		if err != nil {
			continue
		}
		p[pid] = pin
	}
	return p, nil
}

// check fails with ErrExited if a pinned process ended.
func (p pins) check() error {
	for pid, pin := range p {
		if err := pin.Check(); err != nil {
			return fmt.Errorf("process %d: %w", pid, err)
		}
	}
	return nil
}

func (p pins) close() {
	for _, pin := range p {
		pin.Close()
	}
}

func hostFrom(s *tree.Snapshot) string {
	_, from := s.HostNamespaces()
	return from
}

// pidReport is `nsview pid`'s answer for one process.
type pidReport struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
	// CommandB64 is Command's exact bytes when they are not valid UTF-8
	// (which JSON cannot hold).
	CommandB64 string          `json:"command_b64,omitempty"`
	Levels     []pidmap.Level  `json:"levels"`
	Method     pidmap.Method   `json:"method"`
	Namespaces []nsShareReport `json:"namespaces"`
}

// nsShareReport says whether one namespace is shared with the host.
type nsShareReport struct {
	Type nsinfo.Type `json:"type"`
	// NS is the inode, null where unreadable.
	NS *uint64 `json:"ns"`
	// Shared is true when the host (PID 1) is in it too, null where
	// either side is unknown.
	Shared *bool `json:"shared"`
}

func reportPID(s *tree.Snapshot, pid int, useKernel, mustKernel bool) (pidReport, error) {
	p, ok := s.Proc(pid)
	if !ok {
		return pidReport{}, fmt.Errorf("process %d: %w", pid, tree.ErrNoProcess)
	}
	r := pidReport{PID: pid, Command: nsls.Command(p), Method: pidmap.NSpid}
	if !utf8.ValidString(r.Command) {
		r.CommandB64 = base64.StdEncoding.EncodeToString([]byte(r.Command))
	}
	if useKernel {
		levels, err := pidmap.KernelLevels(s.ProcPath, pid)
		switch {
		case err == nil:
			r.Levels, r.Method = levels, pidmap.Kernel
		case mustKernel:
			return r, fmt.Errorf("process %d: %w", pid, err)
		case errors.Is(err, pidmap.ErrReused):
			return r, fmt.Errorf("process %d: %w", pid, err)
		}
	}
	if r.Levels == nil {
		r.Levels = pidmap.Levels(s, p)
	}
	host, _ := s.HostNamespaces()
	for i, t := range nsinfo.Types {
		ns := nsShareReport{Type: t}
		if v := p.NS[i]; v != 0 {
			ns.NS = &v
			if host[i] != 0 {
				shared := v == host[i]
				ns.Shared = &shared
			}
		}
		r.Namespaces = append(r.Namespaces, ns)
	}
	return r, nil
}

func writePIDReport(w io.Writer, r *pidReport, host string) {
	fmt.Fprintf(w, "PID %d: %s\n", r.PID, escape.Text(r.Command))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "LEVEL\tPID\tPID NAMESPACE\tINIT\t")
	for _, l := range r.Levels {
		ns, init := "?", "?"
		if l.NS != 0 {
			ns = nsinfo.ID{Type: nsinfo.PID, Ino: l.NS}.String()
		}
		if l.Init != 0 {
			init = strconv.Itoa(l.Init)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t\n", l.Level, l.PID, ns, init)
	}
	tw.Flush()
	if len(r.Levels) == 0 {
		fmt.Fprintln(w, "  (no NSpid: the kernel predates 4.1, or status was unreadable)")
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tNAMESPACE\tHOST")
	for _, n := range r.Namespaces {
		id, share := "?", "?"
		if n.NS != nil {
			id = nsinfo.ID{Type: n.Type, Ino: *n.NS}.String()
		}
		if n.Shared != nil {
			share = "own"
			if *n.Shared {
				share = "shared"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", n.Type, id, share)
	}
	tw.Flush()
	how := "NSpid chains"
	if r.Method == pidmap.Kernel {
		how = "the kernel (NS_GET_TGID_IN_PIDNS)"
	}
	if host == "" {
		host = "unknown (PID 1's namespaces are unreadable)"
	}
	fmt.Fprintf(w, "(levels from %s; host is %s)\n", how, host)
}

// parseTarget resolves an NS argument: an inode, pid:[N], or pid:HOSTPID.
func parseTarget(s *tree.Snapshot, arg string) (pidmap.Target, error) {
	if rest, ok := strings.CutPrefix(arg, "pid:"); ok && !strings.HasPrefix(rest, "[") {
		pid, err := strconv.Atoi(rest)
		if err != nil || pid <= 0 {
			return pidmap.Target{}, usageErrorf("namespace %q: want an inode, pid:[N] or pid:HOSTPID", arg)
		}
		p, ok := s.Proc(pid)
		if !ok {
			return pidmap.Target{}, fmt.Errorf("namespace %s: process %d: %w", arg, pid, tree.ErrNoProcess)
		}
		if len(p.NSpid) == 0 {
			return pidmap.Target{}, fmt.Errorf("namespace %s: process %d has no NSpid", arg, pid)
		}
		return pidmap.Target{NS: s.PIDNamespaceOf(p), Level: len(p.NSpid) - 1, Ref: p}, nil
	}
	id, err := parseNSArg(arg)
	if err != nil {
		// What the user typed is wrong, whatever the snapshot holds.
		if errors.Is(err, errNotPIDNamespace) {
			return pidmap.Target{}, usageErrorf("namespace %q is not a PID namespace", arg)
		}
		return pidmap.Target{}, usageErrorf("namespace %q: want an inode, pid:[N] or pid:HOSTPID", arg)
	}
	n, ok := s.Namespace(nsinfo.ID{Type: nsinfo.PID, Ino: id.Ino})
	if !ok || n.Level < 0 {
		return pidmap.Target{}, fmt.Errorf("namespace pid:[%d]: %w", id.Ino, tree.ErrNoNamespace)
	}
	t := pidmap.Target{NS: id.Ino, Level: n.Level}
	for i := range s.Processes {
		q := &s.Processes[i]
		if s.PIDNamespaceOf(q) == id.Ino {
			t.Ref = q
			break
		}
	}
	return t, nil
}

// translation is --in/--to's JSON answer.
type translation struct {
	NS     string        `json:"ns"`
	From   int           `json:"from"`
	To     int           `json:"to"`
	Method pidmap.Method `json:"method"`
}

// translatePID is --in or --to.
func translatePID(s *tree.Snapshot, o *pidOptions, pid int, useKernel bool) (translation, error) {
	arg, inward := o.in, false
	if o.to != "" {
		arg, inward = o.to, true
	}
	t, err := parseTarget(s, arg)
	if err != nil {
		return translation{}, err
	}
	res := translation{NS: t.String(), From: pid, Method: pidmap.NSpid}
	done := false
	if useKernel && t.Ref != nil {
		n, err := kernelTranslate(s, t, pid, inward)
		switch {
		case err == nil:
			res.To, res.Method, done = n, pidmap.Kernel, true
		case o.method == "kernel", errors.Is(err, pidmap.ErrReused):
			return res, err
		}
	}
	if !done {
		if inward {
			res.To, err = pidmap.ToNS(s, t, pid)
		} else {
			res.To, err = pidmap.FromNS(s, t, pid)
		}
		if err != nil {
			return res, err
		}
	}
	return res, nil
}
