package nsinfo

import (
	"errors"
	"io/fs"
	"syscall"
)

// The two expected outcomes of reading a live /proc that are not failures.
var (
	// ErrVanished means the process (or the file) went away while it was
	// being read: ENOENT, ESRCH, or an empty read of a file that is never
	// empty. Callers skip the process.
	ErrVanished = errors.New("vanished")
	// ErrDenied means the caller may not read it: EACCES or EPERM. Callers
	// show the fact as unknown ("?") and count it.
	ErrDenied = errors.New("permission denied")
	// ErrExited means a pinned process ended while it was being read, so
	// its PID may name another process now: what was read may mix the
	// two (see Pin).
	ErrExited = errors.New("process exited while being read (its PID may be reused)")
)

// ReadError is a failed read below /proc. It unwraps to its kind
// (ErrVanished, ErrDenied, or nothing) and to the underlying error, so both
// errors.Is(err, ErrDenied) and errors.Is(err, fs.ErrPermission) hold.
type ReadError struct {
	Op   string // "read", "readlink", "open", "ioctl NS_GET_PARENT", ...
	Path string
	Kind error // ErrVanished, ErrDenied or nil
	Err  error
}

func (e *ReadError) Error() string {
	return e.Op + " " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the kind and the underlying error.
func (e *ReadError) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// wrap classifies err from operation op on path into one of the three
// outcomes. It returns nil for a nil err.
func wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return &ReadError{Op: op, Path: path, Kind: kindOf(err), Err: err}
}

func kindOf(err error) error {
	switch {
	case errors.Is(err, ErrVanished), errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ESRCH):
		return ErrVanished
	case errors.Is(err, ErrDenied), errors.Is(err, fs.ErrPermission):
		return ErrDenied
	}
	return nil
}

// IsVanished reports whether err means the process is gone: an error of
// kind ErrVanished, or an unclassified ENOENT or ESRCH (as a Files layer
// other than OSFiles may return).
func IsVanished(err error) bool { return err != nil && kindOf(err) == ErrVanished }

// IsDenied reports whether err means access was denied: an error of kind
// ErrDenied, or an unclassified EACCES or EPERM.
func IsDenied(err error) bool { return err != nil && kindOf(err) == ErrDenied }
