package ui

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
)

// SystemSpawner starts sandboxes with pkg/spawn. exe is nsview's own
// executable, which nests a sandbox inside another (see Spawn).
func SystemSpawner(exe string) Spawner { return systemSpawner{exe: exe} }

type systemSpawner struct{ exe string }

// Spawn calls spawn.Start for a sandbox at the top level.
//
// A sandbox inside another cannot be asked of spawn.Start: its Options
// name no parent namespace, and it forks from a thread of its own, so a
// setns(CLONE_NEWPID) of the caller's does not reach it. So `nsview spawn
// --json` is run inside the outer sandbox with nsenter(1), in its PID and
// mount namespaces (its own /proc, which pkg/spawn reads): pkg/spawn, run
// from there, nests the new namespace in it. Its report, numbered as the
// outer sandbox numbers PIDs, is translated to host PIDs through NSpid.
//
// The nested sandbox cannot outlive the outer one: ending the outer
// sandbox's init ends every process in its namespace.
func (sp systemSpawner) Spawn(opts spawn.Options, in *Parent) (Sandbox, error) {
	if in == nil {
		return start(opts)
	}
	return startNested(sp.exe, opts, in)
}

// nestedSandbox is `nsview spawn`, run by nsenter inside another sandbox.
type nestedSandbox struct {
	cmd  *exec.Cmd // nsenter
	info spawn.Info
	// spawner is a pidfd of nsview spawn (nsenter's child), -1 if none.
	spawner int
	done    chan struct{}
	once    sync.Once
}

func (n *nestedSandbox) Info() spawn.Info { return n.info }

// Close ends nsview spawn, which ends its sandbox: SIGTERM (forwarded to
// the command; when it ends, nsview spawn ends everything), then SIGKILL
// (its sandbox dies with it, by its parent-death signal). nsenter, which
// only waits for it, follows.
func (n *nestedSandbox) Close() error {
	n.once.Do(func() {
		if n.spawner >= 0 {
			for _, sig := range []unix.Signal{unix.SIGTERM, unix.SIGKILL} {
				if unix.PidfdSendSignal(n.spawner, sig, nil, 0) != nil || exited(n.spawner, 2*time.Second) {
					break
				}
			}
			unix.Close(n.spawner)
			n.spawner = -1
		}
		select {
		case <-n.done:
		case <-time.After(5 * time.Second):
			n.cmd.Process.Kill()
			<-n.done
		}
	})
	return nil
}

// exited waits up to d for the process of a pidfd to end.
func exited(pidfd int, d time.Duration) bool {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		n, err := unix.Poll(fds, int(left/time.Millisecond)+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return err == nil && n > 0
	}
}

func startNested(exe string, opts spawn.Options, in *Parent) (Sandbox, error) {
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return nil, fmt.Errorf("spawn inside %s: needs nsenter (util-linux): %w", in.NS, err)
	}
	// Where the outer sandbox's PIDs sit in host NSpid chains.
	outer, _ := nsinfo.ReadNSpid(in.PID)
	if len(outer) == 0 {
		return nil, fmt.Errorf("spawn inside %s: process %d is gone", in.NS, in.PID)
	}
	level := len(outer) - 1
	args := []string{"nsenter", "--target", strconv.Itoa(in.PID), "--pid", "--mount", "--", exe, "spawn", "--json"}
	if opts.UTS || opts.Hostname != "" {
		args = append(args, "--uts")
	}
	if opts.Hostname != "" {
		args = append(args, "--hostname", opts.Hostname)
	}
	if opts.Detach {
		args = append(args, "--detach")
	}
	args = append(append(args, "--"), opts.Command...)
	out, err := startProc(nsenter, args)
	if err != nil {
		return nil, fmt.Errorf("spawn inside %s: %w", in.NS, err)
	}
	n := &nestedSandbox{cmd: out.cmd, spawner: -1, done: make(chan struct{})}
	go func() {
		out.cmd.Wait()
		close(n.done)
	}()
	// The report, then whatever the command writes, which nobody reads.
	type report struct {
		info spawn.Info
		err  error
	}
	got := make(chan report, 1)
	go func() {
		defer out.stdout.Close()
		var r report
		dec := json.NewDecoder(bufio.NewReader(out.stdout))
		r.err = dec.Decode(&r.info)
		got <- r
		io.Copy(io.Discard, dec.Buffered())
		io.Copy(io.Discard, out.stdout)
	}()
	var r report
	select {
	case r = <-got:
	case <-time.After(10 * time.Second):
		n.Close()
		out.stderr.Close()
		return nil, fmt.Errorf("spawn inside %s: nsview spawn did not report within 10s", in.NS)
	}
	if r.err != nil {
		n.Close()
		msg, _ := io.ReadAll(io.LimitReader(out.stderr, 4096))
		out.stderr.Close()
		return nil, fmt.Errorf("spawn inside %s: %s", in.NS, strings.TrimPrefix(strings.TrimSpace(string(msg)), "nsview: "))
	}
	go func() {
		defer out.stderr.Close()
		io.Copy(io.Discard, out.stderr)
	}()
	if kids := childPIDs(out.cmd.Process.Pid); len(kids) == 1 {
		if fd, err := unix.PidfdOpen(kids[0], 0); err == nil {
			// The child was read by PID before the pidfd was opened:
			// keep the pidfd only if its process is still there and
			// still nsenter's child, so that Close never signals a
			// process that took a reused PID.
			if unix.PidfdSendSignal(fd, 0, nil, 0) == nil && slices.Contains(childPIDs(out.cmd.Process.Pid), kids[0]) {
				n.spawner = fd
			} else {
				unix.Close(fd)
			}
		}
	}
	info, err := toHost(r.info, out.cmd.Process.Pid, level)
	if err != nil {
		n.Close()
		return nil, fmt.Errorf("spawn inside %s: %w", in.NS, err)
	}
	n.info = info
	return n, nil
}

type proc struct {
	cmd    *exec.Cmd
	stdout *os.File
	stderr *os.File
}

// startProc starts a program with its output on pipes of our own (not
// StdoutPipe: Wait would close those when nsview spawn --detach exits,
// maybe before its report is read). It dies with nsview.
func startProc(path string, args []string) (proc, error) {
	cmd := &exec.Cmd{
		Path:        path,
		Args:        args,
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true},
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return proc{}, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return proc{}, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return proc{}, fmt.Errorf("start %s: %w", path, err)
	}
	return proc{cmd: cmd, stdout: outR, stderr: errR}, nil
}

// toHost translates an Info numbered as the PID namespace at level (of
// host NSpid chains) numbers PIDs to host PIDs: among the processes below
// spawner, those with the reported PID at that level.
func toHost(info spawn.Info, spawner, level int) (spawn.Info, error) {
	chains := map[int][]int{} // host PID -> NSpid
	queue := []int{spawner}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		chains[pid], _ = nsinfo.ReadNSpid(pid)
		queue = append(queue, childPIDs(pid)...)
	}
	host := func(pid int) (int, bool) {
		for h, c := range chains {
			if len(c) > level && c[level] == pid {
				return h, true
			}
		}
		return 0, false
	}
	out := info
	out.Inits = nil
	for _, p := range info.Inits {
		h, ok := host(p)
		if !ok {
			return info, fmt.Errorf("init %d of the nested sandbox is not below nsview spawn %d", p, spawner)
		}
		out.Inits = append(out.Inits, h)
	}
	h, ok := host(info.CommandPID)
	if !ok {
		return info, fmt.Errorf("command %d of the nested sandbox is not below nsview spawn %d", info.CommandPID, spawner)
	}
	out.CommandPID = h
	out.CommandNSpid = slices.Clone(chains[h])
	return out, nil
}

// childPIDs lists a process's children (all its threads').
func childPIDs(pid int) []int {
	var out []int
	tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + t.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
