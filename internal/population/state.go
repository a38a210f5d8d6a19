package population

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Role is what a population process is.
type Role string

// The three kinds of process in a population.
const (
	RoleUnshare Role = "unshare" // creates the next level's namespaces
	RoleInit    Role = "init"    // PID 1 of one level
	RoleIdle    Role = "idle"    // an idle child of an init
)

// Proc is one process of the population, as the host numbers it.
type Proc struct {
	PID int
	// Start is the start time in clock ticks after boot (stat field 22):
	// with PID it tells the process from a later one given the same PID.
	Start uint64
	Role  Role
	// Level is the PID namespace level the process lives in: 0 for the
	// host's, 1 for the outermost new one.
	Level int
}

// NS is one namespace the population created.
type NS struct {
	Type  string // "pid" or "mnt"
	Ino   uint64
	Level int
}

// State is what Start records so Stop can end exactly what it started.
type State struct {
	N      int
	Levels int
	// Idle is the idle program Start wrote, removed by Stop ("" if none).
	Idle string
	// PIDMaxOld and PIDMaxSet are kernel.pid_max before and after Start
	// raised it; PIDMaxSet is 0 when Start left it alone.
	PIDMaxOld, PIDMaxSet int
	NS                   []NS
	Procs                []Proc
	// Complete is false while Start is still waiting for the population;
	// Procs then holds only the outermost unshare.
	Complete bool
}

// Write stores the state atomically (a reader sees the old or the new
// file, never half of one).
func (s *State) Write(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".population-state-*")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	w := bufio.NewWriter(tmp)
	fmt.Fprintf(w, "# nsview population state: written by scripts/population start, read by scripts/population stop\n")
	fmt.Fprintf(w, "n %d\nlevels %d\ncomplete %t\n", s.N, s.Levels, s.Complete)
	if s.Idle != "" {
		fmt.Fprintf(w, "idle %s\n", s.Idle)
	}
	fmt.Fprintf(w, "pid_max %d %d\n", s.PIDMaxOld, s.PIDMaxSet)
	for _, n := range s.NS {
		fmt.Fprintf(w, "ns %s %d %d\n", n.Type, n.Ino, n.Level)
	}
	for _, p := range s.Procs {
		fmt.Fprintf(w, "proc %d %d %s %d\n", p.PID, p.Start, p.Role, p.Level)
	}
	err = w.Flush()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write state %s: %w", path, err)
	}
	return nil
}

// ReadState loads a state file. A missing file wraps fs.ErrNotExist.
func ReadState(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	defer f.Close()
	s, err := parseState(f)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", path, err)
	}
	return s, nil
}

func parseState(r io.Reader) (*State, error) {
	s := &State{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		f := strings.Fields(text)
		bad := func() error { return fmt.Errorf("line %d: bad %q", line, text) }
		num := func(i int) (uint64, error) {
			if i >= len(f) {
				return 0, bad()
			}
			v, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				return 0, bad()
			}
			return v, nil
		}
		var err error
		var a, b, c uint64
		switch f[0] {
		case "n":
			a, err = num(1)
			s.N = int(a)
		case "levels":
			a, err = num(1)
			s.Levels = int(a)
		case "complete":
			s.Complete = len(f) == 2 && f[1] == "true"
		case "idle":
			if len(f) != 2 {
				return nil, bad()
			}
			s.Idle = f[1]
		case "pid_max":
			if a, err = num(1); err == nil {
				b, err = num(2)
			}
			s.PIDMaxOld, s.PIDMaxSet = int(a), int(b)
		case "ns":
			if len(f) != 4 {
				return nil, bad()
			}
			if a, err = num(2); err == nil {
				b, err = num(3)
			}
			s.NS = append(s.NS, NS{Type: f[1], Ino: a, Level: int(b)})
		case "proc":
			if len(f) != 5 {
				return nil, bad()
			}
			if a, err = num(1); err == nil {
				if b, err = num(2); err == nil {
					c, err = num(4)
				}
			}
			s.Procs = append(s.Procs, Proc{PID: int(a), Start: b, Role: Role(f[3]), Level: int(c)})
		default:
			return nil, bad()
		}
		if err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return s, nil
}
