package spawn

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"

	"github.com/nsview/nsview/pkg/nsinfo"
	"golang.org/x/sys/unix"
)

// linuxSandbox is a running sandbox: its outermost process (level 1) is a
// child of the caller, started from a goroutine locked to its thread.
type linuxSandbox struct {
	proc *os.Process
	desc Info

	done chan struct{} // closed once level 1 is reaped
	code int
	err  error

	mu    sync.Mutex
	cmdFD int // pidfd of the command, -1 when closed

	closeOnce sync.Once
}

func start(opts Options) (*Sandbox, error) {
	opts, err := normalize(opts)
	if err != nil {
		return nil, err
	}

	// The report socket: every process of the sandbox reports to it, and
	// the kernel attaches each sender's PID, numbered as the caller
	// numbers it (SO_PASSCRED), which nothing inside could know.
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, &Error{Op: "create the report socket", Err: err}
	}
	sock := pair[0]
	childSock := os.NewFile(uintptr(pair[1]), "report")
	defer childSock.Close()
	defer func() {
		if sock >= 0 {
			unix.Close(sock)
		}
	}()
	if err := unix.SetsockoptInt(sock, unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		return nil, &Error{Op: "create the report socket", Err: err}
	}

	cfg := config{
		Level:    1,
		Depth:    opts.Depth,
		NoInit:   opts.NoInit,
		Hostname: opts.Hostname,
		Command:  opts.Command,
		Env:      opts.Env,
		Dir:      opts.Dir,
		Ignore:   startIgnored,
	}
	sys := &syscall.SysProcAttr{Cloneflags: cloneFlags(opts)}
	if opts.User {
		sys.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
		sys.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
		sys.GidMappingsEnableSetgroups = false
	}
	var term *terminal
	var lifeR, lifeW *os.File
	if opts.Detach {
		// Its own session: the terminal's hangup must not reach it.
		sys.Setsid = true
	} else {
		term = foregroundTerminal(opts.Stdin)
		cfg.Foreground = term != nil
		lifeR, lifeW, err = os.Pipe()
		if err != nil {
			return nil, &Error{Op: "create the lifeline pipe", Err: err}
		}
		defer lifeR.Close()
		cfg.Lifeline = true
		// Set again by level 1 itself (see holdLifeline); set here too, it
		// also covers exec and the runtime's start.
		sys.Pdeathsig = unix.SIGKILL
		// Level 1 and the inits below it get a process group of their
		// own; the command too (see startChild).
		sys.Setpgid = true
		if cfg.execsCommand() && term != nil {
			sys.Foreground = true
			sys.Ctty = term.fd
		}
	}

	cmd := &exec.Cmd{
		Path:        "/proc/self/exe",
		Args:        []string{initName},
		Env:         initEnv(cfg),
		ExtraFiles:  []*os.File{childSock, nil, lifeR},
		SysProcAttr: sys,
	}
	// A nil *os.File in an io.Reader would not be nil.
	if opts.Stdin != nil {
		cmd.Stdin = opts.Stdin
	}
	if opts.Stdout != nil {
		cmd.Stdout = opts.Stdout
	}
	if opts.Stderr != nil {
		cmd.Stderr = opts.Stderr
	}

	s := &linuxSandbox{done: make(chan struct{}), cmdFD: -1}
	started := make(chan error, 1)
	go s.run(cmd, term, lifeW, started)
	if err := <-started; err != nil {
		return nil, createError(unwrapErrno(err), opts, systemFacts())
	}
	// Only the sandbox holds these now, so that EOF and hangup mean what
	// they should.
	childSock.Close()
	if lifeR != nil {
		lifeR.Close()
	}

	fail := func(err error) (*Sandbox, error) {
		s.proc.Kill()
		<-s.done
		return nil, err
	}
	pids, err := collectReports(sock, opts)
	if err != nil {
		if errors.Is(err, errNoReport) {
			s.proc.Kill()
			<-s.done
			return nil, &Error{Op: "start nsview's init", Err: fmt.Errorf("it ended (status %d) before it reported", s.code)}
		}
		return fail(err)
	}
	if s.desc, err = describe(pids, opts); err != nil {
		return fail(err)
	}
	if fd, err := unix.PidfdOpen(pids.command, 0); err == nil {
		s.cmdFD = fd
	}
	if err := unix.Sendmsg(sock, []byte(goMessage), nil, nil, unix.MSG_NOSIGNAL); err != nil {
		s.closeCmdFD()
		return fail(&Error{Op: "start the command", Err: err})
	}
	return &Sandbox{impl: s}, nil
}

// run starts level 1 and waits for it on one locked thread: the
// parent-death signal fires when the thread that forked the child ends
// (golang/go#27505), so that thread must live as long as the child.
func (s *linuxSandbox) run(cmd *exec.Cmd, term *terminal, lifeW *os.File, started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		if lifeW != nil {
			lifeW.Close()
		}
		started <- err
		close(s.done)
		return
	}
	s.proc = cmd.Process
	started <- nil
	err := cmd.Wait()
	if lifeW != nil {
		lifeW.Close()
	}
	if term != nil {
		term.restore()
	}
	s.code = 0
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		s.code = exitCodeOf(unix.WaitStatus(ws))
	} else if err != nil {
		s.err = err
	}
	close(s.done)
}

// cloneFlags are the namespaces level 1 is created in.
func cloneFlags(opts Options) uintptr {
	flags := uintptr(unix.CLONE_NEWPID | unix.CLONE_NEWNS)
	if opts.User {
		flags |= unix.CLONE_NEWUSER
	}
	if opts.UTS {
		flags |= unix.CLONE_NEWUTS
	}
	if opts.IPC {
		flags |= unix.CLONE_NEWIPC
	}
	if opts.Net {
		flags |= unix.CLONE_NEWNET
	}
	if opts.Cgroup {
		flags |= unix.CLONE_NEWCGROUP
	}
	if opts.Time {
		flags |= unix.CLONE_NEWTIME
	}
	return flags
}

// reported are the host PIDs the sandbox's processes reported from.
type reported struct {
	levels  []int // index 1..Depth: the process that is PID 1 there
	command int
}

var errNoReport = errors.New("the sandbox ended before it reported")

// collectReports reads one report from each level and one from the
// process that becomes the command.
func collectReports(sock int, opts Options) (reported, error) {
	r := reported{levels: make([]int, opts.Depth+1)}
	got := 0
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred))
	for got < opts.Depth || r.command == 0 {
		n, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return r, &Error{Op: "read the sandbox's reports", Err: err}
		}
		if n == 0 {
			return r, errNoReport
		}
		var rep report
		if err := json.Unmarshal(buf[:n], &rep); err != nil {
			return r, &Error{Op: "read the sandbox's reports", Err: err}
		}
		if rep.Err != nil {
			return r, rep.Err.toError()
		}
		pid := senderPID(oob[:oobn])
		if pid <= 0 || rep.Level < 1 || rep.Level > opts.Depth {
			return r, &Error{Op: "read the sandbox's reports", Err: fmt.Errorf("report from level %d without a PID", rep.Level)}
		}
		// With NoInit the innermost level's PID 1 is the command itself.
		if rep.Init || (rep.Command && opts.NoInit && rep.Level == opts.Depth) {
			if r.levels[rep.Level] == 0 {
				got++
			}
			r.levels[rep.Level] = pid
		}
		if rep.Command {
			r.command = pid
		}
	}
	return r, nil
}

// senderPID is the PID in the SCM_CREDENTIALS of a message.
func senderPID(oob []byte) int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for i := range msgs {
		if cred, err := unix.ParseUnixCredentials(&msgs[i]); err == nil {
			return int(cred.Pid)
		}
	}
	return 0
}

// describe reads, through pkg/nsinfo, what was created: each level's PID
// namespace, the command's namespaces and its NSpid chain.
func describe(r reported, opts Options) (Info, error) {
	files := nsinfo.OSFiles("/proc")
	info := Info{CommandPID: r.command}
	initLevels := opts.Depth
	if opts.NoInit {
		initLevels--
	}
	for level := 1; level <= opts.Depth; level++ {
		if level <= initLevels {
			info.Inits = append(info.Inits, r.levels[level])
		}
		links, err := readLinks(files, r.levels[level])
		if err != nil {
			return info, err
		}
		info.PIDNamespaces = append(info.PIDNamespaces, links.NS.Get(nsinfo.PID))
	}
	links, err := readLinks(files, r.command)
	if err != nil {
		return info, err
	}
	for _, t := range nsinfo.Types {
		if created(opts, t) {
			info.Namespaces = append(info.Namespaces, links.NS.Get(t))
		}
	}
	dir, err := files.OpenProc(r.command)
	if err != nil {
		return info, &Error{Op: "read the command's status", Err: err}
	}
	defer dir.Close()
	b, err := dir.ReadFile("status", nil)
	if err != nil {
		return info, &Error{Op: "read the command's status", Err: err}
	}
	st, err := nsinfo.ParseStatus(b)
	if err != nil {
		return info, &Error{Op: "read the command's status", Err: err}
	}
	info.CommandNSpid = st.NSpid
	return info, nil
}

func readLinks(files nsinfo.Files, pid int) (nsinfo.Links, error) {
	dir, err := files.OpenProc(pid)
	if err != nil {
		return nsinfo.Links{}, &Error{Op: "read the namespaces of the sandbox", Err: err}
	}
	defer dir.Close()
	links, err := nsinfo.ReadLinks(dir)
	if err != nil && !nsinfo.IsDenied(err) {
		return links, &Error{Op: "read the namespaces of the sandbox", Err: err}
	}
	return links, nil
}

// created reports whether Start creates namespaces of type t.
func created(opts Options, t nsinfo.Type) bool {
	switch t {
	case nsinfo.PID, nsinfo.Mount:
		return true
	case nsinfo.User:
		return opts.User
	case nsinfo.UTS:
		return opts.UTS
	case nsinfo.IPC:
		return opts.IPC
	case nsinfo.Net:
		return opts.Net
	case nsinfo.Cgroup:
		return opts.Cgroup
	case nsinfo.Time:
		return opts.Time
	}
	return false
}

func (s *linuxSandbox) info() Info {
	i := s.desc
	i.Inits = append([]int(nil), i.Inits...)
	i.CommandNSpid = append([]int(nil), i.CommandNSpid...)
	i.PIDNamespaces = append([]nsinfo.ID(nil), i.PIDNamespaces...)
	i.Namespaces = append([]nsinfo.ID(nil), i.Namespaces...)
	return i
}

func (s *linuxSandbox) signal(sig syscall.Signal) error {
	select {
	case <-s.done:
		return os.ErrProcessDone
	default:
	}
	// SIGKILL and SIGSTOP cannot be caught, so no init can forward them:
	// they go to the command itself.
	if sig == unix.SIGKILL || sig == unix.SIGSTOP {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.cmdFD >= 0 {
			err := unix.PidfdSendSignal(s.cmdFD, sig, nil, 0)
			if err == unix.ESRCH {
				return os.ErrProcessDone
			}
			return err
		}
	}
	return s.proc.Signal(sig)
}

func (s *linuxSandbox) wait() (int, error) {
	<-s.done
	return s.code, s.err
}

func (s *linuxSandbox) close() error {
	s.closeOnce.Do(func() {
		select {
		case <-s.done:
		default:
			// Level 1 is PID 1 of the outermost namespace: when it dies
			// the kernel kills every process in it and in the levels
			// below, and it is reaped only once they are all gone.
			s.proc.Kill()
			<-s.done
		}
		s.closeCmdFD()
	})
	return nil
}

func (s *linuxSandbox) closeCmdFD() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmdFD >= 0 {
		unix.Close(s.cmdFD)
		s.cmdFD = -1
	}
}
