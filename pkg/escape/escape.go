// Package escape makes untrusted text (process names, arguments, paths) safe
// to print on a terminal. A process chooses its own name and arguments, so
// without escaping it could move the cursor, clear the screen, set the
// window title or reorder the text around it (terminal injection).
package escape

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text returns s with every byte or character that could act on a terminal
// or mislead a reader escaped, and everything else unchanged:
//
//   - C0 controls and DEL: \n, \t, \r, \\ and \xHH (ESC is \x1b);
//   - C1 controls U+0080–U+009F: \u0085 and so on;
//   - invalid UTF-8: each bad byte as \xHH;
//   - bidi embeddings, overrides and isolates (U+202A–U+202E,
//     U+2066–U+2069), marks (U+200E, U+200F, U+061C), line and paragraph
//     separators (U+2028, U+2029), zero-width and every other format
//     character (Unicode category Cf): \uHHHH, or \UHHHHHHHH above U+FFFF.
//
// A backslash is doubled, so the output is unambiguous. Text allocates only
// when something must be escaped.
func Text(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '\\':
				b.WriteString(`\\`)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\t':
				b.WriteString(`\t`)
			case c == '\r':
				b.WriteString(`\r`)
			case c < 0x20 || c == 0x7f:
				writeHexByte(&b, c)
			default:
				b.WriteByte(c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeHexByte(&b, c)
		case unsafeRune(r):
			// \uHHHH, or \UHHHHHHHH beyond the BMP (tag characters),
			// so that the escape's end is never in doubt.
			digits := 4
			if r > 0xffff {
				b.WriteString(`\U`)
				digits = 8
			} else {
				b.WriteString(`\u`)
			}
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", max(0, digits-len(h))))
			b.WriteString(h)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Safe reports whether Text(s) == s.
func Safe(s string) bool { return firstUnsafe(s) < 0 }

func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || c == '\\' {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports whether a valid non-ASCII rune must be escaped: C1
// controls, every format character (Unicode category Cf: bidi embeddings,
// overrides, isolates and marks, zero-width characters, the soft hyphen,
// invisible operators, tag characters, interlinear annotations), and the
// line and paragraph separators, which some terminals treat as newlines.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

func writeHexByte(b *strings.Builder, c byte) {
	const hex = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// Octal escapes s as pstree does: a backslash is doubled, printable ASCII
// (0x20–0x7e) is kept, and every other byte, UTF-8 or not, becomes \ooo.
func Octal(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '\\' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c >= 0x20 && c <= 0x7e:
			b.WriteByte(c)
		default:
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + c>>3&7)
			b.WriteByte('0' + c&7)
		}
	}
	return b.String()
}

// Hex escapes s as util-linux's table output does (lsns, lsblk, findmnt):
// C0 controls and DEL, bytes of invalid UTF-8, and the bytes of every
// character that Text would escape (C1 controls, bidi and format
// characters, line separators) become \xHH, and a backslash that starts
// "\x" becomes \x5c so the output stays unambiguous. Printable text,
// UTF-8 included, is unchanged, so `nsview ns` prints what lsns prints for
// ordinary names.
func Hex(s string) string {
	clean := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || (c == '\\' && i+1 < len(s) && s[i+1] == 'x') {
				clean = false
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || (c == '\\' && i+1 < len(s) && s[i+1] == 'x') {
				writeHexByte(&b, c)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			for j := 0; j < size; j++ {
				writeHexByte(&b, s[i+j])
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Blank escapes s for util-linux's raw output (lsns -r): every byte that is
// not printable ASCII, and also space, tab and backslash, becomes \xHH, so
// that fields never contain a separator and a reader can split lines on
// spaces.
func Blank(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			writeHexByte(&b, c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
