package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/spf13/cobra"
)

// TestManPages writes the pages of the real command tree and checks each:
// one per visible command, every section there, no groff warning, and the
// rendered text as a user reads it.
func TestManPages(t *testing.T) {
	groff := testenv.Tool(t, "groff")
	root := newRootCmd(&globalOptions{})
	dir := t.TempDir()
	h := manHeader{date: "2026-01-02", source: "nsview test"}
	if err := writeManPages(root, h, dir); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range manCommands(root) {
		want = append(want, manName(c)+".1")
		for _, a := range c.Aliases {
			want = append(want, manName(c.Parent())+"-"+a+".1")
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("pages %q, want %q", got, want)
	}
	for _, name := range []string{"nsview.1", "nsview-tree.1", "nsview-snapshot.1", "nsview-version.1", "nsview-completion.1"} {
		if !slices.Contains(got, name) {
			t.Errorf("no page %s", name)
		}
	}
	if slices.Contains(got, "nsview-man.1") || slices.Contains(got, "nsview-help.1") {
		t.Errorf("a page for a hidden command or cobra's help: %q", got)
	}

	for _, c := range manCommands(root) {
		name := manName(c) + ".1"
		path := filepath.Join(dir, name)
		page, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range []string{".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH EXAMPLES", ".SH EXIT STATUS", ".SH SEE ALSO"} {
			if !bytes.Contains(page, []byte("\n"+sec+"\n")) {
				t.Errorf("%s: no %s", name, sec)
			}
		}
		// -ww: all warnings; -z: no output.
		var stderr bytes.Buffer
		cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z", path)
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("groff %s: %v\n%s", name, err, stderr.String())
		}
	}

	// nsview(1) as man shows it: every command listed, every exit code,
	// and flags spelled with ASCII hyphens, so they can be copied.
	text := renderMan(t, filepath.Join(dir, "nsview.1"))
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() && !strings.Contains(text, "nsview-"+c.Name()+"(1)") {
			t.Errorf("nsview(1) does not list nsview-%s(1)", c.Name())
		}
	}
	exit := text[strings.Index(text, "EXIT STATUS"):]
	for _, e := range exitCodeDocs {
		if !strings.Contains(exit, "\n       "+e.code+" ") {
			t.Errorf("nsview(1) EXIT STATUS has no code %s:\n%s", e.code, exit)
		}
	}
	if !strings.Contains(text, "--input") || !strings.Contains(text, "--proc") {
		t.Errorf("nsview(1) does not spell --input and --proc in ASCII:\n%s", text)
	}
}

// renderMan formats a page as `man -l` does for a reader, 80 columns wide.
func renderMan(t *testing.T, path string) string {
	t.Helper()
	man := testenv.Tool(t, "man")
	env := append(os.Environ(), "MANWIDTH=80", "MAN_KEEP_FORMATTING=", "MANPAGER=cat", "PAGER=cat", "LANG=C.UTF-8")
	r := runCommand(t, filepath.Dir(path), env, time.Minute, man, "-l", path)
	if r.code != 0 {
		t.Fatalf("man -l %s: exit %d: %s", path, r.code, r.stderr)
	}
	// Strip overstriking (bold as c\bc, underline as _\bc) if man kept it.
	var b strings.Builder
	for i := 0; i < len(r.stdout); i++ {
		if i+1 < len(r.stdout) && r.stdout[i+1] == '\b' {
			i++
			continue
		}
		b.WriteByte(r.stdout[i])
	}
	return b.String()
}

// TestManPageText renders a command whose help text holds what roff would
// misread: a line starting with a dot or quote, backslashes, an indented
// table, a list, Markdown-looking characters, and checks the page reads as
// the help does.
func TestManPageText(t *testing.T) {
	root := &cobra.Command{Use: "nsview", Short: "root", Long: "root", Example: "  nsview x"}
	x := &cobra.Command{
		Use:     "x [PID]",
		Aliases: []string{"ex"},
		Short:   "Do x -- with \\ and -dashes → ok",
		Long: `First paragraph, filled
by the formatter.
.not a request
'not a request either
a \backslash and *_b64* kept as typed

Columns:
  NS      namespace id
  TYPE    kind

- first item
  continued
- second item`,
		Example: "  nsview x 1   # one\n  nsview x --all",
		RunE:    func(*cobra.Command, []string) error { return nil },
	}
	x.Flags().IntP("count", "c", 3, "how many `N`")
	x.Flags().Bool("all", false, "all of them")
	root.AddCommand(x)
	page := string(manPage(x, manHeader{date: "2026-01-02", source: "nsview 1.0"}))
	for _, want := range []string{
		`.TH "NSVIEW\-X" 1 "2026-01-02" "nsview 1.0" "User Commands"`,
		`nsview\-x \- Do x \-\- with \e and \-dashes \[u2192] ok`,
		"\\&.not a request\n",
		"\\&'not a request either\n",
		`a \ebackslash and *_b64* kept as typed`,
		".RS 4\n.nf\n  NS      namespace id\n  TYPE    kind\n.fi\n.RE\n",
		".IP \\(bu 2\nfirst item\ncontinued\n.IP \\(bu 2\nsecond item\n",
		".TP\n\\fB\\-c\\fR, \\fB\\-\\-count\\fR \\fIN\\fR\nhow many N (default 3)\n",
		".TP\n\\fB\\-\\-all\\fR\nall of them\n",
		".nf\nnsview x 1   # one\nnsview x \\-\\-all\n.fi\n",
		"Alias: \\fBnsview ex\\fR.",
		".BR nsview (1),\n",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}

	dir := t.TempDir()
	if err := writeManPages(root, manHeader{date: "2026-01-02", source: "nsview 1.0"}, dir); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "nsview-ex.1")); err != nil || string(b) != ".so man1/nsview-x.1\n" {
		t.Errorf("alias page: %q, %v", b, err)
	}
	text := renderMan(t, filepath.Join(dir, "nsview-x.1"))
	for _, want := range []string{"with \\ and -dashes → ok", ".not a request", "a \\backslash and *_b64* kept as typed", "-c, --count N", "nsview x --all"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered page lacks %q:\n%s", want, text)
		}
	}
}

// TestManDate: a build without a stamped date takes SOURCE_DATE_EPOCH, for
// reproducible pages.
func TestManDate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	h, err := newManHeader()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, when := buildInfo(); when == "unknown" && h.date != "2023-11-14" {
		t.Errorf("date %q, want 2023-11-14 from SOURCE_DATE_EPOCH", h.date)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, _, when := buildInfo(); when == "unknown" {
		if _, err := newManHeader(); err == nil {
			t.Error("a bad SOURCE_DATE_EPOCH is accepted")
		}
	}
}
