package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
)

// partialEnv is a way of running nsview where it cannot see everything.
type partialEnv struct {
	name string
	// argv wraps nsview's arguments, where "SELF" stands for a process
	// the caller may read in full.
	argv func(args []string) []string
	// why is what stderr must say, for every command; json what every
	// JSON output must hold.
	why, json string
	// whyLinks is what stderr says when a command reads namespace links
	// ("" when they are readable).
	whyLinks string
}

// TestPartialViews runs the whole CLI where nsview sees only part of the
// system (RELIABILITY.md, "Partial views"), for real: (a) as nobody, who
// may not read root's namespace links; (b) as nobody on a proc mounted
// with hidepid=2 and subset=pid in a private mount namespace, where other
// users' processes are not even listed; (c) as root from inside a new PID
// namespace whose /proc is still the host's (unshare -p -f without
// --mount-proc). Every command exits 0, shows something, marks what it
// cannot know (?, the hidden-parent placeholder ?(PID), NSpid depth still
// shown), and says why on stderr and in its JSON.
func TestPartialViews(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "setpriv", "unshare", "sh", "sleep")
	if err := os.Chmod(filepath.Dir(nsviewBin), 0o755); err != nil {
		t.Fatal(err)
	}
	// Something root owns, nested two PID namespaces down, and a process
	// of nobody's own.
	_, nested := nestedSleep(t)
	mine := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "1000")
	if err := mine.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mine.Process.Kill(); mine.Wait() })
	nobody := []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}
	self := func(args []string, pid int) []string {
		out := slices.Clone(args)
		for i, a := range out {
			if a == "SELF" {
				out[i] = strconv.Itoa(pid)
			}
		}
		return out
	}
	// The hidepid run: a private mount namespace, a new proc mount, then
	// nobody's shell runs nsview with SELF as itself ($$).
	hidepid := filepath.Join(t.TempDir(), "hidepid.sh")
	script := `mount -t proc -o hidepid=2,subset=pid proc /proc || exit 99
exec setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'for a; do shift; [ "$a" = SELF ] && a=$$; set -- "$@" "$a"; done; "$@"' sh "$@"
`
	if err := os.WriteFile(hidepid, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	envs := []partialEnv{
		{
			name: "nobody",
			argv: func(args []string) []string {
				return append(slices.Clone(nobody), append([]string{nsviewBin}, self(args, mine.Process.Pid)...)...)
			},
			json:     `"unreadable"`,
			whyLinks: "permission denied",
		},
		{
			name: "hidepid",
			argv: func(args []string) []string {
				return append([]string{"unshare", "--mount", "--propagation", "private", "sh", hidepid, nsviewBin}, args...)
			},
			why:  "hidepid=invisible",
			json: "hidepid=invisible",
		},
		{
			name: "foreign-proc",
			argv: func(args []string) []string {
				return append([]string{"unshare", "--pid", "--fork", "--kill-child", nsviewBin}, self(args, os.Getpid())...)
			},
			why:  "belongs to another PID namespace",
			json: "another PID namespace",
		},
	}
	commands := []struct {
		args  []string
		links bool // reads namespace links
		json  bool
		// marks is what the output shows of what cannot be known, per
		// environment (none: nothing to check).
		marks map[string][]string
	}{
		{args: []string{"tree", "-p"}, marks: map[string][]string{"hidepid": {"?("}}},
		{args: []string{"tree", "-a"}, marks: map[string][]string{"hidepid": {"?"}}},
		{args: []string{"tree", "-S", "-p"}, links: true, marks: map[string][]string{"nobody": {",?)"}, "hidepid": {"?("}}},
		{args: []string{"tree", "--nspid"}, marks: map[string][]string{
			"nobody":       {"sleep(" + joinInts(nspidOf(t, nested), "/") + ")"},
			"foreign-proc": {"sleep(" + joinInts(nspidOf(t, nested), "/") + ")"},
		}},
		{args: []string{"tree", "--inside", "SELF", "-p"}, links: true},
		{args: []string{"tree", "--by-ns"}, links: true, marks: map[string][]string{"nobody": {"pid:[?]"}, "hidepid": {"init ?"}}},
		{args: []string{"tree", "--json"}, links: true, json: true},
		{args: []string{"ns"}, links: true},
		{args: []string{"ns", "-l"}, links: true},
		{args: []string{"ns", "-r"}, links: true},
		{args: []string{"ns", "-J"}, links: true, json: true},
		{args: []string{"ns", "-T", "parent"}, links: true},
		{args: []string{"ns", "--matrix"}, links: true, marks: map[string][]string{"nobody": {"?"}, "hidepid": {"?"}}},
		{args: []string{"pid", "SELF"}, links: true},
		{args: []string{"pid", "--json", "SELF"}, links: true, json: true},
		{args: []string{"snapshot"}, links: true, json: true},
	}
	for _, env := range envs {
		t.Run(env.name, func(t *testing.T) {
			for _, c := range commands {
				argv := env.argv(c.args)
				r := runCommand(t, "", append(os.Environ(), "COLUMNS=200"), 2*time.Minute, argv...)
				label := strings.Join(c.args, " ")
				if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
					t.Errorf("%s: exit %d, %d bytes out; stderr:\n%s", label, r.code, len(r.stdout), r.stderr)
					continue
				}
				if strings.Contains(r.stderr, "panic") {
					t.Errorf("%s: %s", label, r.stderr)
				}
				if env.why != "" && !strings.Contains(r.stderr, env.why) {
					t.Errorf("%s: stderr does not say %q:\n%s", label, env.why, r.stderr)
				}
				if c.links && env.whyLinks != "" && !strings.Contains(r.stderr, env.whyLinks) {
					t.Errorf("%s: stderr does not say %q:\n%s", label, env.whyLinks, r.stderr)
				}
				if c.json {
					var doc any
					if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
						t.Errorf("%s: not JSON: %v", label, err)
					}
					if !strings.Contains(r.stdout, env.json) {
						t.Errorf("%s: the JSON does not say %q", label, env.json)
					}
				}
				for _, m := range c.marks[env.name] {
					if !strings.Contains(r.stdout, m) {
						t.Errorf("%s: the output does not show %q:\n%s", label, m, head(r.stdout, 40))
					}
				}
			}
		})
	}
}

func joinInts(ns []int, sep string) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, sep)
}

// head is the first n lines of s.
func head(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
