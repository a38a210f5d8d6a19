package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// terminal reports whether w is a terminal and how many columns it has:
// the window size, else $COLUMNS, else 80, as util-linux decides.
func terminal(w io.Writer) (isTerm bool, width int) {
	f, ok := w.(*os.File)
	if !ok {
		return false, envColumns()
	}
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return false, envColumns()
	}
	if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
		return true, int(ws.Col)
	}
	return true, envColumns()
}
