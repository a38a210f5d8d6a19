package nsinfo

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
)

// MaxPIDDepth is the kernel's limit on PID namespace nesting
// (MAX_PID_NS_LEVEL): the initial namespace is level 0 and the deepest one
// level 32, so at most 32 namespaces can be created below the host's.
const MaxPIDDepth = 32

// MaxNSpid is the longest NSpid chain: one entry per level from 0 to
// MaxPIDDepth, 33 for a process in the deepest namespace read through the
// host's proc mount.
const MaxNSpid = MaxPIDDepth + 1

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
	line, ok, err := statusLine(b, "NSpid:")
	if err != nil {
		return s, err
	}
	if ok {
		chain, err := parseNSpid(line)
		if err != nil {
			return s, err
		}
		s.NSpid = chain
	} else if len(b) > 0 && b[len(b)-1] != '\n' {
		// No NSpid line may mean an old kernel, or a file cut short
		// before it: only the second leaves the last line unterminated.
		return s, fmt.Errorf("status: %w: cut short before NSpid", ErrMalformed)
	}
	line, ok, err = statusLine(b, "Uid:")
	if err != nil {
		return s, err
	}
	if ok {
		n := 0
		for f := range fields(line) {
			u, good := parseUint(f)
			if n == len(s.UID) || !good || u > math.MaxUint32 {
				return s, fmt.Errorf("status: %w: Uid line %q", ErrMalformed, truncate(line))
			}
			s.UID[n] = uint32(u)
			n++
		}
		if n != len(s.UID) {
			return s, fmt.Errorf("status: %w: Uid line %q", ErrMalformed, truncate(line))
		}
		s.UIDOK = true
	}
	return s, nil
}

// statusLine returns the rest of the line that starts with key, and whether
// there is one. The kernel ends every line with a newline; a line without
// one was cut short (a truncated read) and is returned with an error rather
// than parsed, since "NSpid:\t4150\t4" cut from "NSpid:\t4150\t42" would
// parse as a wrong, well-formed chain.
func statusLine(b []byte, key string) ([]byte, bool, error) {
	i := 0
	if !bytes.HasPrefix(b, []byte(key)) {
		j := bytes.Index(b, []byte("\n"+key))
		if j < 0 {
			return nil, false, nil
		}
		i = j + 1
	}
	line := b[i+len(key):]
	end := bytes.IndexByte(line, '\n')
	if end < 0 {
		return nil, true, fmt.Errorf("status: %w: %s line cut short", ErrMalformed, key[:len(key)-1])
	}
	return line[:end], true, nil
}

// parseNSpid parses the NSpid line's numbers. It allocates the chain only,
// never more than MaxNSpid entries, whatever the line holds.
func parseNSpid(line []byte) ([]int, error) {
	var chain []int
	for f := range fields(line) {
		if len(chain) == MaxNSpid {
			return nil, fmt.Errorf("status: %w: NSpid has more than %d entries, the kernel's limit", ErrMalformed, MaxNSpid)
		}
		pid, ok := parseInt(f)
		if !ok || pid <= 0 {
			return nil, fmt.Errorf("status: %w: NSpid entry %q", ErrMalformed, truncate(f))
		}
		if chain == nil {
			chain = make([]int, 0, 4)
		}
		chain = append(chain, pid)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("status: %w: empty NSpid line", ErrMalformed)
	}
	return chain, nil
}

// fields yields the space- or tab-separated fields of a line without
// allocating (bytes.Fields allocates a slice header per field, which on a
// hostile line is many times the line's size).
func fields(line []byte) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(line) > 0 {
			i := 0
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
			line = line[i:]
			if len(line) == 0 {
				return
			}
			j := 0
			for j < len(line) && line[j] != ' ' && line[j] != '\t' {
				j++
			}
			if !yield(line[:j]) {
				return
			}
			line = line[j:]
		}
	}
}

// ReadNSpid reads the NSpid chain of a process of the caller's /proc,
// outermost first; nil for a kernel without the line. Errors say whether
// the process has vanished or is denied (IsVanished, IsDenied).
func ReadNSpid(pid int) ([]int, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, wrap("read", path, err)
	}
	st, err := ParseStatus(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return st.NSpid, nil
}
