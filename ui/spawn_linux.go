package ui

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
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
// name no parent namespace, and it forks from a thread of its own, so the
// caller's setns(CLONE_NEWPID) does not reach it. So a process is started
// inside in.NS (setns on the calling thread, then a fork from it, as
// nsenter -p does) that runs `nsview spawn --json`: pkg/spawn, run from
// inside, nests the new namespace there. Its report (PIDs as in.NS numbers
// them) is translated to host PIDs through NSpid.
func (sp systemSpawner) Spawn(opts spawn.Options, in *Parent) (Sandbox, error) {
	if in == nil {
		return start(opts)
	}
	return startNested(sp.exe, opts, in)
}

// nestedSandbox is `nsview spawn` running inside another sandbox.
type nestedSandbox struct {
	cmd  *exec.Cmd
	info spawn.Info
	done chan struct{}
	once sync.Once
}

func (n *nestedSandbox) Info() spawn.Info { return n.info }

// Close ends `nsview spawn`, which ends its sandbox: SIGTERM (forwarded to
// the command; when it ends, nsview spawn ends everything), then SIGKILL
// (its sandbox dies with it).
func (n *nestedSandbox) Close() error {
	n.once.Do(func() {
		n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.done:
		case <-time.After(2 * time.Second):
			n.cmd.Process.Kill()
			<-n.done
		}
	})
	return nil
}

func startNested(exe string, opts spawn.Options, in *Parent) (Sandbox, error) {
	args := []string{"nsview", "spawn", "--json"}
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
	out, err := nestedStart(exe, args, in)
	if err != nil {
		return nil, err
	}
	n := &nestedSandbox{cmd: out.cmd, done: make(chan struct{})}
	go func() {
		out.cmd.Wait()
		close(n.done)
	}()
	fail := func(err error) (Sandbox, error) {
		n.Close()
		return nil, fmt.Errorf("spawn inside %s: %w", in.NS, err)
	}
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
		out.stderr.Close()
		return fail(errors.New("nsview spawn did not report within 10s"))
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
	info, err := toHost(r.info, out.cmd.Process.Pid)
	if err != nil {
		return fail(err)
	}
	n.info = info
	return n, nil
}

type nestedProc struct {
	cmd    *exec.Cmd
	stdout *os.File
	stderr *os.File
}

// nestedStart starts exe with args as a process of PID namespace in.NS: the
// locked calling thread joins it for its children, forks, and goes back.
func nestedStart(exe string, args []string, in *Parent) (nestedProc, error) {
	runtime.LockOSThread()
	restored := false
	defer func() {
		// A thread that could not go back stays locked and ends with
		// its goroutine, so no other goroutine runs on it.
		if restored {
			runtime.UnlockOSThread()
		}
	}()
	own, err := unix.Open("/proc/thread-self/ns/pid", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		restored = true
		return nestedProc{}, fmt.Errorf("spawn inside %s: open own PID namespace: %w", in.NS, err)
	}
	defer unix.Close(own)
	pidfd, err := unix.PidfdOpen(in.PID, 0)
	if err != nil {
		restored = true
		return nestedProc{}, fmt.Errorf("spawn inside %s: open process %d: %w", in.NS, in.PID, err)
	}
	err = unix.Setns(pidfd, unix.CLONE_NEWPID)
	unix.Close(pidfd)
	if err != nil {
		restored = true
		return nestedProc{}, fmt.Errorf("spawn inside %s: enter it through process %d: %w", in.NS, in.PID, err)
	}
	p, startErr := forkInside(exe, args, in.NS)
	if err := unix.Setns(own, unix.CLONE_NEWPID); err == nil {
		restored = true
	}
	return p, startErr
}

// forkInside checks that the thread's children will be in ns (the process
// entered through may have exited and its PID been reused) and starts the
// process.
func forkInside(exe string, args []string, ns nsinfo.ID) (nestedProc, error) {
	link, err := os.Readlink("/proc/thread-self/ns/pid_for_children")
	if err != nil {
		return nestedProc{}, fmt.Errorf("spawn inside %s: %w", ns, err)
	}
	if id, err := nsinfo.ParseID(link); err != nil || id != ns {
		return nestedProc{}, fmt.Errorf("spawn inside %s: the process entered through is now in %s", ns, link)
	}
	cmd := &exec.Cmd{
		Path: exe,
		Args: args,
		// It dies with nsview (and its sandbox with it), unless
		// detached: nsview spawn --detach exits once it has reported.
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true},
	}
	// Pipes of our own, not StdoutPipe: Wait would close those when
	// nsview spawn --detach exits, maybe before its report is read.
	outR, outW, err := os.Pipe()
	if err != nil {
		return nestedProc{}, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nestedProc{}, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nestedProc{}, fmt.Errorf("spawn inside %s: start nsview spawn: %w", ns, err)
	}
	return nestedProc{cmd: cmd, stdout: outR, stderr: errR}, nil
}

// toHost translates an Info numbered inside the namespace nsview spawn ran
// in to host PIDs: the processes below it whose NSpid chains end with the
// reported ones.
func toHost(info spawn.Info, spawner int) (spawn.Info, error) {
	chains := map[int][]int{} // host PID -> NSpid
	queue := []int{spawner}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		chains[pid] = readNSpid(pid)
		queue = append(queue, childPIDs(pid)...)
	}
	inner := chains[spawner]
	if len(inner) == 0 {
		return info, fmt.Errorf("read NSpid of nsview spawn %d", spawner)
	}
	// nsview spawn is seen at depth len(inner); its reported PIDs are
	// those at that level.
	level := len(inner) - 1
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

func readNSpid(pid int) []int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil
	}
	st, err := nsinfo.ParseStatus(b)
	if err != nil {
		return nil
	}
	return st.NSpid
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
