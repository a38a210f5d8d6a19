package escape

import "testing"

func TestHex(t *testing.T) {
	for in, want := range map[string]string{
		"sleep 1000":         "sleep 1000",
		"café ☕":             "café ☕",
		"a\nb":               `a\x0ab`,
		"\x1b[31mred":        `\x1b[31mred`,
		"del\x7f":            `del\x7f`,
		"bad\xff":            `bad\xff`,
		"c1\u009b":           `c1\xc2\x9b`,
		"rtl\u202eevil":      `rtl\xe2\x80\xaeevil`,
		`path\x41`:           `path\x5cx41`,
		`back\slash`:         `back\slash`,
		"zero\u200bwidth":    `zero\xe2\x80\x8bwidth`,
		"line\u2028sep":      `line\xe2\x80\xa8sep`,
		"":                   "",
		"tab\there":          `tab\x09here`,
		"\x00nul":            `\x00nul`,
		"emoji 🙂 ok":         "emoji 🙂 ok",
		"trail\\":            `trail\`,
		"\\x":                `\x5cx`,
		"mixed \x1b\u202e x": `mixed \x1b\xe2\x80\xae x`,
	} {
		if got := Hex(in); got != want {
			t.Errorf("Hex(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBlank(t *testing.T) {
	for in, want := range map[string]string{
		"kthreadd":      "kthreadd",
		"sleep 1000":    `sleep\x201000`,
		"a\tb\\c":       `a\x09b\x5cc`,
		"café":          `caf\xc3\xa9`,
		"\x1b[31m\x7f":  `\x1b[31m\x7f`,
		"":              "",
		"/run/netns/a,": "/run/netns/a,",
	} {
		if got := Blank(in); got != want {
			t.Errorf("Blank(%q) = %q, want %q", in, got, want)
		}
	}
}
