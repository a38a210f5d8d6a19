package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

func TestOutputWidthFromColumns(t *testing.T) {
	for cols, want := range map[string]int{
		"80": 80, " 80": 80, "+80": 80, "0x50": 80, "010": 8, "0": 132, "-5": 132,
		"80x": 132, "": 132, "2147483647": 132, "99999999999999999999": 132, "2147483646": 2147483646,
	} {
		env := func(k string) string {
			if k == "COLUMNS" {
				return cols
			}
			return ""
		}
		if got := outputWidth(&bytes.Buffer{}, env); got != want {
			t.Errorf("COLUMNS=%q: width %d, want %d", cols, got, want)
		}
	}
}

func TestLocaleIsUTF8(t *testing.T) {
	for _, c := range []struct {
		all, ctype, lang string
		want             bool
	}{
		{"", "", "C.UTF-8", true},
		{"", "", "en_US.utf8", true},
		{"C", "", "C.UTF-8", false},
		{"", "de_DE.UTF-8@euro", "C", true},
		{"", "", "POSIX", false},
		{"", "", "", false},
		{"", "", "en_US.ISO-8859-1", false},
	} {
		env := func(k string) string {
			return map[string]string{"LC_ALL": c.all, "LC_CTYPE": c.ctype, "LANG": c.lang}[k]
		}
		if got := localeIsUTF8(env); got != c.want {
			t.Errorf("%+v: %v", c, got)
		}
	}
}

func TestParseNSArg(t *testing.T) {
	for in, ok := range map[string]bool{"pid:[4026531836]": true, "4026531836": true, "net:[4026531833]": false, "x": false, "0": false} {
		id, err := parseNSArg(in)
		if (err == nil) != ok || (ok && id.Type != nsinfo.PID) {
			t.Errorf("parseNSArg(%q) = %v, %v", in, id, err)
		}
	}
}

func TestTreeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"tree", "-h", "-H", "1"},
		{"tree", "-N", "bogus"},
		{"tree", "--inside", "1", "--ns", "2"},
		{"tree", "12abc"},
		{"tree", "no-such-user-here"},
		{"tree", "1", "2"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, strings.NewReader(""), &out, &errb); code != exitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, errb.String(), exitUsage)
		}
	}
}

func TestTreeOnSnapshotFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.json")
	snap := `{"schema":1,"read":{"threads":true},"processes":[` +
		`{"pid":1,"ppid":0,"pgid":1,"comm":"init","nspid":[1]},` +
		`{"pid":2,"ppid":1,"pgid":2,"comm":"sh","nspid":[2],"threads":[{"tid":3}]}]}`
	if err := os.WriteFile(file, []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"tree", "--input", file, "-p"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if want := "init(1)---sh(2)---{sh}(3)\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	// A fact the snapshot did not read is a clear error.
	out.Reset()
	errb.Reset()
	if code := run([]string{"tree", "--input", file, "-a"}, strings.NewReader(""), &out, &errb); code != exitError || !strings.Contains(errb.String(), "command lines (for -a)") {
		t.Errorf("-a on a snapshot without command lines: exit %d, %q", code, errb.String())
	}
}
