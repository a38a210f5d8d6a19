package nsinfo

import (
	"bytes"
	"errors"
	"fmt"
	"math"
)

// Stat is the part of /proc/PID/stat that nsview uses.
type Stat struct {
	PID        int
	Comm       string // between the first '(' and the last ')': may hold any byte but NUL
	State      byte   // R, S, D, Z, T, t, X, I, ...
	PPID       int    // 0 when the parent is outside the proc mount's PID namespace
	PGID       int
	SID        int
	TTY        int
	Flags      uint64 // the kernel's PF_* flags of the task
	UTime      uint64 // clock ticks
	STime      uint64 // clock ticks
	NumThreads int
	StartTime  uint64 // clock ticks after boot
}

// pfKthread is PF_KTHREAD, the flag of a kernel thread (include/linux/sched.h).
const pfKthread = 0x00200000

// KernelThread reports whether the process is a kernel thread: it has no
// memory of its own, so no command line, and no files but the kernel's.
func (s Stat) KernelThread() bool { return s.Flags&pfKthread != 0 }

// ErrMalformed is wrapped by the parsers when a file's contents are not what
// the kernel writes.
var ErrMalformed = errors.New("malformed")

// ParseStat parses the contents of /proc/PID/stat. It is written by hand
// because prometheus/procfs's Proc.Stat panics on contents such as "1 (x)"
// or ")(" (slice bounds out of range) and allocates a string per field; it
// never panics, whatever the input, and allocates only the name.
func ParseStat(b []byte) (Stat, error) {
	var s Stat
	lp := bytes.IndexByte(b, '(')
	rp := bytes.LastIndexByte(b, ')')
	if lp < 0 || rp < lp {
		return s, fmt.Errorf("stat: %w: no (comm)", ErrMalformed)
	}
	pid, ok := parseInt(bytes.TrimSpace(b[:lp]))
	if !ok || pid <= 0 {
		return s, fmt.Errorf("stat: %w: bad pid", ErrMalformed)
	}
	s.PID = pid
	s.Comm = string(b[lp+1 : rp])

	// Fields after the name, numbered as in proc(5): 3 is the state.
	rest := b[rp+1:]
	field := 2
	for len(rest) > 0 && field < 22 {
		rest = bytes.TrimLeft(rest, " ")
		if len(rest) == 0 {
			break
		}
		end := bytes.IndexByte(rest, ' ')
		if end < 0 {
			// The kernel writes 52 fields and a newline: a field that
			// runs to the end of the input unterminated was cut short
			// (a truncated read), and its number may be too.
			if rest[len(rest)-1] != '\n' {
				return s, fmt.Errorf("stat: %w: cut short at field %d", ErrMalformed, field+1)
			}
			end = len(rest)
		}
		tok := bytes.TrimRight(rest[:end], "\n")
		rest = rest[end:]
		field++
		var good bool
		switch field {
		case 3:
			// The kernel writes one ASCII letter; anything else is not a
			// state, and would reach terminals and JSON unescaped.
			if len(tok) == 1 && (tok[0]|0x20 >= 'a' && tok[0]|0x20 <= 'z') {
				s.State, good = tok[0], true
			}
		case 4:
			s.PPID, good = parseInt(tok)
		case 5:
			s.PGID, good = parseInt(tok)
		case 6:
			s.SID, good = parseInt(tok)
		case 7:
			s.TTY, good = parseInt(tok)
		case 9:
			s.Flags, good = parseUint(tok)
		case 14:
			s.UTime, good = parseUint(tok)
		case 15:
			s.STime, good = parseUint(tok)
		case 20:
			s.NumThreads, good = parseInt(tok)
		case 22:
			s.StartTime, good = parseUint(tok)
		default:
			good = true
		}
		if !good {
			return s, fmt.Errorf("stat: %w: field %d %q", ErrMalformed, field, truncate(tok))
		}
	}
	if field < 22 {
		return s, fmt.Errorf("stat: %w: %d fields, want at least 22", ErrMalformed, field)
	}
	return s, nil
}

// parseInt parses a decimal int (optionally negative) without allocating;
// it refuses overflow.
func parseInt(b []byte) (int, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	u, ok := parseUint(b)
	if !ok || u > math.MaxInt {
		return 0, false
	}
	if neg {
		return -int(u), true
	}
	return int(u), true
}

// parseUint parses a decimal uint64 without allocating; it refuses overflow.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

func truncate(b []byte) string {
	if len(b) > 32 {
		return string(b[:32]) + "..."
	}
	return string(b)
}
