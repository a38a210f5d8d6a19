package nsinfo

import (
	"bytes"
	"fmt"
)

// MaxPIDDepth is the kernel's limit on PID namespace nesting (MAX_PID_NS_LEVEL
// is 32), and so the longest NSpid chain.
const MaxPIDDepth = 32

// Status is the part of /proc/PID/status that nsview uses.
type Status struct {
	// NSpid is the process's PID in each PID namespace from the proc
	// mount's own down to the process's, outer to inner. Nil when the line
	// is missing (kernels before 4.1, or a truncated file): the process is
	// still shown, with its depth unknown.
	NSpid []int
	// UID is the real, effective, saved and filesystem UIDs; UIDOK says the
	// line was present.
	UID   [4]uint32
	UIDOK bool
}

// ParseStatus parses the lines nsview needs from /proc/PID/status: NSpid and
// Uid. It looks only at those lines (procfs's NewStatus splits every line of
// the file into fields), and never panics.
func ParseStatus(b []byte) (Status, error) {
	var s Status
	if line, ok := statusLine(b, "NSpid:"); ok {
		chain, err := parseNSpid(line)
		if err != nil {
			return s, err
		}
		s.NSpid = chain
	}
	if line, ok := statusLine(b, "Uid:"); ok {
		f := bytes.Fields(line)
		if len(f) != 4 {
			return s, fmt.Errorf("status: %w: Uid line %q", ErrMalformed, truncate(line))
		}
		for i := range f {
			u, ok := parseUint(f[i])
			if !ok || u > 1<<32-1 {
				return s, fmt.Errorf("status: %w: Uid line %q", ErrMalformed, truncate(line))
			}
			s.UID[i] = uint32(u)
		}
		s.UIDOK = true
	}
	return s, nil
}

// statusLine returns the rest of the line that starts with key.
func statusLine(b []byte, key string) ([]byte, bool) {
	i := 0
	if !bytes.HasPrefix(b, []byte(key)) {
		j := bytes.Index(b, []byte("\n"+key))
		if j < 0 {
			return nil, false
		}
		i = j + 1
	}
	line := b[i+len(key):]
	if end := bytes.IndexByte(line, '\n'); end >= 0 {
		line = line[:end]
	}
	return line, true
}

func parseNSpid(line []byte) ([]int, error) {
	fields := bytes.Fields(line)
	n := len(fields)
	if n == 0 {
		return nil, fmt.Errorf("status: %w: empty NSpid line", ErrMalformed)
	}
	if n > MaxPIDDepth {
		return nil, fmt.Errorf("status: %w: NSpid has %d entries, the kernel allows %d", ErrMalformed, n, MaxPIDDepth)
	}
	chain := make([]int, 0, n)
	for _, f := range fields {
		pid, ok := parseInt(f)
		if !ok || pid <= 0 {
			return nil, fmt.Errorf("status: %w: NSpid entry %q", ErrMalformed, truncate(f))
		}
		chain = append(chain, pid)
	}
	return chain, nil
}
