package nsls

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/nsview/nsview/pkg/container"
	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// MatrixOptions shape `nsview ns --matrix`.
type MatrixOptions struct {
	// PIDs are the processes to show; empty for the default rows: the
	// host's reference process and every process that enters a
	// container or a namespace its parent is not in.
	PIDs []int
	// All shows every process instead of the default rows.
	All bool
	// Color marks cells with color as well as with = and * (on a
	// terminal, without NO_COLOR).
	Color bool
	JSON  bool
}

// ErrNoSuchProcess is wrapped when a PID given to the matrix is not in the
// snapshot.
var ErrNoSuchProcess = tree.ErrNoProcess

// MatrixRow is one process of the matrix.
type MatrixRow struct {
	PID       int    `json:"pid"`
	Command   string `json:"command"`
	Container string `json:"container"`
	// Namespaces, in nsinfo.Types order.
	Namespaces [nsinfo.NumTypes]MatrixCell `json:"-"`
}

// MatrixCell is one namespace of one process.
type MatrixCell struct {
	// NS is the inode, 0 where unreadable.
	NS uint64
	// Shared: 1 shared with the host, -1 own, 0 unknown.
	Shared int
}

// MatrixRows chooses and fills the matrix's rows.
func MatrixRows(s *tree.Snapshot, o MatrixOptions) ([]MatrixRow, error) {
	host, _ := s.HostNamespaces()
	var procs []*tree.Process
	switch {
	case len(o.PIDs) > 0:
		for _, pid := range o.PIDs {
			p, ok := s.Proc(pid)
			if !ok {
				return nil, fmt.Errorf("process %d: %w", pid, ErrNoSuchProcess)
			}
			procs = append(procs, p)
		}
	default:
		entering := container.Entering(s)
		for i := range s.Processes {
			p := &s.Processes[i]
			if o.All || p.PID == 1 || isEntering(s, p, entering) {
				procs = append(procs, p)
			}
		}
	}
	rows := make([]MatrixRow, len(procs))
	for i, p := range procs {
		r := &rows[i]
		r.PID, r.Command = p.PID, Command(p)
		r.Container = container.OfProcess(p).String()
		for t := range nsinfo.Types {
			c := &r.Namespaces[t]
			c.NS = p.NS[t]
			if c.NS != 0 && host[t] != 0 {
				c.Shared = -1
				if c.NS == host[t] {
					c.Shared = 1
				}
			}
		}
	}
	return rows, nil
}

// isEntering reports whether p enters a namespace or a container (not a
// systemd unit) that its parent is not in.
func isEntering(s *tree.Snapshot, p *tree.Process, entering map[int]container.Container) bool {
	if c, ok := entering[p.PID]; ok && c.Engine != "systemd" {
		return true
	}
	parent, ok := s.Proc(p.PPID)
	if !ok {
		// A parent the snapshot does not hold (hidden by hidepid, or
		// gone): whether p entered anything cannot be told, and its
		// row is the most that can be shown of its subtree. (Not on a
		// fixture, which has no caller and often no parents.)
		return p.PPID != 0 && s.Caller.ProcSelf != 0
	}
	if p.PPID == p.PID {
		return false
	}
	for t := range p.NS {
		if p.NS[t] != 0 && parent.NS[t] != 0 && p.NS[t] != parent.NS[t] {
			return true
		}
	}
	return false
}

// RenderMatrix prints the matrix: one row per process, one column per
// namespace type, each cell the namespace's inode marked = (shared with
// the host) or * (its own), ? where unreadable.
func RenderMatrix(w io.Writer, s *tree.Snapshot, o MatrixOptions) error {
	rows, err := MatrixRows(s, o)
	if err != nil {
		return err
	}
	_, from := s.HostNamespaces()
	if o.JSON {
		return matrixJSON(w, s, rows, from)
	}
	bw := bufio.NewWriter(w)
	const (
		dim   = "\x1b[2m"
		bold  = "\x1b[1;33m"
		reset = "\x1b[0m"
	)
	width := make([]int, nsinfo.NumTypes)
	for t, typ := range nsinfo.Types {
		width[t] = len(typ.String())
		for i := range rows {
			width[t] = max(width[t], len(cellText(rows[i].Namespaces[t])))
		}
	}
	pidW := len("PID")
	for i := range rows {
		pidW = max(pidW, len(strconv.Itoa(rows[i].PID)))
	}
	ctW := len("CONTAINER")
	for i := range rows {
		ctW = max(ctW, width2(escape.Text(rows[i].Container)))
	}
	fmt.Fprintf(bw, "%*s", pidW, "PID")
	for t, typ := range nsinfo.Types {
		fmt.Fprintf(bw, " %-*s", width[t], typ.String())
	}
	fmt.Fprintf(bw, " %-*s COMMAND\n", ctW, "CONTAINER")
	for i := range rows {
		r := &rows[i]
		fmt.Fprintf(bw, "%*d", pidW, r.PID)
		for t := range nsinfo.Types {
			c := r.Namespaces[t]
			text := cellText(c)
			bw.WriteByte(' ')
			switch {
			case o.Color && c.Shared > 0:
				bw.WriteString(dim + text + reset)
			case o.Color && c.Shared < 0:
				bw.WriteString(bold + text + reset)
			default:
				bw.WriteString(text)
			}
			pad(bw, width[t]-len(text))
		}
		ct := escape.Text(r.Container)
		bw.WriteByte(' ')
		bw.WriteString(ct)
		pad(bw, ctW-width2(ct))
		bw.WriteByte(' ')
		bw.WriteString(escape.Text(r.Command))
		bw.WriteByte('\n')
	}
	if from == "" {
		from = "unknown: PID 1's namespaces are unreadable"
	}
	fmt.Fprintf(bw, "= shared with the host (%s)   * its own   ? unreadable\n", from)
	return bw.Flush()
}

func width2(s string) int { return width(s) }

func cellText(c MatrixCell) string {
	if c.NS == 0 {
		return "?"
	}
	id := strconv.FormatUint(c.NS, 10)
	switch {
	case c.Shared > 0:
		return "=" + id
	case c.Shared < 0:
		return "*" + id
	}
	return "?" + id
}

type matrixCellJSON struct {
	NS     *uint64 `json:"ns"`
	Shared *bool   `json:"shared"`
}

func matrixJSON(w io.Writer, s *tree.Snapshot, rows []MatrixRow, from string) error {
	// Strings that are not valid UTF-8 come again, exactly, in *_b64.
	type rowJSON struct {
		PID          int                       `json:"pid"`
		Command      string                    `json:"command"`
		CommandB64   string                    `json:"command_b64,omitempty"`
		Container    *string                   `json:"container"`
		ContainerB64 string                    `json:"container_b64,omitempty"`
		Namespaces   map[string]matrixCellJSON `json:"namespaces"`
	}
	doc := struct {
		Host       string    `json:"host"`
		Processes  []rowJSON `json:"processes"`
		Unreadable int       `json:"unreadable"`
		Warnings   []string  `json:"warnings,omitempty"`
	}{Host: from, Unreadable: s.Unreadable.Unread(), Processes: []rowJSON{}, Warnings: s.Warnings}
	for i := range rows {
		r := &rows[i]
		j := rowJSON{PID: r.PID, Command: r.Command, Namespaces: map[string]matrixCellJSON{}}
		if !utf8.ValidString(r.Command) {
			j.CommandB64 = base64.StdEncoding.EncodeToString([]byte(r.Command))
		}
		if r.Container != "" {
			c := r.Container
			j.Container = &c
			if !utf8.ValidString(c) {
				j.ContainerB64 = base64.StdEncoding.EncodeToString([]byte(c))
			}
		}
		for t, typ := range nsinfo.Types {
			c := r.Namespaces[t]
			var cj matrixCellJSON
			if c.NS != 0 {
				ns := c.NS
				cj.NS = &ns
			}
			if c.Shared != 0 {
				sh := c.Shared > 0
				cj.Shared = &sh
			}
			j.Namespaces[typ.String()] = cj
		}
		doc.Processes = append(doc.Processes, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
