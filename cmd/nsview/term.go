package main

import (
	"io"
	"os"
	"strconv"
)

// terminal reports whether w is a terminal and how many columns it has:
// the window size, else $COLUMNS, else 80, as util-linux decides.
func terminal(w io.Writer) (isTerm bool, width int) {
	if !isTerminal(w) {
		return false, envColumns()
	}
	if n := terminalWidth(w); n > 0 {
		return true, n
	}
	return true, envColumns()
}

// envColumns is $COLUMNS when it is a positive number, else 80.
func envColumns() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// colorWanted reports whether to color output written to a terminal:
// not when NO_COLOR is set (https://no-color.org) or TERM is dumb.
func colorWanted(isTerm bool) bool {
	if !isTerm {
		return false
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	return os.Getenv("TERM") != "dumb"
}
