//go:build !linux

package main

import "io"

// isTerminal reports false outside Linux: nsview only reads /proc there.
func isTerminal(w io.Writer) bool { return false }

// terminalWidth returns 0 outside Linux.
func terminalWidth(w io.Writer) int { return 0 }
