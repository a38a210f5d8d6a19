package spawn

import (
	"os"

	"golang.org/x/sys/unix"
)

// terminal is the caller's controlling terminal, when the command's stdin
// is that terminal and the caller is its foreground job: the command gets
// the foreground, and the caller takes it back, with the settings it had,
// when the sandbox ends.
type terminal struct {
	fd      int
	pgrp    int
	termios *unix.Termios
}

// foregroundTerminal returns the terminal on f if the caller's process
// group is in its foreground, else nil.
func foregroundTerminal(f *os.File) *terminal {
	if f == nil {
		return nil
	}
	fd := int(f.Fd())
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil
	}
	fg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	if err != nil || fg != unix.Getpgrp() {
		return nil
	}
	return &terminal{fd: fd, pgrp: fg, termios: tio}
}

// restore puts the caller's process group back in the foreground and the
// saved settings back on the terminal. The caller is then in the
// background, where both calls raise SIGTTOU unless it is blocked, so it
// is blocked on this thread, which must be locked.
func (t *terminal) restore() {
	var set, old unix.Sigset_t
	sigaddset(&set, unix.SIGTTOU)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, &old); err != nil {
		return
	}
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
	unix.IoctlSetPointerInt(t.fd, unix.TIOCSPGRP, t.pgrp)
	unix.IoctlSetTermios(t.fd, unix.TCSETSW, t.termios)
}

func sigaddset(set *unix.Sigset_t, sig unix.Signal) {
	n := uint(sig) - 1
	set.Val[n/64] |= 1 << (n % 64)
}
