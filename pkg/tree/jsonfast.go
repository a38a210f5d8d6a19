package tree

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// The snapshot's processes are most of its JSON, and encoding/json spends
// most of a snapshot's time on them: reflection, Process.MarshalJSON's
// intermediate wrapper (a pointer per namespace), a validation pass over
// what it returns and an indentation pass over the whole output. WriteJSON
// writes them with the appenders below instead, byte for byte what
// encoding/json with SetIndent("", " ") writes (a test holds them to it),
// streamed in chunks instead of built whole in memory.

// jsonWriter appends indented JSON, one space per level.
type jsonWriter struct {
	b     []byte
	depth int
	n     []int // members written so far, per open object or array
}

func (w *jsonWriter) newline() {
	w.b = append(w.b, '\n')
	for range w.depth {
		w.b = append(w.b, ' ')
	}
}

// member starts the next member of the innermost object or array.
func (w *jsonWriter) member() {
	top := len(w.n) - 1
	if w.n[top] > 0 {
		w.b = append(w.b, ',')
	}
	w.n[top]++
	w.newline()
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.n = append(w.n, 0)
}

func (w *jsonWriter) close(c byte) {
	w.depth--
	if w.n[len(w.n)-1] > 0 {
		w.newline()
	}
	w.n = w.n[:len(w.n)-1]
	w.b = append(w.b, c)
}

func (w *jsonWriter) key(k string) {
	w.member()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':', ' ')
}

func (w *jsonWriter) int(k string, v int) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (w *jsonWriter) uint(k string, v uint64) {
	w.key(k)
	w.b = strconv.AppendUint(w.b, v, 10)
}

func (w *jsonWriter) string(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

func (w *jsonWriter) strings(k string, v []string) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('[')
	for _, s := range v {
		w.member()
		w.b = appendJSONString(w.b, s)
	}
	w.close(']')
}

// process appends p as Process.MarshalJSON encodes it, as a member of the
// innermost array.
func (w *jsonWriter) process(p *Process) {
	w.member()
	w.open('{')
	w.int("pid", p.PID)
	w.int("ppid", p.PPID)
	w.int("pgid", p.PGID)
	w.int("sid", p.SID)
	w.uint("uid", uint64(p.UID))
	w.string("comm", p.Comm)
	w.strings("cmdline", p.Cmdline)
	if p.CmdlineUnterminated {
		w.key("cmdline_unterminated")
		w.b = append(w.b, "true"...)
	}
	w.string("state", p.State)
	w.uint("start_time", p.StartTime)
	w.uint("cpu_time", p.CPUTime)
	w.int("num_threads", p.NumThreads)
	if len(p.Threads) > 0 {
		w.key("threads")
		w.open('[')
		for i := range p.Threads {
			t := &p.Threads[i]
			w.member()
			w.open('{')
			w.int("tid", t.TID)
			if t.Comm != "" {
				w.string("comm", t.Comm)
			}
			if len(t.NSpid) > 0 {
				w.ints("nspid", t.NSpid)
			}
			if !utf8.ValidString(t.Comm) {
				w.string("comm_b64", base64.StdEncoding.EncodeToString([]byte(t.Comm)))
			}
			w.close('}')
		}
		w.close(']')
	}
	w.ints("nspid", p.NSpid)
	if p.PIDForChildren != 0 {
		w.uint("pid_for_children", p.PIDForChildren)
	}
	if p.Cgroup != "" {
		w.string("cgroup", p.Cgroup)
	}
	if len(p.CgroupPaths) > 0 {
		w.strings("cgroup_paths", p.CgroupPaths)
	}
	if p.Denied {
		w.key("denied")
		w.b = append(w.b, "true"...)
	}
	w.key("ns")
	w.open('{')
	for i, name := range nsJSONNames {
		w.key(name)
		if p.NS[i] == 0 {
			w.b = append(w.b, "null"...)
		} else {
			w.b = strconv.AppendUint(w.b, p.NS[i], 10)
		}
	}
	w.close('}')
	if !utf8.ValidString(p.Comm) {
		w.string("comm_b64", base64.StdEncoding.EncodeToString([]byte(p.Comm)))
	}
	if raw := rawList(p.Cmdline); raw != nil {
		w.strings("cmdline_b64", raw)
	}
	if !utf8.ValidString(p.Cgroup) {
		w.string("cgroup_b64", base64.StdEncoding.EncodeToString([]byte(p.Cgroup)))
	}
	if raw := rawList(p.CgroupPaths); raw != nil {
		w.strings("cgroup_paths_b64", raw)
	}
	w.close('}')
}

// nsJSONNames are nsJSON's keys, in nsinfo.Types order.
var nsJSONNames = [...]string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time"}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json quotes it by default: ", \
// and control bytes escaped (\b \f \n \r \t by name), <, > and & as \u00XX
// (HTML-safe), each byte of invalid UTF-8 as \ufffd, and U+2028 and U+2029
// escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[done:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[done:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[done:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		done = i
	}
	b = append(b, s[done:]...)
	return append(b, '"')
}

// ints appends a list of ints, null when nil.
func (w *jsonWriter) ints(k string, v []int) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('[')
	for _, n := range v {
		w.member()
		w.b = strconv.AppendInt(w.b, int64(n), 10)
	}
	w.close(']')
}
