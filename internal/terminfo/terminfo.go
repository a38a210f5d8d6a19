// Package terminfo reads the few capabilities nsview needs from the
// compiled terminfo database: the sequences that start and end bold text,
// as psmisc pstree -h and -H get them through ncurses' termcap interface
// (tgetstr("md") and tgetstr("me")) and write them with tputs.
//
// Only what that needs is implemented: finding and parsing a compiled entry
// (legacy and 32-bit formats), evaluating a parameterized string (for sgr),
// ncurses' trimming of sgr0 (which drops the part that resets the
// alternate character set, so xterm's "\E(B\E[m" becomes "\E[0m"), and
// tputs' removal of $<..> delays.
package terminfo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrNotFound is wrapped when no database holds an entry for the terminal.
var ErrNotFound = errors.New("no terminfo entry")

// String capability indexes in compiled entries (term(5), Caps order).
const (
	capSmacs = 25 // enter_alt_charset_mode
	capBold  = 27 // enter_bold_mode, termcap md
	capRmacs = 38 // exit_alt_charset_mode
	capSgr0  = 39 // exit_attribute_mode, termcap me
	capSgr   = 131
)

// Terminal holds the capabilities of one terminal type.
type Terminal struct {
	Name string
	strs map[int]string // present strings only
}

func (t *Terminal) str(i int) (string, bool) {
	s, ok := t.strs[i]
	return s, ok
}

// Load finds the compiled entry for term the way ncurses searches: $TERMINFO,
// ~/.terminfo, $TERMINFO_DIRS (an empty element stands for the system
// directories), then /etc/terminfo, /lib/terminfo, /usr/share/terminfo.
func Load(term string, env func(string) string) (*Terminal, error) {
	if term == "" || strings.ContainsAny(term, "/\x00") || term == "." || term == ".." {
		return nil, fmt.Errorf("terminal %q: %w", term, ErrNotFound)
	}
	system := []string{"/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"}
	var dirs []string
	if d := env("TERMINFO"); d != "" {
		dirs = append(dirs, d)
	}
	if h := env("HOME"); h != "" {
		dirs = append(dirs, filepath.Join(h, ".terminfo"))
	}
	if list := env("TERMINFO_DIRS"); list != "" {
		for _, d := range strings.Split(list, ":") {
			if d == "" {
				dirs = append(dirs, system...)
			} else {
				dirs = append(dirs, d)
			}
		}
	}
	dirs = append(dirs, system...)
	for _, d := range dirs {
		for _, sub := range []string{term[:1], strconv.FormatInt(int64(term[0]), 16)} {
			b, err := os.ReadFile(filepath.Join(d, sub, term))
			if err != nil {
				continue
			}
			t, err := Parse(b)
			if err != nil {
				return nil, fmt.Errorf("terminal %q: %w", term, err)
			}
			return t, nil
		}
	}
	return nil, fmt.Errorf("terminal %q: %w", term, ErrNotFound)
}

// ErrFormat is wrapped by Parse for data that is not a compiled entry.
var ErrFormat = errors.New("not a compiled terminfo entry")

// Parse decodes a compiled terminfo entry (term(5)).
func Parse(b []byte) (*Terminal, error) {
	if len(b) < 12 {
		return nil, fmt.Errorf("%w: %d bytes", ErrFormat, len(b))
	}
	h := make([]int, 6)
	for i := range h {
		h[i] = int(int16(binary.LittleEndian.Uint16(b[2*i:])))
	}
	numSize := 2
	switch h[0] {
	case 0o432:
	case 0o1036:
		numSize = 4
	default:
		return nil, fmt.Errorf("%w: magic %#o", ErrFormat, h[0])
	}
	names, bools, nums, strs, table := h[1], h[2], h[3], h[4], h[5]
	if names < 0 || bools < 0 || nums < 0 || strs < 0 || table < 0 {
		return nil, fmt.Errorf("%w: negative section size", ErrFormat)
	}
	off := 12 + names + bools
	if off%2 == 1 {
		off++
	}
	off += nums * numSize
	strOff := off
	tableOff := strOff + 2*strs
	if tableOff+table > len(b) {
		return nil, fmt.Errorf("%w: truncated", ErrFormat)
	}
	t := &Terminal{strs: make(map[int]string)}
	t.Name, _, _ = strings.Cut(string(b[12:12+names]), "|")
	t.Name = strings.TrimRight(t.Name, "\x00")
	tab := b[tableOff : tableOff+table]
	for _, i := range []int{capSmacs, capBold, capRmacs, capSgr0, capSgr} {
		if i >= strs {
			continue
		}
		o := int(int16(binary.LittleEndian.Uint16(b[strOff+2*i:])))
		if o < 0 || o >= len(tab) {
			continue // absent (-1) or cancelled (-2)
		}
		end := o
		for end < len(tab) && tab[end] != 0 {
			end++
		}
		t.strs[i] = string(tab[o:end])
	}
	return t, nil
}

// Bold is what tputs(tgetstr("md")) writes: enter_bold_mode without its
// delays; "" when the terminal has none.
func (t *Terminal) Bold() string {
	s, _ := t.str(capBold)
	return stripDelays(s)
}

// ExitAttributes is what tputs(tgetstr("me")) writes: exit_attribute_mode
// as ncurses' termcap interface trims it, without delays.
func (t *Terminal) ExitAttributes() string {
	if _, ok := t.str(capSgr0); !ok {
		return ""
	}
	return stripDelays(t.trimSgr0())
}

// trimSgr0 is ncurses' _nc_trim_sgr0: where sgr with only the alternate
// character set parameter off looks like sgr0, it uses that instead, with
// the alternate-charset reset cut out (or an SGR 10 parameter, or what
// sgr0 adds around it).
func (t *Terminal) trimSgr0() string {
	sgr0, _ := t.str(capSgr0)
	sgr, ok := t.str(capSgr)
	if !ok {
		return sgr0
	}
	on, errOn := Tparm(sgr, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	off, errOff := Tparm(sgr, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	if errOn != nil || errOff != nil {
		return sgr0
	}
	smacs, hasSmacs := t.str(capSmacs)
	rmacs, hasRmacs := t.str(capRmacs)
	end := sgr0
	if hasSmacs {
		on = rotateFront(on, smacs)
	}
	if hasRmacs {
		off = rotateFront(off, rmacs)
		end = rotateFront(end, rmacs)
	}
	if !similarSGR(off, end) || similarSGR(off, on) {
		return sgr0
	}
	result := off
	found := false
	if hasRmacs && len(off) > len(rmacs) {
		for i := 0; i <= len(off)-len(rmacs); i++ {
			if k := comparePart(rmacs, off[i:]); k != 0 {
				found = true
				result = off[:i] + off[i+k:]
				break
			}
		}
	}
	if !found {
		// An SGR 10 (normal font) parameter: \E[0;10m becomes \E[0m.
		if i := isCSI(off); i != 0 && strings.HasSuffix(off, "m") {
			tmp := skipZero(off, i)
			if at(off, tmp) == '1' && skipZero(off, tmp+1) != tmp+1 {
				i = tmp
				if at(off, i-1) == ';' {
					i--
				}
				j := skipZero(off, tmp+1)
				result = off[:i] + off[j:]
				found = true
			}
		}
	}
	if !found {
		if i := strings.Index(end, off); i >= 0 && end != off {
			if j := len(off); j >= i && j <= len(end) {
				result = end[:i] + end[j:]
			} else {
				result = end
			}
		}
	}
	return result
}

// rotateFront moves attr from the front of s to its end (ncurses'
// rewrite_sgr), so sequences are compared without it in the way.
func rotateFront(s, attr string) string {
	if len(s) > len(attr) && strings.HasPrefix(s, attr) {
		return s[len(attr):] + attr
	}
	return s
}

func at(s string, i int) byte {
	if i < 0 || i >= len(s) {
		return 0
	}
	return s[i]
}

// isCSI returns the length of a control sequence introducer at the start
// of s: 1 for the 8-bit CSI, 2 for ESC [, 0 for none.
func isCSI(s string) int {
	switch {
	case at(s, 0) == 0x9b:
		return 1
	case at(s, 0) == 0x1b && at(s, 1) == '[':
		return 2
	}
	return 0
}

// skipZero skips a leading default parameter "0;" or "0" before a final
// letter, from index i.
func skipZero(s string, i int) int {
	if at(s, i) == '0' {
		c := at(s, i+1)
		if c == ';' {
			return i + 2
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return i + 1
		}
	}
	return i
}

// similarSGR reports whether one sequence is a prefix of the other, after
// the CSI and a leading default parameter.
func similarSGR(a, b string) bool {
	ca, cb := isCSI(a), isCSI(b)
	ia, ib := 0, 0
	if ca != 0 && ca == cb {
		ia, ib = ca, cb
		if at(a, ia) != at(b, ib) {
			ia = skipZero(a, ia)
			ib = skipZero(b, ib)
		}
	}
	a, b = a[min(ia, len(a)):], b[min(ib, len(b)):]
	if a == "" || b == "" {
		return false
	}
	n := min(len(a), len(b))
	return a[:n] == b[:n]
}

// comparePart returns how many bytes of full match part at its start,
// letting a delay in part match a different delay in full; 0 for no match.
func comparePart(part, full string) int {
	used, delay := 0, 0
	i, j := 0, 0
	for i < len(part) {
		if j >= len(full) || part[i] != full[j] {
			return 0
		}
		if delay != 0 {
			used += delay
			delay = 0
		}
		if part[i] == '$' && full[j] == '$' {
			ni, nj := skipDelay(part, i), skipDelay(full, j)
			if ni != i && nj != j {
				delay += nj - j
				i, j = ni, nj
				continue
			}
		}
		used++
		i++
		j++
	}
	return used
}

func skipDelay(s string, i int) int {
	if at(s, i) == '$' && at(s, i+1) == '<' {
		i += 2
		for c := at(s, i); c >= '0' && c <= '9' || c == '/'; c = at(s, i) {
			i++
		}
		if at(s, i) == '>' {
			i++
		}
	}
	return i
}

// stripDelays removes $<n> padding as tputs does when it does not pad.
func stripDelays(s string) string {
	if !strings.Contains(s, "$<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '$' && at(s, i+1) == '<' {
			j := i + 2
			for c := at(s, j); c >= '0' && c <= '9' || c == '.' || c == '*' || c == '/'; c = at(s, j) {
				j++
			}
			if at(s, j) == '>' {
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
