package escape

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"sleep", "sleep"},
		{"a b", "a b"},
		{"ok(1)---sshd", "ok(1)---sshd"},
		{"a\nb", `a\nb`},
		{"a\tb\rc", `a\tb\rc`},
		{`a\b`, `a\\b`},
		{"\x1b[31mA\nB\x1b[2JC", `\x1b[31mA\nB\x1b[2JC`},
		{"\x1b]0;TITLE\a\x1b[2J", `\x1b]0;TITLE\x07\x1b[2J`},
		{"\x00\x7f", `\x00\x7f`},
		{"\xff\xfe", `\xff\xfe`},
		{"\xc3", `\xc3`},                 // truncated sequence
		{"\xed\xa0\x80", `\xed\xa0\x80`}, // surrogate: invalid UTF-8
		{"\xc2\x85", `\u0085`},           // C1 NEL
		{"\xc2\x9b", `\u009b`},           // C1 CSI
		{"é ü 日本 🙂", "é ü 日本 🙂"},
		{"\u202eevil", `\u202eevil`},
		{"\u2066x\u2069", `\u2066x\u2069`},
		{"\u200e\u200f\u061c", `\u200e\u200f\u061c`},
		{"\u2028\u2029", `\u2028\u2029`},
		{"\u200b\u200d\ufeff\u00ad", `\u200b\u200d\ufeff\u00ad`},
		{"\u2062\u206a\u180e", `\u2062\u206a\u180e`},     // invisible times, inhibit swapping, Mongolian vowel separator
		{"\U000e0041\U000e007f", `\U000e0041\U000e007f`}, // tag characters
		{"\ufffd", "\ufffd"},                             // a real replacement character is text
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if Safe(tc.in) != (tc.in == tc.want) {
			t.Errorf("Safe(%q) = %v", tc.in, Safe(tc.in))
		}
	}
}

// Every single byte and every rune up to U+10FFFF: the output is safe and
// decodes back to the input.
func TestTextAllBytesAndRunes(t *testing.T) {
	for c := range 256 {
		s := string([]byte{byte(c)})
		checkText(t, s)
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r == 0xd800 {
			r = 0xe000 // surrogates are not runes
		}
		checkText(t, string(r))
	}
	var all strings.Builder
	for c := range 256 {
		all.WriteByte(byte(c))
	}
	checkText(t, all.String())
}

func checkText(t *testing.T, in string) {
	t.Helper()
	out := Text(in)
	if err := textSafe(out); err != nil {
		t.Fatalf("Text(%q) = %q: %v", in, out, err)
	}
	back, err := unescapeText(out)
	if err != nil || back != in {
		t.Fatalf("Text(%q) = %q, which decodes to %q, %v", in, out, back, err)
	}
}

// textSafe says why s could act on a terminal, or nil.
func textSafe(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("invalid UTF-8")
	}
	for i, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			return fmt.Errorf("control byte %#x at %d", r, i)
		case r >= 0x80 && r <= 0x9f:
			return fmt.Errorf("C1 control U+%04X at %d", r, i)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return fmt.Errorf("bidi control U+%04X at %d", r, i)
		case r == 0x2028 || r == 0x2029:
			return fmt.Errorf("line separator U+%04X at %d", r, i)
		case unicode.Is(unicode.Cf, r):
			return fmt.Errorf("format character U+%04X at %d", r, i)
		}
	}
	return nil
}

// unescapeText inverts Text, proving that its output is unambiguous.
func unescapeText(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("lone backslash at the end")
		}
		hex := func(n int) (uint64, error) {
			if i+1+n > len(s) {
				return 0, fmt.Errorf("short escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			i += n
			return v, err
		}
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'x':
			v, err := hex(2)
			if err != nil {
				return "", err
			}
			b.WriteByte(byte(v))
		case 'u':
			v, err := hex(4)
			if err != nil {
				return "", err
			}
			b.WriteRune(rune(v))
		case 'U':
			v, err := hex(8)
			if err != nil {
				return "", err
			}
			b.WriteRune(rune(v))
		default:
			return "", fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return b.String(), nil
}

func TestOctal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"sleep", "sleep"},
		{"a b~", "a b~"},
		{"a\nb", `a\012b`},
		{"\x1b[31mA\nB\x1b[2JC", `\033[31mA\012B\033[2JC`},
		{`a\b`, `a\\b`},
		{"é", `\303\251`},
		{"\xff\x00\x7f\x80", `\377\000\177\200`},
		{"\t", `\011`},
	} {
		if got := Octal(tc.in); got != tc.want {
			t.Errorf("Octal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Every byte: printable ASCII but backslash is itself, the rest is
	// \ooo, as pstree's out_args writes it.
	for c := range 256 {
		got := Octal(string([]byte{byte(c)}))
		var want string
		switch {
		case c == '\\':
			want = `\\`
		case c >= 0x20 && c <= 0x7e:
			want = string(rune(c))
		default:
			want = fmt.Sprintf("\\%03o", c)
		}
		if got != want {
			t.Errorf("Octal(%#x) = %q, want %q", c, got, want)
		}
	}
}

func TestTextAllocatesOnlyWhenNeeded(t *testing.T) {
	s := strings.Repeat("plain name ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = Text(s); _ = Octal(s) }); n != 0 {
		t.Errorf("Text and Octal of safe text allocate %v times", n)
	}
}
