package terminfo

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/escape"
	"github.com/nsview/nsview/pkg/nsinfo"
)

func TestTparm(t *testing.T) {
	for _, c := range []struct {
		in     string
		params []int
		want   string
	}{
		{`\E[%i%p1%d;%p2%dH`, []int{4, 9}, `\E[5;10H`},
		{"%?%p9%t\033(0%e\033(B%;\033[0%?%p6%t;1%;m", []int{0, 0, 0, 0, 0, 0, 0, 0, 1}, "\033(0\033[0m"},
		{"%?%p9%t\033(0%e\033(B%;\033[0%?%p6%t;1%;m", []int{0, 0, 0, 0, 0, 1, 0, 0, 0}, "\033(B\033[0;1m"},
		{"%?%p1%{3}%=%tthree%e%p1%{2}%=%ttwo%eother%;", []int{2}, "two"},
		{"%?%p1%{3}%=%tthree%e%p1%{2}%=%ttwo%eother%;", []int{7}, "other"},
		{"%p1%p2%+%d %p1%02x %'a'%c %{65}%c %%", []int{10, 5}, "15 0a a A %"},
		{"%p1%Pa%ga%ga%*%d", []int{6}, "36"},
	} {
		got, err := Tparm(c.in, c.params...)
		if err != nil || got != c.want {
			t.Errorf("Tparm(%q, %v) = %q, %v; want %q", c.in, c.params, got, err, c.want)
		}
	}
	if _, err := Tparm("%p0"); err == nil {
		t.Errorf("Tparm(%%p0): no error")
	}
	// Found by FuzzParse: 2.5 KB of entry made 3.4 GB of output.
	for _, wide := range []string{"%p1%999999d", "%.100d", "%0-100x"} {
		if out, err := Tparm(wide, 1); err == nil {
			t.Errorf("Tparm(%q): %d bytes, no error", wide, len(out))
		}
	}
}

func TestStripDelays(t *testing.T) {
	for in, want := range map[string]string{
		"\033[1m$<2>":     "\033[1m",
		"a$<5*/>b$<1.5>c": "abc",
		"$<x>":            "$<x>",
		"no delay":        "no delay",
		"trailing $<12":   "trailing $<12",
	} {
		if got := stripDelays(in); got != want {
			t.Errorf("stripDelays(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("short"), bytes.Repeat([]byte{0xff}, 64)} {
		if _, err := Parse(b); err == nil {
			t.Errorf("Parse(%q): no error", b)
		}
	}
	if _, err := Load("../etc/passwd", func(string) string { return "" }); err == nil {
		t.Errorf("Load of a path: no error")
	}
}

// TestMatchesPstree compares, for every terminal type installed, the bold
// sequences with what pstree -H writes around PID 1's name.
func TestMatchesPstree(t *testing.T) {
	if _, err := exec.LookPath("pstree"); err != nil {
		testenv.SkipOrFail(t, "pstree is not installed")
	}
	// As root, pstree runs in a PID namespace of its own, where it is PID
	// 1 and reads a /proc of one process (fast however busy the machine).
	argv := []string{"pstree", "-T", "-H", "1", "1"}
	name := "pstree"
	if _, err := exec.LookPath("unshare"); err == nil && os.Geteuid() == 0 {
		argv = append([]string{"unshare", "--pid", "--fork", "--mount-proc"}, argv...)
	} else {
		stat, err := os.ReadFile("/proc/1/stat")
		if err != nil {
			t.Skipf("no /proc/1/stat: %v", err)
		}
		st, err := nsinfo.ParseStat(stat)
		if err != nil {
			t.Fatal(err)
		}
		name = escape.Octal(st.Comm)
	}
	var terms []string
	for _, dir := range []string{"/lib/terminfo", "/usr/share/terminfo", "/etc/terminfo"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
		for _, f := range files {
			terms = append(terms, filepath.Base(f))
		}
	}
	if len(terms) == 0 {
		testenv.SkipOrFail(t, "no terminfo database")
	}
	env := func(k string) string { return "" }
	for _, term := range terms {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = []string{"TERM=" + term, "PATH=" + os.Getenv("PATH")}
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("TERM=%s pstree: %v", term, err)
			continue
		}
		i := strings.Index(string(out), name)
		if i < 0 {
			t.Errorf("TERM=%s: %q not in %q", term, name, out)
			continue
		}
		md := string(out[:i])
		rest := string(out[i+len(name):])
		end := strings.IndexAny(rest, "-\n")
		if end < 0 {
			t.Errorf("TERM=%s: cannot find the end of %q", term, rest)
			continue
		}
		me := rest[:end]
		ti, err := Load(term, env)
		if err != nil {
			t.Errorf("Load(%s): %v", term, err)
			continue
		}
		if ti.Bold() != md || ti.ExitAttributes() != me {
			t.Errorf("TERM=%s: md, me = %q, %q; pstree wrote %q, %q", term, ti.Bold(), ti.ExitAttributes(), md, me)
		}
	}
}
