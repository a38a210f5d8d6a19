package spawn

import (
	"errors"
	"syscall"
)

// envInit marks a process as nsview's init or exec stage. Its value is the
// JSON config; nothing else of the caller's environment reaches an init.
const envInit = "NSVIEW_SPAWN_INIT"

// The descriptors an init or exec stage receives from its parent.
const (
	// fdReport is a SOCK_SEQPACKET socket to Start: every process sends
	// one report (the kernel attaches its PID, translated into the
	// caller's numbering), and the process that becomes the command waits
	// on it for "go".
	fdReport = 3
	// fdReady is closed by the process when it can take forwarded
	// signals: an init once it handles them, the command once exec has
	// succeeded (close-on-exec). Its parent holds forwarded signals until
	// then.
	fdReady = 4
	// fdLifeline (outermost level only) is the read end of a pipe whose
	// write end only Start's process holds: when it reads as hung up, the
	// caller is gone.
	fdLifeline = 5
)

// initName is the name (comm and argv[0]) of nsview's init, as ps and
// pstree show it.
const initName = "nsview-init"

// exitSetup is the exit code of an init or stage that could not set up;
// the reason travels as a report.
const exitSetup = 125

// exitNotPID2 is the stage's exit code when it did not get PID 2.
const exitNotPID2 = 99

// goMessage is what Start sends once it has read everything it reports:
// the command may run.
const goMessage = "go"

// config is what one process of the sandbox is told, as JSON in envInit.
type config struct {
	// Level is the PID namespace this process sets up, 1 = outermost.
	Level int `json:"level"`
	// Depth is how many levels there are.
	Depth int `json:"depth"`
	// Stage marks the process that only waits for "go" and execs the
	// command (PID 2 of the innermost level).
	Stage bool `json:"stage,omitempty"`
	// Reexeced marks the innermost init's later images: the first set the
	// level up and exec'd itself, so that its threads, which took PIDs 2
	// and up, are gone and the stage can be PID 2.
	Reexeced bool `json:"reexeced,omitempty"`
	// ReadyOpen says fdReady is still open in a re-executed image.
	ReadyOpen bool `json:"ready_open,omitempty"`
	// Tries counts the images that failed to give the stage PID 2.
	Tries int `json:"tries,omitempty"`
	// WantPID2 tells the stage to exit with exitNotPID2, without a report,
	// unless it is PID 2; its init then tries again.
	WantPID2 bool `json:"want_pid2,omitempty"`
	// NoInit makes the innermost level's process exec the command itself.
	NoInit bool `json:"no_init,omitempty"`
	// Hostname is set at level 1 (in its new UTS namespace).
	Hostname string `json:"hostname,omitempty"`
	// Lifeline says fdLifeline is open: set the parent-death signal.
	Lifeline bool `json:"lifeline,omitempty"`
	// Foreground gives the command its own process group in the
	// foreground of the terminal on stdin.
	Foreground bool `json:"foreground,omitempty"`
	// Ignore are the signals the caller was started with ignored, which
	// the command gets ignored too (the Go runtime keeps only SIGHUP and
	// SIGINT ignored: nohup's case).
	Ignore []int `json:"ignore,omitempty"`
	// Command, Env and Dir are the command's.
	Command []string `json:"command"`
	Env     []string `json:"env"`
	Dir     string   `json:"dir,omitempty"`
}

// execsCommand reports whether this process becomes the command.
func (c config) execsCommand() bool {
	return c.Stage || (c.NoInit && c.Level == c.Depth)
}

// report is what one process of the sandbox tells Start.
type report struct {
	// Level is the process's PID namespace level.
	Level int `json:"level"`
	// Init marks a level's init.
	Init bool `json:"init,omitempty"`
	// Command marks the process that becomes the command.
	Command bool `json:"command,omitempty"`
	// Err is why setup failed.
	Err *wireError `json:"error,omitempty"`
}

// wireError carries an *Error across the report socket.
type wireError struct {
	Op        string `json:"op"`
	Errno     int    `json:"errno,omitempty"`
	Msg       string `json:"msg,omitempty"`
	Setting   string `json:"setting,omitempty"`
	Hint      string `json:"hint,omitempty"`
	NoCommand bool   `json:"no_command,omitempty"`
}

// ErrNoCommand is wrapped by the error Start returns when the command
// cannot be found or run (with the errno: ENOENT, EACCES...).
var ErrNoCommand = errors.New("cannot run the command")

// noCommand marks err as ErrNoCommand without changing its text.
type noCommand struct{ err error }

func (e noCommand) Error() string   { return e.err.Error() }
func (e noCommand) Unwrap() []error { return []error{ErrNoCommand, e.err} }

func toWire(err error) *wireError {
	w := &wireError{Op: "set up the sandbox", Msg: err.Error()}
	var e *Error
	if errors.As(err, &e) {
		w.Op, w.Setting, w.Hint, w.Msg = e.Op, e.Setting, e.Hint, e.Err.Error()
		err = e.Err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		w.Errno = int(errno)
	}
	w.NoCommand = errors.Is(err, ErrNoCommand)
	return w
}

func (w *wireError) toError() *Error {
	var cause error = errors.New(w.Msg)
	if w.Errno != 0 {
		cause = errnoText{msg: w.Msg, errno: syscall.Errno(w.Errno)}
	}
	if w.NoCommand {
		cause = noCommand{cause}
	}
	return &Error{Op: w.Op, Err: cause, Setting: w.Setting, Hint: w.Hint}
}

// errnoText is an errno with the text it was reported with.
type errnoText struct {
	msg   string
	errno syscall.Errno
}

func (e errnoText) Error() string {
	if e.msg == "" {
		return e.errno.Error()
	}
	return e.msg
}

func (e errnoText) Unwrap() error { return e.errno }
