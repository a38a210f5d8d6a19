package population

import (
	"io"
	"time"
)

// Config says what population to start and where to record it.
type Config struct {
	N      int    // processes in total, unshares and inits included
	Levels int    // nested PID namespaces (default Levels)
	State  string // state file; the idle program and a log go beside it
	Self   string // absolute path of this program, run as each level's init
	// Timeout bounds the wait for the population; 0 means 60 s plus 10 ms
	// per process.
	Timeout time.Duration
	Out     io.Writer // progress and notes
}

// InitConfig is what one level's init is told on its command line.
type InitConfig struct {
	Level int    // 1 for the outermost new PID namespace
	Plan  Plan   // idle children per level
	Idle  string // the idle program; "" for `sleep infinity`
	Self  string // this program, to start the next level's init
}

// pidMaxLimit is PID_MAX_LIMIT on 64-bit kernels.
const pidMaxLimit = 4 << 20

// pidMaxFor returns the kernel.pid_max that n more tasks need, given how
// many run now and the current setting, or 0 when the current one has room.
// A quarter of the total (at least 1,000) is kept free for whatever else the
// machine runs meanwhile; the value is a power of two, at most the kernel's
// limit.
func pidMaxFor(n, tasks, current int) int {
	want := tasks + n + max(1000, (tasks+n)/4)
	if want <= current {
		return 0
	}
	v := 1 << 15
	for v < want {
		v <<= 1
	}
	return min(v, pidMaxLimit)
}
