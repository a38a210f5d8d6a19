package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// details is the pane below the trees: everything about the selected
// process, with the lines that matter most first when space is short.
type details struct {
	width, height int
}

// SetSize sets the pane's size in cells, its top rule included.
func (d *details) SetSize(width, height int) { d.width, d.height = max(0, width), max(0, height) }

// detailsCtx is what the details pane shows.
type detailsCtx struct {
	st     *Styles
	w      *world
	p      *tree.Process // nil: nothing selected
	users  map[uint32]string
	colors *paneCtx
	loc    *time.Location
	// container names the process's container, "" where none is known.
	container string
	sandbox   string // "sandbox 2 (sh -c ...)" when this UI spawned it
}

var stateNames = map[string]string{
	"R": "running", "S": "sleeping", "D": "disk sleep", "Z": "zombie", "T": "stopped",
	"t": "tracing stop", "X": "dead", "I": "idle", "P": "parked", "W": "paging",
}

// View draws the pane.
func (d *details) View(c *detailsCtx) string {
	if d.height <= 0 {
		return ""
	}
	lines := make([]string, 0, d.height)
	rule := d.height >= 3
	if rule {
		lines = append(lines, c.st.Rule.Render(strings.Repeat("─", d.width)))
	}
	room := d.height - len(lines)
	if c.p == nil {
		lines = append(lines, c.st.Note.Render(fit(" no process selected", d.width)))
		return d.pad(lines)
	}
	p := c.p
	summary := d.summary(c)
	nspid := d.nspidLine(c)
	nsLines := d.nsLines(c)
	var extra []*line
	if c.sandbox != "" {
		l := &line{}
		l.add(" sandbox ", c.st.Label)
		l.add(c.sandbox, c.st.Mark)
		extra = append(extra, l)
	}
	if c.container != "" || p.Cgroup != "" {
		l := &line{}
		if c.container != "" {
			l.add(" container ", c.st.Label)
			l.add(escape.Text(c.container), c.st.Own)
			l.add("  ", c.st.Name)
		}
		if p.Cgroup != "" {
			l.add(" cgroup ", c.st.Label)
			l.add(escape.Text(p.Cgroup), c.st.Name)
		}
		extra = append(extra, l)
	}
	fixed := 1 + 1 + len(nsLines) + len(extra)
	cmdRoom := max(1, room-fixed)
	cmd := d.cmdLines(c, cmdRoom)

	var all []*line
	all = append(all, summary)
	all = append(all, cmd...)
	all = append(all, nspid)
	all = append(all, nsLines...)
	all = append(all, extra...)
	for _, l := range all {
		if len(lines) >= d.height {
			break
		}
		lines = append(lines, l.render(d.width, nil))
	}
	return d.pad(lines)
}

func (d *details) pad(lines []string) string {
	for len(lines) < d.height {
		lines = append(lines, strings.Repeat(" ", d.width))
	}
	return strings.Join(lines, "\n")
}

// summary: name, PIDs, user, state, start time.
func (d *details) summary(c *detailsCtx) *line {
	p, st := c.p, c.st
	l := &line{}
	l.add(" ", st.Name)
	l.add(escape.Text(p.Comm), st.Own)
	l.add("  PID ", st.Label)
	l.add(strconv.Itoa(p.PID), st.Name)
	if n := len(p.NSpid); n > 1 {
		l.add(" → ", st.Arrow)
		l.add(strconv.Itoa(p.NSpid[n-1]), st.Inner)
		l.add(" inside", st.Label)
	}
	if name := c.users[p.UID]; name != "" {
		l.add("  user ", st.Label)
		l.add(escape.Text(name)+" ("+strconv.FormatUint(uint64(p.UID), 10)+")", st.Name)
	} else {
		l.add("  uid ", st.Label)
		l.add(strconv.FormatUint(uint64(p.UID), 10), st.Name)
	}
	l.add("  state ", st.Label)
	state := escape.Text(p.State)
	if n, ok := stateNames[p.State]; ok {
		state += " (" + n + ")"
	}
	l.add(state, st.Name)
	if c.w.gone[keyOf(p)] {
		l.add("  gone", st.Gone)
	}
	if start, ok := startTime(c.w.snap, p); ok {
		l.add("  started ", st.Label)
		when := start.In(c.loc)
		format := "15:04:05"
		if taken := c.w.snap.Taken.In(c.loc); taken.YearDay() != when.YearDay() || taken.Year() != when.Year() {
			format = "Jan 02 15:04"
		}
		l.add(when.Format(format), st.Name)
		if age := c.w.snap.Taken.Sub(start); age >= 0 {
			l.add(" ("+shortDuration(age)+" ago)", st.Label)
		}
	}
	if p.Denied {
		l.add("  some facts unreadable (?)", st.Warn)
	}
	return l
}

// startTime is when the process started, from the boot time and its
// start in clock ticks.
func startTime(s *tree.Snapshot, p *tree.Process) (time.Time, bool) {
	if s.BootTime.IsZero() || s.ClockTicks <= 0 {
		return time.Time{}, false
	}
	ticks := int64(p.StartTime)
	hz := int64(s.ClockTicks)
	return s.BootTime.Add(time.Duration(ticks/hz)*time.Second + time.Duration(ticks%hz)*time.Second/time.Duration(hz)), true
}

// shortDuration is a duration in at most two units: 45s, 5m12s, 3h4m, 2d7h.
func shortDuration(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
}

// nspidLine: the process's PID at each level, outer to inner, then the
// namespace of each level in its color.
func (d *details) nspidLine(c *detailsCtx) *line {
	p, st := c.p, c.st
	l := &line{}
	l.add(" NSpid ", st.Label)
	if len(p.NSpid) == 0 {
		l.add("unknown (no NSpid read)", st.Unknown)
		return l
	}
	for i, pid := range p.NSpid {
		if i > 0 {
			l.add(" › ", st.Arrow)
		}
		l.add(strconv.Itoa(pid), st.Inner)
	}
	l.add("  in ", st.Label)
	for i, ns := range c.w.chain(p) {
		if i > 0 {
			l.add(" › ", st.Arrow)
		}
		if ns.IsZero() {
			l.add("pid:[?]", st.Unknown)
			continue
		}
		l.add(ns.String(), st.nsStyle(c.colors.slot(ns.Ino)))
	}
	return l
}

// nsLines: the eight namespaces, the process's own first, then those it
// shares with the host, then the unknown ones, wrapped to the pane's
// width.
func (d *details) nsLines(c *detailsCtx) []*line {
	p, st := c.p, c.st
	var own, shared, unknown []*line
	for i, t := range nsinfo.Types {
		l := &line{}
		l.add(t.String()+" ", st.Label)
		ino := p.NS[i]
		switch {
		case ino == 0:
			l.add("?", st.Unknown)
			unknown = append(unknown, l)
		case c.w.ref[i] == 0:
			l.add(strconv.FormatUint(ino, 10), st.Name)
			unknown = append(unknown, l)
		case ino == c.w.ref[i]:
			l.add(strconv.FormatUint(ino, 10)+" host", st.Shared)
			shared = append(shared, l)
		default:
			l.add(strconv.FormatUint(ino, 10)+" own", st.Own)
			own = append(own, l)
		}
	}
	items := append(append(own, shared...), unknown...)
	var out []*line
	cur := &line{}
	cur.add(" ns ", st.Label)
	for _, it := range items {
		w := it.width()
		if cur.width()+2+w > d.width && len(cur.segs) > 1 {
			out = append(out, cur)
			cur = &line{}
			cur.add("    ", st.Label)
		}
		if len(cur.segs) > 1 {
			cur.add("  ", st.Name)
		}
		cur.segs = append(cur.segs, it.segs...)
	}
	return append(out, cur)
}

// cmdLines: the full command line, wrapped over at most n lines.
func (d *details) cmdLines(c *detailsCtx, n int) []*line {
	st := c.st
	text := commandLine(c.p)
	const label = " cmd "
	avail := max(1, d.width-len(label))
	var out []*line
	for i := 0; i < n && text != ""; i++ {
		l := &line{}
		if i == 0 {
			l.add(label, st.Label)
		} else {
			l.add(strings.Repeat(" ", len(label)), st.Label)
		}
		chunk := text
		if ansi.StringWidth(chunk) > avail {
			if i == n-1 {
				chunk = ansi.Truncate(text, avail, "…")
				text = ""
			} else {
				chunk = ansi.Truncate(text, avail, "")
				text = text[len(chunk):]
			}
		} else {
			text = ""
		}
		l.add(chunk, st.Name)
		out = append(out, l)
	}
	if len(out) == 0 {
		l := &line{}
		l.add(label, st.Label)
		out = append(out, l)
	}
	return out
}
