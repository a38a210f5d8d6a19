package spawn

import (
	"errors"
	"os"
	"syscall"

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

// Signal sends sig to the command (through its init).
func (s *Sandbox) Signal(sig syscall.Signal) error { return s.impl.signal(sig) }

// Wait waits for the command to end and returns its exit code (128+n when
// it died of signal n).
func (s *Sandbox) Wait() (int, error) { return s.impl.wait() }

// Close ends every process in the sandbox and waits for them, so that no
// process and no namespace is left. It is safe to call after Wait and more
// than once.
func (s *Sandbox) Close() error { return s.impl.close() }
