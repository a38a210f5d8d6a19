package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
	"github.com/spf13/cobra"
)

type spawnOptions struct {
	user, uts, ipc, net, cgroup, time bool
	hostname                          string
	depth                             int
	noInit, detach, json              bool
	stop                              string
	grace                             time.Duration
}

func newSpawnCmd(g *globalOptions) *cobra.Command {
	o := &spawnOptions{}
	cmd := &cobra.Command{
		Use:   "spawn [flags] [--] [CMD [ARG...]]",
		Short: "Run a command as the init of a new PID namespace, with a fresh /proc",
		Long: `Run CMD (default $SHELL, else /bin/sh) in a new PID namespace and a new mount
namespace with a fresh /proc, under nsview's own init as PID 1, which reaps
every orphan, forwards signals to CMD and exits with CMD's exit code. It is
'unshare --pid --fork --mount-proc CMD', built in.

On start it prints, on stderr, each level's PID namespace, the host PID of
each init and of CMD, and CMD's NSpid chain (outer to inner):

  pid:[4026532301] init 48213 → sh 48214 (NSpid 48214/2)

Nothing started here outlives nsview, even when nsview is killed with
SIGKILL, unless --detach is given: then nsview prints the sandbox's ID (its
outermost PID namespace, pid:[N]) on stdout and exits, and
'nsview spawn --stop ID' ends the sandbox. Signals sent to nsview are forwarded to CMD, except SIGCHLD, SIGURG
(Go's runtime uses it) and SIGTSTP, SIGTTIN and SIGTTOU, which stop nsview.
When stdin is the terminal and nsview is in its foreground, CMD gets the
terminal (Ctrl-C reaches CMD's foreground job), and nsview restores the
terminal's settings when CMD ends.

Exit status: CMD's own (128+n when signal n ended it); 125 when the
namespaces could not be created (the message names the setting to change);
126 when CMD cannot be run, 127 when it is not found; 2 for bad flags.`,
		Example: `  sudo nsview spawn                       # a shell as PID 2, nsview's init as PID 1
  nsview spawn -- ps -o pid,ppid,comm     # what a new PID namespace holds
  nsview spawn --user -- id               # unprivileged: a user namespace too
  nsview spawn --depth 3 -- grep NSpid /proc/self/status
  nsview spawn --uts --hostname box -- hostname
  id=$(nsview spawn --detach -- sleep 600)  # leave it running, keep its ID
  nsview tree -p --ns "$id"               # look inside
  nsview spawn --stop "$id"               # and end it`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSpawn(cmd, o, args)
		},
	}
	// Everything after CMD is CMD's: `nsview spawn ls -l` needs no "--".
	cmd.Flags().SetInterspersed(false)
	f := cmd.Flags()
	f.BoolVarP(&o.user, "user", "U", false, "also create a user namespace, mapping you to root in it (works unprivileged)")
	f.BoolVar(&o.uts, "uts", false, "also create a UTS namespace (hostname)")
	f.BoolVar(&o.ipc, "ipc", false, "also create an IPC namespace")
	f.BoolVar(&o.net, "net", false, "also create a network namespace")
	f.BoolVar(&o.cgroup, "cgroup", false, "also create a cgroup namespace")
	f.BoolVar(&o.time, "time", false, "also create a time namespace")
	f.StringVar(&o.hostname, "hostname", "", "set the hostname to `NAME` in a new UTS namespace (implies --uts)")
	f.IntVar(&o.depth, "depth", 1, fmt.Sprintf("nest `N` PID namespaces, each with its own init; CMD runs in the innermost (1..%d)", spawn.MaxDepth))
	f.BoolVar(&o.noInit, "no-init", false, "run CMD itself as PID 1 of the innermost namespace, as unshare does")
	f.BoolVar(&o.detach, "detach", false, "leave the sandbox running and print its ID, for --stop (CMD's stdio is /dev/null)")
	f.BoolVar(&o.json, "json", false, "print what was created as JSON on stdout instead of the line on stderr")
	f.StringVar(&o.stop, "stop", "", "end the detached sandbox `ID` (its pid:[N] or its init's PID) and exit")
	f.DurationVar(&o.grace, "grace", 3*time.Second, "with --stop: the `TIME` CMD gets after SIGTERM before everything is killed")
	return cmd
}

func runSpawn(cmd *cobra.Command, o *spawnOptions, args []string) error {
	flags := cmd.Flags()
	if o.stop != "" {
		if len(args) > 0 {
			return usageErrorf("--stop takes no command, got %q", strings.Join(args, " "))
		}
		for _, name := range []string{"user", "uts", "ipc", "net", "cgroup", "time", "hostname", "depth", "no-init", "detach"} {
			if flagChanged(flags, name) {
				return usageErrorf("--stop cannot be combined with --%s", name)
			}
		}
		pid, err := spawn.Stop(o.stop, o.grace)
		if errors.Is(err, spawn.ErrBadOptions) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "stopped %s (init %d)\n", escape.Text(o.stop), pid)
		return nil
	}
	if flagChanged(flags, "grace") {
		return usageErrorf("--grace goes with --stop")
	}
	if o.depth < 1 || o.depth > spawn.MaxDepth {
		return usageErrorf("--depth %d: PID namespaces nest 1 to %d deep", o.depth, spawn.MaxDepth)
	}
	if o.detach && o.noInit && o.depth == 1 {
		return usageErrorf("--detach needs nsview's init for --stop to find the sandbox: drop --no-init, or use --depth 2 or more")
	}
	if len(o.hostname) > 64 {
		return usageErrorf("--hostname %q: longer than 64 bytes", o.hostname)
	}
	opts := spawn.Options{
		Command:  args,
		Depth:    o.depth,
		User:     o.user,
		UTS:      o.uts,
		IPC:      o.ipc,
		Net:      o.net,
		Cgroup:   o.cgroup,
		Time:     o.time,
		Hostname: o.hostname,
		NoInit:   o.noInit,
		Detach:   o.detach,
	}
	if !o.detach {
		// A detached sandbox keeps /dev/null: a pipe or terminal held by
		// it would keep whoever reads nsview's output waiting.
		var stop func()
		var err error
		opts.Stdin, opts.Stdout, opts.Stderr, stop, err = stdioFiles(cmd)
		if err != nil {
			return err
		}
		defer stop()
	}

	// Catch signals before anything is started, so that none is lost
	// between Start and the forwarding loop.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, forwardedSignals()...)
	defer signal.Stop(sigs)

	sb, err := spawn.Start(opts)
	if err != nil {
		return spawnError(err)
	}
	if o.detach {
		// Close would end it: leave it running.
		return printStart(cmd, o, opts, sb.Info())
	}
	defer sb.Close()
	if err := printStart(cmd, o, opts, sb.Info()); err != nil {
		return err
	}
	go func() {
		for s := range sigs {
			if sig, ok := s.(syscall.Signal); ok {
				sb.Signal(sig)
			}
		}
	}()
	code, err := sb.Wait()
	if err != nil {
		return err
	}
	if code != 0 {
		return exitCodeError{code: code}
	}
	return nil
}

// spawnError maps Start's errors to nsview's exit codes.
func spawnError(err error) error {
	switch {
	case errors.Is(err, spawn.ErrBadOptions):
		return usageError{err}
	case errors.Is(err, spawn.ErrNoCommand):
		code := 126
		if errors.Is(err, syscall.ENOENT) {
			code = 127
		}
		return exitCodeError{code: code, msg: "spawn: " + err.Error()}
	}
	return exitCodeError{code: exitNoSpawn, msg: "spawn: " + err.Error()}
}

// forwardedSignals are the signals nsview forwards to CMD: every catchable
// one but SIGCHLD (nsview's own), SIGURG (Go's runtime sends it to itself),
// the job-control stops (they stop nsview, as for any job; caught, a
// background write would raise SIGTTOU forever), and 32 and 33, which the
// C library reserves.
func forwardedSignals() []os.Signal {
	var sigs []os.Signal
	for s := syscall.Signal(1); s <= 64; s++ {
		switch s {
		case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, syscall.SIGURG,
			syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, 32, 33:
			continue
		}
		sigs = append(sigs, s)
	}
	return sigs
}

// stdioFiles returns the command's stdio as files: nsview's own where they
// are files, else pipes copied to and from the cobra streams (tests).
func stdioFiles(cmd *cobra.Command) (in, out, errf *os.File, stop func(), err error) {
	var closers []func()
	stop = func() {
		for _, c := range closers {
			c()
		}
	}
	if f, ok := cmd.InOrStdin().(*os.File); ok {
		in = f
	}
	for _, w := range []struct {
		dst  io.Writer
		file **os.File
	}{{cmd.OutOrStdout(), &out}, {cmd.ErrOrStderr(), &errf}} {
		if f, ok := w.dst.(*os.File); ok {
			*w.file = f
			continue
		}
		r, pw, perr := os.Pipe()
		if perr != nil {
			stop()
			return nil, nil, nil, nil, perr
		}
		done := make(chan struct{})
		dst := w.dst
		go func() {
			io.Copy(dst, r)
			r.Close()
			close(done)
		}()
		*w.file = pw
		closers = append(closers, func() { pw.Close(); <-done })
	}
	return in, out, errf, stop, nil
}

// spawnJSON is what --json prints.
type spawnJSON struct {
	// ID is what --stop takes: the outermost PID namespace.
	ID      string   `json:"id"`
	Command []string `json:"command"`
	spawn.Info
	Detached bool `json:"detached"`
}

func printStart(cmd *cobra.Command, o *spawnOptions, opts spawn.Options, info spawn.Info) error {
	id := ""
	if len(info.PIDNamespaces) > 0 {
		id = info.PIDNamespaces[0].String()
	}
	if o.json {
		command := opts.Command
		if len(command) == 0 {
			command = []string{defaultShell()}
		}
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(spawnJSON{ID: id, Command: command, Info: info, Detached: o.detach})
	}
	w := cmd.ErrOrStderr()
	name := defaultShell()
	if len(opts.Command) > 0 {
		name = opts.Command[0]
	}
	for _, line := range startLines(info, filepath.Base(name)) {
		fmt.Fprintln(w, line)
	}
	if o.detach {
		fmt.Fprintf(w, "detached; end it with: nsview spawn --stop '%s'\n", id)
		// The ID alone on stdout, as docker run -d prints its container's,
		// so that id=$(nsview spawn --detach ...) keeps it for --stop.
		_, err := fmt.Fprintln(cmd.OutOrStdout(), id)
		return err
	}
	return nil
}

// startLines says what was created, one line per PID namespace, outer to
// inner: "pid:[4026532301] init 48213 → sh 48214 (NSpid 48214/2)", and one
// line for the other namespaces.
func startLines(info spawn.Info, command string) []string {
	var lines []string
	n := len(info.PIDNamespaces)
	for i, ns := range info.PIDNamespaces {
		line := ns.String()
		if i < len(info.Inits) {
			line += " init " + strconv.Itoa(info.Inits[i])
			if i == n-1 {
				line += " →"
			}
		}
		if i == n-1 {
			line += fmt.Sprintf(" %s %d (NSpid %s)", escape.Text(command), info.CommandPID, joinPIDs(info.CommandNSpid))
		}
		lines = append(lines, line)
	}
	var others []string
	for _, ns := range info.Namespaces {
		if ns.Type != nsinfo.PID {
			others = append(others, ns.String())
		}
	}
	if len(others) > 0 {
		lines = append(lines, "with "+strings.Join(others, " "))
	}
	return lines
}

func joinPIDs(pids []int) string {
	s := make([]string, len(pids))
	for i, p := range pids {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, "/")
}

func defaultShell() string {
	if sh := os.Getenv("SHELL"); sh != "" {
		return sh
	}
	return "/bin/sh"
}
