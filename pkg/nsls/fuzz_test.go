package nsls

import (
	"strings"
	"testing"
)

// FuzzParseColumns: an -o LIST and a -T argument are whatever a user (or a
// script) typed: the parsers never panic, and a list they accept names
// only known columns, one per comma-separated name.
func FuzzParseColumns(f *testing.F) {
	for _, s := range []string{
		"", "+", ",", "+,", "NS,TYPE", "+NSFS,PNS,ONS", "ns,type,path", "NS,,TYPE",
		"NS,TYPE,NS", "\x00", "NS\x00", "+" + strings.Repeat("NS,", 2000) + "NS", "=parent", "owner", "process",
		"\xff\xfe", "\x1b[31mNS",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		defaults := []Column{0, 1}
		cols, err := ParseColumns(list, defaults)
		if err == nil {
			names := strings.Split(strings.TrimPrefix(list, "+"), ",")
			want := len(names)
			if strings.HasPrefix(list, "+") {
				want += len(defaults)
			}
			if len(cols) != want {
				t.Errorf("%q: %d columns, want %d", list, len(cols), want)
			}
			for _, c := range cols {
				if int(c) >= len(infos) {
					t.Errorf("%q: column %d out of range", list, c)
				}
			}
		}
		if tr, err := ParseTree(list); err == nil && tr == TreeNone {
			t.Errorf("ParseTree(%q) = none, no error", list)
		}
	})
}
