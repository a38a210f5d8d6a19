//go:build !linux

package tree

// realFDs is Linux's; elsewhere no fds are found.
func realFDs(procPath string, pid int, buf []byte, out []fdHold) ([]fdHold, []byte) {
	return out, buf
}
