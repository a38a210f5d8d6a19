package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Plain `nsview` opens the UI only on a terminal; otherwise it prints the
// tree, as `nsview tree` does.
func TestDefaultIsTreeWhenNotATerminal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.json")
	snap := `{"schema":1,"read":{"threads":true},"processes":[` +
		`{"pid":1,"ppid":0,"pgid":1,"comm":"init","nspid":[1]},` +
		`{"pid":2,"ppid":1,"pgid":2,"comm":"sh","nspid":[2]}]}`
	if err := os.WriteFile(file, []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	var plain, tree, errb bytes.Buffer
	if code := run([]string{"--input", file}, strings.NewReader(""), &plain, &errb); code != 0 {
		t.Fatalf("nsview: exit %d: %s", code, errb.String())
	}
	if code := run([]string{"tree", "--input", file}, strings.NewReader(""), &tree, &errb); code != 0 {
		t.Fatalf("nsview tree: exit %d: %s", code, errb.String())
	}
	if plain.String() != tree.String() || plain.Len() == 0 {
		t.Errorf("nsview printed %q, nsview tree %q", plain.String(), tree.String())
	}
}

func TestTUIUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tui", "--interval", "10ms"}, "too short"},
		{[]string{"tui"}, "needs a terminal"},
		{[]string{"tui", "extra"}, "takes no arguments"},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, strings.NewReader(""), &out, &errb); code != exitUsage || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errb.String(), exitUsage, c.want)
		}
	}
}
