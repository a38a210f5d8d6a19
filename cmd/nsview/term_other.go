//go:build !linux

package main

import "io"

// terminal reports that output is not a terminal: nsview's table fitting is
// Linux's.
func terminal(w io.Writer) (isTerm bool, width int) { return false, envColumns() }
