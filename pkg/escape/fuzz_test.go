package escape

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

func textSeeds() map[string]string {
	var all strings.Builder
	for c := range 256 {
		all.WriteByte(byte(c))
	}
	return map[string]string{
		"empty":     "",
		"plain":     "sleep",
		"inject":    "\x1b[31mA\nB\x1b[2JC",
		"title":     "\x1b]0;TITLE\a\x1b[2J\nline2",
		"c1":        "\xc2\x85\xc2\x9b[2J",
		"bidi":      "\u202eexe.txt\u202c\u2066\u2069",
		"invalid":   "\xff\xfe\xc3\xed\xa0\x80",
		"format":    "\u200b\u00ad\ufeff\U000e0041",
		"all-bytes": all.String(),
		"nul":       strings.Repeat("\x00", 64),
		"over-4k":   strings.Repeat("ü\x1b", 2500),
		"backslash": `\x1b\\u202e\`,
		"truncated": "\xe2\x80",
	}
}

// FuzzText: the output holds no control byte, C1 control, bidi or format
// character, nor invalid UTF-8, and it decodes back to the input.
func FuzzText(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if err := textSafe(out); err != nil {
			t.Fatalf("Text(%q) = %q: %v", s, out, err)
		}
		back, err := unescapeText(out)
		if err != nil || back != s {
			t.Fatalf("Text(%q) = %q decodes to %q, %v", s, out, back, err)
		}
		if Safe(s) != (out == s) {
			t.Fatalf("Safe(%q) = %v, Text changes it: %v", s, Safe(s), out != s)
		}
		if len(out) > 10*len(s) {
			t.Fatalf("Text(%q) grew %d bytes to %d", s, len(s), len(out))
		}
	})
}

// FuzzOctal: the output is printable ASCII only and decodes back.
func FuzzOctal(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		out := Octal(s)
		var back strings.Builder
		for i := 0; i < len(out); i++ {
			c := out[i]
			if c < 0x20 || c > 0x7e {
				t.Fatalf("Octal(%q) = %q holds %#x", s, out, c)
			}
			if c != '\\' {
				back.WriteByte(c)
				continue
			}
			if i+1 < len(out) && out[i+1] == '\\' {
				back.WriteByte('\\')
				i++
				continue
			}
			if i+3 >= len(out) {
				t.Fatalf("Octal(%q) = %q: short escape", s, out)
			}
			v, err := strconv.ParseUint(out[i+1:i+4], 8, 8)
			if err != nil {
				t.Fatalf("Octal(%q) = %q: %v", s, out, err)
			}
			back.WriteByte(byte(v))
			i += 3
		}
		if back.String() != s {
			t.Fatalf("Octal(%q) = %q decodes to %q", s, out, back.String())
		}
	})
}

func TestSeedCorpus(t *testing.T) {
	for _, target := range []string{"FuzzText", "FuzzOctal"} {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, s := range textSeeds() {
			path := filepath.Join(dir, "seed-"+name)
			data := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", s)
			if *updateSeeds {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if got, err := os.ReadFile(path); err != nil || string(got) != data {
				t.Errorf("%s is missing or stale (%v): run go test ./pkg/escape -run TestSeedCorpus -update-seeds", path, err)
			}
		}
	}
}
