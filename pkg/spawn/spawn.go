package spawn

import (
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// MaxDepth is the deepest nesting of PID namespaces the kernel allows.
const MaxDepth = nsinfo.MaxPIDDepth

// Options says what to create and what to run.
type Options struct {
	// Command is the program and its arguments; empty means $SHELL, else
	// /bin/sh.
	Command []string
	// Depth is how many nested PID namespaces to create, each with its
	// own init; the command runs in the innermost. 0 means 1.
	Depth int
	// User also creates a user namespace mapping the caller to root, so
	// an unprivileged caller can spawn.
	User bool
	// UTS, IPC, Net, Cgroup and Time also create those namespaces.
	UTS, IPC, Net, Cgroup, Time bool
	// Hostname is set in the new UTS namespace (implies UTS).
	Hostname string
	// NoInit runs the command itself as PID 1, as unshare does.
	NoInit bool
	// Detach leaves the sandbox running when the caller exits; otherwise
	// everything in it is killed when the caller dies, even by SIGKILL.
	Detach bool
	// Stdin, Stdout and Stderr are the command's; nil means /dev/null.
	// When Stdin is the caller's controlling terminal and the caller is its
	// foreground job, the command gets the terminal's foreground (Ctrl-C
	// reaches it, not the caller), and the caller gets it back, with the
	// settings it had, when the sandbox ends.
	Stdin, Stdout, Stderr *os.File
	// Env is the command's environment; nil means the caller's.
	Env []string
	// Dir is the command's working directory; "" means the caller's.
	Dir string
}

// Sandbox is a running set of new namespaces and the command in them.
type Sandbox struct {
	impl sandboxImpl
}

// Info describes what a Sandbox created, in the caller's PID numbering.
type Info struct {
	// Inits are the host PIDs of each level's init, outer to inner (empty
	// with NoInit at depth 1).
	Inits []int `json:"inits"`
	// CommandPID is the host PID of the command.
	CommandPID int `json:"command_pid"`
	// CommandNSpid is the command's NSpid chain, outer to inner.
	CommandNSpid []int `json:"command_nspid"`
	// PIDNamespaces are the new PID namespaces, outer to inner.
	PIDNamespaces []nsinfo.ID `json:"pid_namespaces"`
	// Namespaces are all the namespaces created, by type, innermost level.
	Namespaces []nsinfo.ID `json:"namespaces"`
}

// ErrUnsupported is returned where namespaces cannot be created at all.
var ErrUnsupported = errors.ErrUnsupported

// ErrBadOptions is wrapped by the error Start returns for options that can
// never work (Depth outside 1..MaxDepth, an empty command name, a Hostname
// over 64 bytes, Detach with NoInit at depth 1), and by Stop's for an id
// that names no sandbox at all: a usage error, not a system one.
var ErrBadOptions = errors.New("invalid spawn options")

// ErrNotFound is wrapped by the error Stop returns when no sandbox matches.
var ErrNotFound = errors.New("no nsview sandbox")

// Error is a failure to create a sandbox: what was being done, why, and
// which system setting or flag to change. Every error Start returns after
// validating the options is an *Error.
type Error struct {
	// Op is what failed, e.g. "create the namespaces" or "mount a new proc
	// on /proc".
	Op string
	// Err is the cause, usually a syscall.Errno.
	Err error
	// Setting names the sysctl, mount or flag to change
	// ("user.max_user_namespaces", "--user", ...); "" if none applies.
	Setting string
	// Hint says how to fix it, in one sentence; "" if nothing is known.
	Hint string
}

func (e *Error) Error() string {
	msg := e.Op + ": " + e.Err.Error()
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// MaybeRunInit runs nsview's init (or the stage that becomes the command)
// when this process was started as one by Start, and never returns then;
// otherwise it returns at once. Call it first thing in main, and in TestMain
// of every test binary that calls Start: Start re-executes /proc/self/exe.
func MaybeRunInit() { maybeRunInit() }

// Stop ends a sandbox started with Detach (or any nsview sandbox), named by
// id: its PID namespace as "pid:[N]" or N, or the host PID of its
// outermost init, as Start's Info and `nsview spawn --detach` print them.
// The command gets SIGTERM (through its init); whatever is left after
// grace is killed with SIGKILL. Stop returns the host PID of the init it
// ended once every process of the sandbox is gone. It wraps ErrNotFound
// when id names no nsview sandbox.
func Stop(id string, grace time.Duration) (int, error) { return stop(id, grace) }

// Running is an nsview sandbox found on this system, named as Stop takes it.
type Running struct {
	// Init is the host PID of its outermost init.
	Init int
	// PIDNamespace is its outermost PID namespace; zero when the init's
	// link could not be read.
	PIDNamespace nsinfo.ID
	// Command is the name (comm) of the command it runs, "" when it
	// could not be found.
	Command string
}

// List returns the nsview sandboxes running on this system, detached or
// not, one per outermost init, by init PID: what `nsview spawn --stop`
// completes.
func List() ([]Running, error) { return list() }

// sandboxImpl is what each platform provides.
type sandboxImpl interface {
	info() Info
	signal(sig syscall.Signal) error
	wait() (int, error)
	close() error
}

// Start creates the namespaces and starts the command. Errors that come
// from the system's settings (no privilege, user namespaces disabled, /proc
// masked, depth over MaxDepth) name the setting to change.
func Start(opts Options) (*Sandbox, error) { return start(opts) }

// Info describes what was created.
func (s *Sandbox) Info() Info { return s.impl.info() }

// Signal sends sig to the command (through its inits, each forwarding it
// once). SIGKILL and SIGSTOP, which no init can catch to forward, go to the
// command directly. After the sandbox has ended it returns
// os.ErrProcessDone.
func (s *Sandbox) Signal(sig syscall.Signal) error { return s.impl.signal(sig) }

// Wait waits for the command to end and returns its exit code (128+n when
// it died of signal n). When it returns, every process of the sandbox is
// gone (the kernel ends a PID namespace with its init). It may be called
// more than once, from any goroutine.
func (s *Sandbox) Wait() (int, error) { return s.impl.wait() }

// Close ends every process in the sandbox (SIGKILL to the outermost init,
// a detached sandbox too) and waits for them, so that no process and no
// namespace is left; Wait then reports 137. It is safe to call after Wait
// and more than once.
func (s *Sandbox) Close() error { return s.impl.close() }
