package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// The attack of RELIABILITY.md ("Terminal injection"): a process whose
// executable name (comm) moves the terminal, and arguments that set the
// window title, clear the screen, break lines, reverse text (U+202E) and
// carry C1 controls both as UTF-8 (U+0085, U+009B) and as raw bytes
// (0x9b, 0x85, invalid UTF-8 on their own).
const hostileComm = "\x1b[31mA\nB\x1b[2JC"

var hostileArgv = []string{
	"\x1b]0;TITLE\a\x1b[2J\nline2",
	"\u202eevil",
	"c1:\u0085\u009b[2J",
	"raw:\x9b[2J\x85",
	"bad:\xff\xfe\xc0\x80",
	"del:\x7f",
}

// allBytes is every byte value but NUL (which separates arguments), for
// the round trips through JSON; allComm is the high half's first 15, as
// much of it as a comm holds.
func allBytes() string {
	var b []byte
	for c := 1; c < 256; c++ {
		b = append(b, byte(c))
	}
	return string(b)
}

const allComm = "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e"

// hostile is a running process with a hostile name and arguments.
type hostile struct {
	cmd  *exec.Cmd
	comm string
	argv []string
	// uts is its own UTS namespace, in which it is alone: nsview ns shows
	// its command line as that namespace's.
	uts uint64
}

func (h *hostile) pid() string { return strconv.Itoa(h.cmd.Process.Pid) }

// startHostile runs this test binary as a process named comm (the
// basename of the path it is executed by, a symlink) with arguments argv,
// in UTS and IPC namespaces of its own; it sleeps until the test ends.
func startHostile(t *testing.T, comm string, argv []string) *hostile {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), comm)
	if err := os.Symlink(self, path); err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{
		Path:        path,
		Args:        argv,
		Env:         append(os.Environ(), envTestMain+"=sleep"),
		SysProcAttr: &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC},
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	h := &hostile{cmd: cmd, comm: comm, argv: argv}
	want := strings.Join(argv, "\x00") + "\x00"
	testenv.WaitFor(t, 10*time.Second, "the hostile process to run", func() bool {
		b, _ := os.ReadFile("/proc/" + h.pid() + "/cmdline")
		c, _ := os.ReadFile("/proc/" + h.pid() + "/comm")
		return string(b) == want && string(c) == comm+"\n"
	})
	link, err := os.Readlink("/proc/" + h.pid() + "/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	id, err := nsinfo.ParseID(link)
	if err != nil {
		t.Fatal(err)
	}
	h.uts = id.Ino
	return h
}

// checkTerminalSafe fails if text printed to a terminal could act on it: a
// control byte other than newline, DEL, a byte of invalid UTF-8 (a raw C1
// control such as 0x9b), a C1 control as UTF-8 (U+0080-U+009F), a bidi or
// other format character, a line or paragraph separator; or a line that
// a name's own newline started.
func checkTerminalSafe(t *testing.T, label, text string) {
	t.Helper()
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		bad := ""
		switch {
		case r == utf8.RuneError && size == 1:
			bad = "invalid UTF-8"
		case r < 0x20 && r != '\n', r == 0x7f:
			bad = "control byte"
		case r >= 0x80 && r <= 0x9f:
			bad = "C1 control"
		case r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r):
			bad = "format character"
		}
		if bad != "" {
			t.Errorf("%s: %s %q at byte %d: %q", label, bad, text[i:i+size], i, text[max(0, i-40):min(len(text), i+40)])
			return
		}
		i += size
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "line2") || strings.HasPrefix(l, "B") {
			t.Errorf("%s: a name's newline broke a line: %q", label, l)
		}
	}
}

// TestTerminalInjection runs every text output of nsview over processes
// whose names and arguments attack the terminal, and checks that none
// reaches it raw; that the pstree-compatible modes print what pstree
// prints, byte for byte; and that every JSON output gives back the exact
// bytes of the names and of arguments holding all 255 non-NUL byte values.
func TestTerminalInjection(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "pstree")
	h := startHostile(t, hostileComm, hostileArgv)
	all := startHostile(t, allComm, []string{allBytes(), "", "x\xff"})
	env := append(os.Environ(), "LC_ALL=C.UTF-8", "COLUMNS=1000")

	texts := [][]string{
		{"tree", "-p", h.pid()},
		{"tree", "-a", h.pid()},
		{"tree", "-a", "-p", "-S", "-t", h.pid()},
		{"tree", "--nspid"},
		{"tree", "-a", "--nspid"},
		{"tree", "--inside", h.pid(), "-a", "-p"},
		{"tree", "--by-ns"},
		{"tree", "--containers", "-p", all.pid()},
		{"ns"},
		{"ns", "-l"},
		{"ns", "-r"},
		{"ns", "-T", "parent"},
		{"ns", "-o", "+NSFS,FOUND,CONTAINER"},
		{"ns", "--matrix", "--all"},
		{"ns", "--matrix", h.pid(), all.pid()},
		{"ns", strconv.FormatUint(h.uts, 10)},
		{"ns", "-r", strconv.FormatUint(all.uts, 10)},
		{"pid", h.pid(), all.pid()},
	}
	for _, args := range texts {
		r := runCommand(t, "", env, 2*time.Minute, append([]string{nsviewBin}, args...)...)
		label := strings.Join(args, " ")
		if r.code != 0 {
			t.Errorf("%s: exit %d: %s", label, r.code, r.stderr)
			continue
		}
		checkTerminalSafe(t, label, r.stdout)
		checkTerminalSafe(t, label+" (stderr)", r.stderr)
		shown := false
		for _, mark := range []string{h.pid(), all.pid(), strconv.FormatUint(h.uts, 10), `\033[31mA`, `\x1b[31mA`} {
			shown = shown || strings.Contains(r.stdout, mark)
		}
		if !shown {
			t.Errorf("%s: the hostile processes are not shown:\n%s", label, head(r.stdout, 20))
		}
	}

	// Error messages that quote what the user or a process gave.
	for _, args := range [][]string{
		{"tree", hostileComm + "user"},
		{"--input", filepath.Join(t.TempDir(), hostileComm), "tree"},
		{"pid", "--to", hostileArgv[0], "1"},
		{"spawn", "--", "/nonexistent/" + hostileComm},
		{"ns", "-t", hostileArgv[3]},
	} {
		r := runCommand(t, "", env, time.Minute, append([]string{nsviewBin}, args...)...)
		if r.code == 0 {
			t.Errorf("%q: exit 0", args)
		}
		if !strings.Contains(r.stderr, `\x1b`) && !strings.Contains(r.stderr, `\x9b`) {
			t.Errorf("%q: the error does not quote the name, escaped: %q", args, r.stderr)
		}
		checkTerminalSafe(t, strings.Join(args, " ")+" (stderr)", r.stderr)
	}

	// spawn's start line names the command it runs.
	r := runCommand(t, "", append(slices.Clone(env), envTestMain+"=exit"), time.Minute,
		append([]string{nsviewBin, "spawn", "--", filepath.Join(filepath.Dir(h.cmd.Path), hostileComm)}, hostileArgv...)...)
	if r.code != 0 || !strings.Contains(r.stderr, "init") {
		t.Errorf("spawn of a hostile command: exit %d: %q", r.code, r.stderr)
	}
	checkTerminalSafe(t, "spawn start line", r.stderr)

	// pstree's own escapes, byte for byte.
	for _, p := range []*hostile{h, all} {
		for _, flags := range [][]string{{"-p"}, {"-a"}, {"-a", "-p"}, {"-c", "-t"}, {"-p", "-S", "-u"}, {"-a", "-l", "-n"}} {
			args := append(slices.Clone(flags), p.pid())
			same(t, "pstree "+strings.Join(args, " "), env, append([]string{"pstree"}, args...), append([]string{nsviewBin, "tree"}, args...))
		}
	}

	// JSON: the exact bytes back.
	sameNames := func(label, comm string, argv []string, p *hostile) {
		t.Helper()
		if comm != p.comm || !slices.Equal(argv, p.argv) {
			t.Errorf("%s: %q %q, want %q %q", label, comm, argv, p.comm, p.argv)
		}
	}
	r = runCommand(t, "", env, 2*time.Minute, nsviewBin, "snapshot")
	s, err := tree.ReadSnapshot(strings.NewReader(r.stdout))
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	for _, p := range []*hostile{h, all} {
		q, ok := s.Proc(p.cmd.Process.Pid)
		if !ok {
			t.Fatalf("snapshot lacks %s", p.pid())
		}
		sameNames("snapshot", q.Comm, q.Cmdline, p)
		for _, th := range q.Threads {
			if th.Comm != "" && th.Comm != p.comm {
				t.Errorf("snapshot: thread %d named %q", th.TID, th.Comm)
			}
		}
	}
	r = runCommand(t, "", env, 2*time.Minute, nsviewBin, "tree", "--json", "-a")
	type viewProc struct {
		HostPID    int      `json:"host_pid"`
		Comm       string   `json:"comm"`
		CommB64    []byte   `json:"comm_b64"`
		Cmdline    []string `json:"cmdline"`
		CmdlineB64 [][]byte `json:"cmdline_b64"`
	}
	var view struct {
		Processes []viewProc `json:"processes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &view); err != nil {
		t.Fatalf("tree --json: %v", err)
	}
	for _, p := range []*hostile{h, all} {
		i := slices.IndexFunc(view.Processes, func(e viewProc) bool { return e.HostPID == p.cmd.Process.Pid })
		if i < 0 {
			t.Fatalf("tree --json lacks %s", p.pid())
		}
		e := view.Processes[i]
		comm, argv := e.Comm, e.Cmdline
		if e.CommB64 != nil {
			comm = string(e.CommB64)
		}
		if e.CmdlineB64 != nil {
			argv = nil
			for _, a := range e.CmdlineB64 {
				argv = append(argv, string(a))
			}
		}
		sameNames("tree --json", comm, argv, p)
	}
	// pid --json and the matrix's JSON: one command string per process.
	type commandJSON struct {
		PID        int    `json:"pid"`
		Command    string `json:"command"`
		CommandB64 []byte `json:"command_b64"`
	}
	for _, args := range [][]string{{"pid", "--json"}, {"ns", "--matrix", "-J"}} {
		label := strings.Join(args, " ")
		r = runCommand(t, "", env, 2*time.Minute, append(append([]string{nsviewBin}, args...), h.pid(), all.pid())...)
		var doc struct {
			Processes []commandJSON `json:"processes"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%s: %v\n%s", label, err, r.stdout)
		}
		for _, p := range []*hostile{h, all} {
			i := slices.IndexFunc(doc.Processes, func(c commandJSON) bool { return c.PID == p.cmd.Process.Pid })
			if i < 0 {
				t.Fatalf("%s lacks %s:\n%s", label, p.pid(), r.stdout)
			}
			got := doc.Processes[i].Command
			if doc.Processes[i].CommandB64 != nil {
				got = string(doc.Processes[i].CommandB64)
			}
			if want := strings.Join(p.argv, " "); got != want {
				t.Errorf("%s %s: command %q, want %q", label, p.pid(), got, want)
			}
		}
	}
	for _, p := range []*hostile{h, all} {
		r = runCommand(t, "", env, 2*time.Minute, nsviewBin, "ns", "-J", "-t", "uts", "-o", "NS,PID,COMMAND")
		type nsJSON struct {
			NS         uint64 `json:"ns"`
			Command    string `json:"command"`
			CommandB64 []byte `json:"command_b64"`
		}
		var nd struct {
			Namespaces []nsJSON `json:"namespaces"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &nd); err != nil {
			t.Fatalf("ns -J: %v\n%s", err, r.stdout)
		}
		i := slices.IndexFunc(nd.Namespaces, func(n nsJSON) bool { return n.NS == p.uts })
		if i < 0 {
			t.Fatalf("ns -J lacks uts:[%d]", p.uts)
		}
		got := nd.Namespaces[i].Command
		if nd.Namespaces[i].CommandB64 != nil {
			got = string(nd.Namespaces[i].CommandB64)
		}
		if want := strings.Join(p.argv, " "); got != want {
			t.Errorf("ns -J uts:[%d]: command %q, want %q", p.uts, got, want)
		}
	}
	if bytes.ContainsAny([]byte(r.stdout), "\x1b\x9b") {
		t.Errorf("ns -J holds raw control bytes")
	}
}

// TestTerminalInjectionTUI runs the terminal UI in a tmux pane over the
// hostile processes, finds each with the search (/PID), and checks what
// nsview wrote to the terminal, byte for byte (tmux pipe-pane), not only
// the screen tmux drew: no byte of a hostile name or argument reaches it
// raw (no OSC title, no SGR or clear from a name, no U+202E, no C1
// control, no invalid UTF-8), the pane's title is untouched, and the
// screen shows the names escaped.
func TestTerminalInjectionTUI(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "tmux")
	h := startHostile(t, hostileComm, hostileArgv)
	all := startHostile(t, allComm, []string{allBytes(), "", "x\xff"})
	dir := t.TempDir()
	raw, start := filepath.Join(dir, "raw"), filepath.Join(dir, "start")
	// nsview starts once the pane's output is piped to raw.
	r := startLineInTmux(t, 250, 50, []string{"LC_ALL=C.UTF-8"}, "",
		"while [ ! -e "+start+" ]; do sleep 0.05; done; "+nsviewBin+" tui --interval 200ms")
	r.tmux("pipe-pane", "-t", "e2e", "-o", "cat > "+raw)
	if err := os.WriteFile(start, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r.waitText("processes")
	screen := ""
	for _, p := range []*hostile{all, h} {
		// The details pane shows the selected process. Keys typed while
		// the UI still talks with the terminal at its start can be lost:
		// search again until it is shown.
		found := false
		for deadline := time.Now().Add(60 * time.Second); !found && time.Now().Before(deadline); {
			r.keys("/", "C-u") // the prompt opens with the last query
			r.keys("-l", p.pid())
			r.keys("Enter")
			found = testenv.Poll(2*time.Second, func() bool { return strings.Contains(r.screen(), "PID "+p.pid()+" ") })
		}
		if !found {
			t.Fatalf("the search never selected %s:\n%s", p.pid(), r.screen())
		}
		screen += r.screen()
	}
	for _, shown := range []string{`\x80\x81\x82`, `\x1b[31mA\nB\x1b[2JC`, `\x1b]0;TITLE\x07\x1b[2J\nline2 \u202eevil`} {
		if !strings.Contains(screen, shown) {
			t.Errorf("the screen does not show %s:\n%s", shown, screen)
		}
	}
	r.keys("q")
	if got := r.exitStatus(); got != 0 {
		t.Fatalf("exit %d: %s", got, r.stderr())
	}
	r.checkRestored()
	if title := strings.TrimSpace(r.tmux("display", "-p", "-t", "e2e", "#{pane_title}")); strings.Contains(title, "TITLE") {
		t.Errorf("a process argument set the pane's title: %q", title)
	}
	r.tmux("pipe-pane", "-t", "e2e") // close the pipe: raw is complete
	var out []byte
	testenv.WaitFor(t, busyDeadline, "the pane's output to be saved", func() bool {
		out, _ = os.ReadFile(raw)
		return bytes.Contains(out, []byte(`\x1b[31mA`))
	})
	for _, bad := range []string{"\x1b[31mA", "\x1b[2JC", "\x1b]0;TITLE", "TITLE\a", "\u202e", "\u0085", "\u009b", "\x9b[2J", "\x7f", "\x80\x81\x82"} {
		if i := bytes.Index(out, []byte(bad)); i >= 0 {
			t.Errorf("the TUI wrote %q raw to the terminal: %q", bad, out[max(0, i-60):min(len(out), i+60)])
		}
	}
	if !utf8.Valid(out) {
		t.Errorf("the TUI wrote invalid UTF-8 to the terminal")
	}
	checkTerminalSafe(t, "TUI screen", screen)
}
