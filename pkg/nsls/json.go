package nsls

import (
	"bufio"
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// jsonWriter writes JSON laid out as util-linux's tools write it: three
// spaces per level, `},{` between objects of an array, keys in lower case.
type jsonWriter struct {
	w          *bufio.Writer
	indent     int
	afterClose bool
}

type jsonKind uint8

const (
	jObject jsonKind = iota
	jArray
	jValue
)

func (j *jsonWriter) pad() {
	for range j.indent {
		j.w.WriteString("   ")
	}
}

// open starts an object, array or value, named unless name is "" and
// unnamed is set.
func (j *jsonWriter) open(name string, named bool, kind jsonKind) {
	if named {
		if j.afterClose {
			j.w.WriteString(",\n")
		}
		j.pad()
		writeJSONString(j.w, strings.ToLower(name))
	} else {
		if j.afterClose {
			j.w.WriteByte(',')
		} else {
			j.pad()
		}
	}
	switch kind {
	case jObject:
		if named {
			j.w.WriteString(": {\n")
		} else {
			j.w.WriteString("{\n")
		}
		j.indent++
	case jArray:
		if named {
			j.w.WriteString(": [\n")
		} else {
			j.w.WriteString("[\n")
		}
		j.indent++
	case jValue:
		if named {
			j.w.WriteString(": ")
		} else {
			j.w.WriteByte(' ')
		}
	}
	j.afterClose = false
}

func (j *jsonWriter) close(kind jsonKind) {
	if j.indent == 1 {
		j.w.WriteString("\n}\n")
		j.indent--
		j.afterClose = true
		return
	}
	switch kind {
	case jObject:
		j.indent--
		j.w.WriteByte('\n')
		j.pad()
		j.w.WriteByte('}')
	case jArray:
		j.indent--
		j.w.WriteByte('\n')
		j.pad()
		j.w.WriteByte(']')
	}
	j.afterClose = true
}

// value writes name: data, data as a number, a string, or null when empty.
func (j *jsonWriter) value(name string, named bool, data string, number bool) {
	j.open(name, named, jValue)
	switch {
	case data == "":
		j.w.WriteString("null")
	case number:
		j.w.WriteString(data)
	default:
		writeJSONString(j.w, data)
	}
	j.close(jValue)
}

// writeJSONString quotes s. Like util-linux it escapes '"', '\\' and C0
// controls; unlike it, it also writes DEL, C1 controls, bidi and other
// invisible format characters as \uXXXX (the decoded value is the same, but
// a terminal that shows the JSON cannot be driven by it), and each byte of
// invalid UTF-8 as \ufffd, so the output is always valid JSON.
func writeJSONString(w *bufio.Writer, s string) {
	const hex = "0123456789abcdef"
	w.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\':
				w.WriteByte('\\')
				w.WriteByte(c)
			case c == '\b':
				w.WriteString(`\b`)
			case c == '\t':
				w.WriteString(`\t`)
			case c == '\n':
				w.WriteString(`\n`)
			case c == '\f':
				w.WriteString(`\f`)
			case c == '\r':
				w.WriteString(`\r`)
			case c < 0x20 || c == 0x7f:
				w.WriteString(`\u00`)
				w.WriteByte(hex[c>>4])
				w.WriteByte(hex[c&0xf])
			default:
				w.WriteByte(c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			w.WriteString(`\ufffd`)
		case invisible(r):
			w.WriteString(`\u`)
			for sh := 12; sh >= 0; sh -= 4 {
				w.WriteByte(hex[(r>>sh)&0xf])
			}
		default:
			w.WriteString(s[i : i+size])
		}
		i += size
	}
	w.WriteByte('"')
}

// invisible reports whether a rune is one a terminal could act on or that
// hides or reorders text.
func invisible(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x200e || r == 0x200f || r == 0x061c,
		r == 0x2028 || r == 0x2029,
		r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff,
		r >= 0xfff9 && r <= 0xfffb, r == 0xad:
		return true
	}
	return false
}

func (t *table) printJSON(w *bufio.Writer) {
	j := &jsonWriter{w: w}
	j.open("", false, jObject)
	j.open(t.name, true, jArray)
	if !t.isTree() {
		for _, l := range t.lines {
			j.open("", false, jObject)
			t.jsonCells(j, l)
			j.close(jObject)
		}
	} else {
		var lastRoot *line
		for _, l := range t.lines {
			if l.parent == nil {
				lastRoot = l
			}
		}
		for _, l := range t.order() {
			if failed(w) {
				return
			}
			j.open("", false, jObject)
			t.jsonCells(j, l)
			if len(l.kids) > 0 {
				j.open("children", true, jArray)
				continue
			}
			// Close this object and every parent whose last child it
			// ends.
			for ln := l; ln != nil; {
				last := (ln.parent != nil && isLastChild(ln)) || (ln.parent == nil && ln == lastRoot)
				j.close(jObject)
				if last && ln.parent != nil {
					j.close(jArray)
				}
				if !last {
					break
				}
				ln = ln.parent
			}
		}
	}
	j.close(jArray)
	j.close(jObject)
}

// jsonCells writes a line's cells. A string that is not valid UTF-8 (a
// command line is whatever bytes a process chose) is written as lsns
// writes it, and again, exactly, as base64 in a "<column>_b64" member right
// after it: lossless, and still lsns's output whenever names are valid.
func (t *table) jsonCells(j *jsonWriter, l *line) {
	for i, c := range t.cols {
		data := l.cells[i]
		switch c.json {
		case jsonArray:
			if data == "" {
				j.value(c.name, true, "", false)
				continue
			}
			parts := strings.Split(data, "\n")
			j.open(c.name, true, jArray)
			for _, part := range parts {
				j.value("", false, part, false)
			}
			j.close(jArray)
			if !utf8.ValidString(data) {
				j.open(c.name+"_b64", true, jArray)
				for _, part := range parts {
					j.value("", false, base64.StdEncoding.EncodeToString([]byte(part)), false)
				}
				j.close(jArray)
			}
		default:
			j.value(c.name, true, data, c.json == jsonNumber)
			if c.json == jsonString && !utf8.ValidString(data) {
				j.value(c.name+"_b64", true, base64.StdEncoding.EncodeToString([]byte(data)), false)
			}
		}
	}
}
