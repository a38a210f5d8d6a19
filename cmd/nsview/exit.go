package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nsview/nsview/pkg/escape"
)

// Exit codes, documented in the README and the man page. A spawned
// command's own exit code passes through unchanged (0–255, 128+n for a
// signal); codes 125 is nsview's own, as in docker and podman.
const (
	exitOK      = 0
	exitError   = 1   // the command failed at run time
	exitUsage   = 2   // bad flags or arguments
	exitNoSpawn = 125 // nsview spawn could not create the namespace
	exitSIGINT  = 130 // interrupted by Ctrl-C
)

// exitCodeDoc describes one exit status for the man page (EXIT STATUS) and
// the README ("Exit codes"); a test keeps the README in step with this list.
type exitCodeDoc struct {
	code    string
	meaning string
}

// exitCodeDocs is the one list of nsview's exit statuses.
var exitCodeDocs = []exitCodeDoc{
	{"0", "success (a partial view of an unreadable /proc is still a success)"},
	{"1", "runtime error: nsview could not do what was asked"},
	{"2", "usage error: a bad flag, argument or value (a one-line message says which)"},
	{"125", "nsview spawn could not create the namespace"},
	{"130", "interrupted by Ctrl-C"},
	{"other", "nsview spawn: the spawned command's own exit status, 0-255, or 128+N when it was killed by signal N"},
}

// usageError marks an error in what the user typed.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitCodeError makes nsview exit with a given code, printing msg if set.
// nsview spawn uses it to pass its command's exit code through.
type exitCodeError struct {
	code int
	msg  string
}

func (e exitCodeError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return fmt.Sprintf("exit status %d", e.code)
}

// exitCode maps an error returned by a command to the process exit code and
// prints it, once, as one line on stderr.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ec exitCodeError
	if errors.As(err, &ec) {
		if ec.msg != "" {
			fmt.Fprintln(stderr, "nsview: "+oneLine(ec.msg))
		}
		return ec.code
	}
	fmt.Fprintln(stderr, "nsview: "+oneLine(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "Run 'nsview --help' for usage.")
		return exitUsage
	}
	return exitError
}

// oneLine keeps an error message on one line, whatever a process name or a
// path in it holds.
func oneLine(s string) string {
	return escape.Text(strings.TrimRight(s, "\n"))
}
