package spawn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// startIgnored are the signals this process was started with ignored, as
// the Go runtime kept them (SIGHUP, SIGINT), captured before any Notify
// can change that.
var startIgnored []int

func maybeRunInit() {
	v, ok := os.LookupEnv(envInit)
	if !ok {
		for _, sig := range []syscall.Signal{unix.SIGHUP, unix.SIGINT} {
			if signal.Ignored(sig) {
				startIgnored = append(startIgnored, int(sig))
			}
		}
		return
	}
	os.Exit(runAsInit(v))
}

// runAsInit is the whole life of one process of a sandbox: an init, or the
// stage that becomes the command. It returns the exit code.
func runAsInit(raw string) int {
	// One thread for the whole life: the parent-death signal belongs to
	// it, and it is the thread that forks the next level and execs.
	runtime.LockOSThread()
	// Nothing that nsview's caller left open, nor the descriptors Start
	// passed, may reach the command: runc CVE-2024-21626 was such a leak.
	markCloexec()

	var cfg config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil || cfg.Level < 1 || cfg.Depth < cfg.Level || len(cfg.Command) == 0 {
		fmt.Fprintf(os.Stderr, "%s: bad %s (it is for nsview's own use)\n", initName, envInit)
		return exitSetup
	}
	// Never set up mounts in the caller's own namespaces: an init is PID 1
	// of the namespace Start made, the stage is that init's child, and
	// both talk to Start over a socket.
	if !isSocket(fdReport) || (!cfg.Stage && os.Getpid() != 1) || (cfg.Stage && os.Getppid() != 1) {
		fmt.Fprintf(os.Stderr, "%s: not started by nsview spawn (%s is for nsview's own use)\n", initName, envInit)
		return exitSetup
	}
	rep := &reporter{fd: fdReport}
	if cfg.execsCommand() {
		return runExec(cfg, rep)
	}
	return runInit(cfg, rep)
}

// runInit sets up one level, starts the next level (or the stage), then
// reaps and forwards signals until its child ends, and exits as it did.
func runInit(cfg config, rep *reporter) int {
	// Handle every signal from the start, so none sent from the level
	// above ends this init before it can forward it (a namespace's init
	// ignores default-action signals only from inside its namespace).
	sigs := make(chan os.Signal, 1024)
	signal.Notify(sigs)
	innermost := cfg.Level == cfg.Depth
	if !innermost || cfg.ReadyOpen {
		unix.Close(fdReady)
	}

	// The first image of the innermost init only sets up and re-executes
	// itself: the next one watches the lifeline.
	if cfg.Lifeline && !holdLifeline(!innermost || cfg.Reexeced) {
		return exitSetup
	}
	if !cfg.Reexeced {
		if err := setupLevel(cfg); err != nil {
			rep.fail(cfg.Level, err)
			return exitSetup
		}
		if innermost {
			// The Go runtime's threads are tasks of this PID namespace
			// and took PIDs 2, 3...: start a new image of this program,
			// which ends them, so that the stage can be PID 2.
			err := reexecInit(cfg, true)
			rep.fail(cfg.Level, &Error{Op: "re-execute nsview's init", Err: err})
			return exitSetup
		}
	}
	setComm(initName)
	var child int
	var ready <-chan struct{}
	var err error
	if innermost {
		child, ready, err = startStage(cfg)
	} else {
		child, ready, err = startChild(cfg)
	}
	if err != nil {
		rep.fail(cfg.Level, err)
		return exitSetup
	}
	rep.send(report{Level: cfg.Level, Init: true})
	rep.close()
	return supervise(child, ready, sigs)
}

// startStage starts the stage that becomes the command, as PID 2 of this
// namespace: ns_last_pid says which PID was handed out last, so writing 1
// makes the next process 2, unless a thread the runtime starts in between
// takes it first. The stage checks; if it is not PID 2, this image's
// threads hold 2 for good, so a new image tries again, twice at most.
func startStage(cfg config) (int, <-chan struct{}, error) {
	// The os package checks once, on its first use, that pidfds work, by
	// starting a process: let that take its PID now.
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Release()
	}
	child := cfg
	child.WantPID2 = cfg.Tries < 3 && setLastPID(1) == nil
	pid, ready, err := startChild(child)
	if err != nil || !child.WantPID2 || pid == 2 {
		return pid, ready, err
	}
	for {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
			break
		}
	}
	cfg.Tries++
	err = reexecInit(cfg, false)
	return 0, nil, &Error{Op: "re-execute nsview's init", Err: err}
}

// reexecInit execs a new image of this init, which inherits the report
// socket (and the ready pipe if keepReady), the parent-death signal and
// the set-up namespaces, and gets no threads of this image. The new
// image's threads get PIDs above 1000, out of the stage's way. It returns
// only on failure.
func reexecInit(cfg config, keepReady bool) error {
	setLastPID(1000)
	cfg.Reexeced, cfg.ReadyOpen = true, keepReady
	keepOnExec(fdReport)
	if keepReady {
		keepOnExec(fdReady)
	}
	if cfg.Lifeline {
		keepOnExec(fdLifeline)
	}
	return unix.Exec("/proc/self/exe", []string{initName}, initEnv(cfg))
}

// setLastPID sets the PID this namespace handed out last.
func setLastPID(pid int) error {
	return os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(fmt.Sprint(pid)), 0)
}

// runExec is the process that becomes the command: the stage below the
// innermost init, or with NoInit the innermost level's PID 1 itself.
func runExec(cfg config, rep *reporter) int {
	if cfg.Lifeline && !holdLifeline(false) {
		return exitSetup
	}
	if cfg.Stage && cfg.WantPID2 && os.Getpid() != 2 {
		return exitNotPID2
	}
	if !cfg.Stage {
		if err := setupLevel(cfg); err != nil {
			rep.fail(cfg.Level, err)
			return exitSetup
		}
	}
	if cfg.Dir != "" {
		if err := os.Chdir(cfg.Dir); err != nil {
			rep.fail(cfg.Level, &Error{Op: "change to directory " + cfg.Dir, Err: unwrapErrno(err)})
			return exitSetup
		}
	}
	path, err := lookPath(cfg.Command[0], envValue(cfg.Env, "PATH"))
	if err != nil {
		rep.fail(cfg.Level, &Error{Op: "find the command " + cfg.Command[0], Err: noCommand{err}})
		return 127
	}
	rep.send(report{Level: cfg.Level, Command: true})
	if !rep.waitGo() {
		// Start gave up (or its process died): do not run the command.
		return exitSetup
	}
	// Exec resets every handler to SIG_DFL and keeps SIG_IGN.
	for _, sig := range cfg.Ignore {
		signal.Ignore(syscall.Signal(sig))
	}
	err = unix.Exec(path, cfg.Command, cfg.Env)
	// Only reached on failure; stderr is the command's, as in a shell.
	fmt.Fprintf(os.Stderr, "nsview: exec %s: %v\n", path, err)
	if errors.Is(err, unix.ENOENT) {
		return 127
	}
	return 126
}

// startChild starts the next level's init, or the stage at the innermost
// level. ready is closed when the child can take forwarded signals.
func startChild(cfg config) (int, <-chan struct{}, error) {
	child := cfg
	child.Lifeline = false
	sys := &syscall.SysProcAttr{}
	if cfg.Level == cfg.Depth {
		child.Stage = true
	} else {
		child.Level++
		child.Reexeced = false
		sys.Cloneflags = unix.CLONE_NEWPID | unix.CLONE_NEWNS
	}
	if child.execsCommand() {
		// The command gets a process group of its own, so that signals
		// for a group reach it or the inits, never both; and the
		// terminal, so that Ctrl-C reaches its foreground job.
		sys.Setpgid = true
		if cfg.Foreground {
			sys.Foreground = true
			sys.Ctty = 0
		}
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return 0, nil, err
	}
	defer readyW.Close()
	cmd := &exec.Cmd{
		Path:        "/proc/self/exe",
		Args:        []string{initName},
		Env:         initEnv(child),
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		ExtraFiles:  []*os.File{reportFile(), readyW},
		SysProcAttr: sys,
	}
	if err := cmd.Start(); err != nil {
		readyR.Close()
		return 0, nil, &Error{Op: fmt.Sprintf("start level %d", child.Level), Err: unwrapErrno(err)}
	}
	ready := make(chan struct{})
	go func() {
		io.Copy(io.Discard, readyR)
		readyR.Close()
		close(ready)
	}()
	return cmd.Process.Pid, ready, nil
}

// supervise forwards every signal to child (holding them until it is
// ready), reaps every process that ends up a child of this init, and
// returns the child's exit code once it has ended: its own, or 128+n when
// signal n killed it.
func supervise(child int, ready <-chan struct{}, sigs <-chan os.Signal) int {
	var held []syscall.Signal
	for {
		select {
		case <-ready:
			ready = nil
			for _, s := range held {
				unix.Kill(child, s)
			}
			held = nil
		case s := <-sigs:
			sig, ok := s.(syscall.Signal)
			if !ok {
				continue
			}
			if sig == unix.SIGCHLD {
				if code, done := reap(child); done {
					return code
				}
				continue
			}
			if ready != nil {
				held = append(held, sig)
				continue
			}
			// The child is not reaped before this loop sees it, so its
			// PID cannot have been reused.
			unix.Kill(child, sig)
		}
	}
}

// reap collects every child that has ended, orphans re-parented to this
// init included, until none is left to collect. done reports whether
// child was among them, with its exit code.
func reap(child int) (code int, done bool) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return code, done
		}
		if pid == child {
			code, done = exitCodeOf(ws), true
		}
	}
}

func exitCodeOf(ws unix.WaitStatus) int {
	switch {
	case ws.Exited():
		return ws.ExitStatus()
	case ws.Signaled():
		return 128 + int(ws.Signal())
	}
	return 128
}

// holdLifeline makes the kernel kill this process when the thread that
// started it ends, and reports false if the caller is already gone (it
// died before prctl ran, when no signal would come). With watch, a
// goroutine also ends this init whenever the lifeline hangs up: a
// parent-death signal can be lost (a setuid exec clears it), and while the
// caller forks another child, that child holds a copy of the write end
// until it execs, so a single look can miss the hangup.
func holdLifeline(watch bool) bool {
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return false
	}
	fds := []unix.PollFd{{Fd: fdLifeline, Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 0)
		if err == unix.EINTR {
			continue
		}
		// Only the caller holds the write end and nothing is ever
		// written, so any event means it is gone.
		if err != nil || n > 0 {
			return false
		}
		break
	}
	if !watch {
		return true
	}
	// Non-blocking, the read waits in the runtime's poller: no thread
	// (threads are tasks that take PIDs of this namespace).
	if err := unix.SetNonblock(fdLifeline, true); err != nil {
		return false
	}
	lifelineF = os.NewFile(fdLifeline, "lifeline")
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := lifelineF.Read(buf); err != nil {
				break
			}
		}
		// The caller is gone: ending this init ends its namespace.
		os.Exit(exitSetup)
	}()
	// Let it park now, before the stage's PID is chosen.
	runtime.Gosched()
	return true
}

// lifelineF keeps the lifeline open (no finalizer may close it).
var lifelineF *os.File

// initEnv is the whole environment of an init or stage: the config; no
// asynchronous preemption, so that every SIGURG the init sees came from
// outside and is forwarded; and one P, since an init mostly waits (fewer
// threads, which are tasks of the namespace that ps -L and pstree -p show).
func initEnv(cfg config) []string {
	b, _ := json.Marshal(cfg)
	return []string{envInit + "=" + string(b), "GODEBUG=asyncpreemptoff=1", "GOMAXPROCS=1"}
}

// markCloexec marks every descriptor from 3 up close-on-exec.
func markCloexec() {
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err == nil {
		return
	}
	// Before Linux 5.11.
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		var fd int
		if _, err := fmt.Sscan(e.Name(), &fd); err == nil && fd > 2 {
			unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC)
		}
	}
}

// keepOnExec clears close-on-exec on fd.
func keepOnExec(fd int) {
	unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
}

func isSocket(fd int) bool {
	var st unix.Stat_t
	return unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFSOCK
}

// setComm names this process as ps and pstree show it (exec of
// /proc/self/exe would call it "exe").
func setComm(name string) {
	os.WriteFile("/proc/self/comm", []byte(name), 0)
}

var reportF *os.File

// reportFile is fdReport as an *os.File, made once so that no finalizer
// closes it.
func reportFile() *os.File {
	if reportF == nil {
		reportF = os.NewFile(fdReport, "report")
	}
	return reportF
}

// reporter sends reports to Start.
type reporter struct{ fd int }

func (r *reporter) send(rep report) {
	b, _ := json.Marshal(rep)
	for {
		// MSG_NOSIGNAL: a SIGPIPE would be forwarded to the command.
		err := unix.Sendmsg(r.fd, b, nil, nil, unix.MSG_NOSIGNAL)
		if err != unix.EINTR {
			return
		}
	}
}

func (r *reporter) fail(level int, err error) {
	r.send(report{Level: level, Err: toWire(err)})
}

func (r *reporter) close() {
	if reportF != nil {
		reportF.Close()
		return
	}
	unix.Close(r.fd)
}

// waitGo waits for Start's "go"; false if Start closed the socket or died.
func (r *reporter) waitGo() bool {
	buf := make([]byte, 16)
	for {
		n, _, _, _, err := unix.Recvmsg(r.fd, buf, nil, 0)
		if err == unix.EINTR {
			continue
		}
		return err == nil && string(buf[:n]) == goMessage
	}
}

// lookPath finds file as a shell would in path (PATH's value; an empty
// entry is the current directory).
func lookPath(file, path string) (string, error) {
	if strings.Contains(file, "/") {
		return file, executable(file)
	}
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	var firstErr error
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + file
		err := executable(p)
		if err == nil {
			return p, nil
		}
		if firstErr == nil && !errors.Is(err, unix.ENOENT) {
			firstErr = err
		}
	}
	if firstErr != nil {
		return "", firstErr
	}
	return "", fmt.Errorf("not found in $PATH: %w", unix.ENOENT)
}

func executable(p string) error {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return fmt.Errorf("%s is a directory: %w", p, unix.EACCES)
	}
	if err := unix.Access(p, unix.X_OK); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func envValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			v = kv[len(key)+1:]
		}
	}
	return v
}

// unwrapErrno returns the errno inside err, or err.
func unwrapErrno(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}
