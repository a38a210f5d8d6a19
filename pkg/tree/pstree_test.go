package tree

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// fixture builds a snapshot from processes given as "PID PPID NAME" plus
// optional edits.
type fixture struct{ s *Snapshot }

func newFixture(lines ...string) *fixture {
	s := &Snapshot{Schema: SchemaVersion, Read: Options{Threads: true, Cmdline: true, NSpid: true, Namespaces: true}}
	for _, l := range lines {
		f := strings.SplitN(l, " ", 3)
		pid, _ := strconv.Atoi(f[0])
		ppid, _ := strconv.Atoi(f[1])
		s.Processes = append(s.Processes, Process{PID: pid, PPID: ppid, PGID: pid, Comm: f[2], NSpid: []int{pid}, Cmdline: []string{f[2]}})
	}
	s.Sort()
	return &fixture{s: s}
}

func (f *fixture) p(pid int) *Process {
	p, ok := f.s.Proc(pid)
	if !ok {
		panic(fmt.Sprintf("no process %d", pid))
	}
	return p
}

func (f *fixture) render(t *testing.T, o PstreeOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := f.s.HostView().WritePstree(&b, o); err != nil {
		t.Fatalf("WritePstree: %v", err)
	}
	return b.String()
}

func check(t *testing.T, name, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func TestPstreeCompaction(t *testing.T) {
	f := newFixture(
		"1 0 init",
		"10 1 sleep", "11 1 sleep", "12 1 sleep",
		"20 1 bash", "21 20 sleep", "22 20 sleep",
		"30 1 bash", "31 30 sleep", "32 30 sleep",
		"40 1 bash", "41 40 vim",
		"50 1 zsh", "51 50 a", "52 50 b",
		"60 1 zsh", "61 60 a", "62 60 b",
	)
	check(t, "default", f.render(t, PstreeOptions{}), `init-+-2*[bash---2*[sleep]]
     |-bash---vim
     |-3*[sleep]
     `+"`"+`-2*[zsh-+-a]
              `+"`"+`-b]
`)
	check(t, "-c", f.render(t, PstreeOptions{NoCompact: true}), `init-+-bash-+-sleep
     |      `+"`"+`-sleep
     |-bash-+-sleep
     |      `+"`"+`-sleep
     |-bash---vim
     |-sleep
     |-sleep
     |-sleep
     |-zsh-+-a
     |     `+"`"+`-b
     `+"`"+`-zsh-+-a
           `+"`"+`-b
`)
	// -p implies -c; -g does not (pstree 23.6 compacts with -g).
	check(t, "-g", f.render(t, PstreeOptions{PGIDs: true}), `init(1)-+-2*[bash(20)---2*[sleep(21)]]
        |-bash(40)---vim(41)
        |-3*[sleep(10)]
        `+"`"+`-2*[zsh(50)-+-a(51)]
                     `+"`"+`-b(52)]
`)
}

func TestPstreeCompactionIsNotPairwiseAdjacent(t *testing.T) {
	// Equal subtrees merge even when a different sibling sorts between
	// them (same name, other UID), as pstree's scan of all later siblings.
	f := newFixture("1 0 init", "10 1 bash", "11 10 a", "20 1 bash", "21 20 b", "30 1 bash", "31 30 a")
	f.p(20).UID = 5
	f.p(30).UID = 7
	check(t, "merge", f.render(t, PstreeOptions{}), `init-+-2*[bash---a]
     `+"`"+`-bash---b
`)
	// A UID without a name prints as a number, but pstree's out_int
	// prints nothing for 0.
	check(t, "-u", f.render(t, PstreeOptions{UIDChanges: true}), "init-+-bash---a\n     |-bash(5)---b()\n     `-bash(7)---a()\n")
}

func TestPstreeThreads(t *testing.T) {
	f := newFixture("1 0 init", "10 1 py", "20 1 a")
	f.p(10).Threads = []Thread{{TID: 11, Comm: "w"}, {TID: 12, Comm: "w"}, {TID: 13, Comm: "x"}}
	check(t, "default", f.render(t, PstreeOptions{}), "init-+-a\n     `-py---3*[{py}]\n")
	check(t, "-t", f.render(t, PstreeOptions{ThreadNames: true}), "init-+-a\n     `-py-+-2*[{w}]\n          `-{x}\n")
	check(t, "-T", f.render(t, PstreeOptions{HideThreads: true}), "init-+-a\n     `-py\n")
	check(t, "-p", f.render(t, PstreeOptions{PIDs: true}), "init(1)-+-a(20)\n        `-py(10)-+-{py}(11)\n                 |-{py}(12)\n                 `-{py}(13)\n")
	// With -a, threads compact with a single closing bracket (pstree's
	// closing counter is -1 after its loop), and a lone thread has none.
	check(t, "-a -t", f.render(t, PstreeOptions{Args: true, ThreadNames: true}), "init\n  |-a\n  `-py\n      |-2*[{w}]\n      `-{x}\n")
}

func TestPstreeSorting(t *testing.T) {
	f := newFixture("1 0 init", "5 1 b", "6 1 a", "7 1 b", "8 1 B", "9 1 {x}")
	f.p(5).UID = 9
	f.p(7).UID = 3
	f.p(9).Threads = nil
	f.p(1).Threads = []Thread{{TID: 2}}
	// Bytes order: "B" < "a" < "b" < "{"; equal names by UID; the
	// thread "{init}" is just another name.
	check(t, "name", f.render(t, PstreeOptions{PIDs: true}), "init(1)-+-B(8)\n        |-a(6)\n        |-b(7)\n        |-b(5)\n        |-{init}(2)\n        `-{x}(9)\n")
	check(t, "-n", f.render(t, PstreeOptions{PIDs: true, ByPID: true}), "init(1)-+-{init}(2)\n        |-b(5)\n        |-a(6)\n        |-b(7)\n        |-B(8)\n        `-{x}(9)\n")
}

func TestPstreeNamespaceMarkers(t *testing.T) {
	f := newFixture("1 0 init", "10 1 unshare", "11 10 sh", "12 11 sleep")
	for _, pid := range []int{1, 10, 11, 12} {
		f.p(pid).NS = nsinfo.Set{1, 2, 3, 4, 5, 6, 7, 8}
	}
	f.p(11).NS[nsinfo.PID.Index()] = 50
	f.p(11).NS[nsinfo.Mount.Index()] = 51
	f.p(12).NS[nsinfo.PID.Index()] = 50
	f.p(12).NS[nsinfo.Mount.Index()] = 51
	f.p(12).NS[nsinfo.Net.Index()] = 0 // unreadable: no marker
	check(t, "-S", f.render(t, PstreeOptions{NSChanges: true}), "init---unshare---sh(mnt,pid)---sleep\n")
	check(t, "-S -p", f.render(t, PstreeOptions{NSChanges: true, PIDs: true}), "init(1)---unshare(10)---sh(11,mnt,pid)---sleep(12)\n")
	// -N pid: one tree per namespace, each under its [inode] header.
	check(t, "-N pid", f.render(t, PstreeOptions{NSSort: nsinfo.PID}), "[5]\ninit---unshare\n[50]\nsh---sleep\n")
}

func TestPstreeNSSortHeaderCountsTowardsWidth(t *testing.T) {
	// pstree writes "[ino]\n" through its column counter without resetting
	// it, so the first line under a header is cut 13 columns early.
	f := newFixture("1 0 init", "10 1 abcdefghij")
	f.p(1).NS[nsinfo.PID.Index()] = 4026531836
	f.p(10).NS[nsinfo.PID.Index()] = 4026531836
	check(t, "-N", f.render(t, PstreeOptions{NSSort: nsinfo.PID, Width: 20}), "[4026531836]\ninit--+\n")
}

func TestPstreeWidthCut(t *testing.T) {
	f := newFixture("1 0 sleep", "2 1 bash", "3 1 python")
	for w, want := range map[int]string{
		5: "slee+\n",
		6: "sleep+++\n",
		7: "sleep\u2500+++\n      +++\n",
		8: "sleep\u2500\u252c+++\n      \u2514+++\n",
		1: "+\n+\n",
	} {
		f2 := newFixture("1 0 sleep")
		if w == 1 {
			check(t, "width 1 leaf", f2.render(t, PstreeOptions{Width: w}), want)
			continue
		}
		check(t, fmt.Sprintf("width %d", w), f.render(t, PstreeOptions{Width: w, Symbols: UTF8Symbols}), want)
	}
	check(t, "-l", f.render(t, PstreeOptions{Width: 5, Long: true}), "sleep-+-bash\n      `-python\n")
	// VT100 sequences count as columns, as pstree counts them.
	check(t, "-G", f.render(t, PstreeOptions{Width: 12, Symbols: VT100Symbols}), "sleep\033(0\017qw+\n      \033(0\017m+\n")
}

func TestPstreeEscapes(t *testing.T) {
	f := newFixture("1 0 init", "2 1 a\033[31mb\\c\nd\xff")
	f.p(2).Cmdline = []string{"x", "\033]0;T\a", "sp ace"}
	check(t, "name", f.render(t, PstreeOptions{}), "init---a\\033[31mb\\\\c\\012d\\377\n")
	check(t, "-a", f.render(t, PstreeOptions{Args: true}), "init\n  `-a\\033[31mb\\\\c\\012d\\377 \\033]0;T\\007 sp ace\n")
}

func TestPstreeArgsQuirks(t *testing.T) {
	f := newFixture("1 0 init", "2 1 k", "3 1 p", "4 1 q", "5 1 r", "6 1 s", "7 1 t")
	f.p(2).Cmdline = []string{}                              // kernel thread or zombie: (k)
	f.p(3).Cmdline = []string{"p", "a", "b"}                 // normal: p a b
	f.p(3).CmdlineUnterminated = true                        // ... without its last NUL: p ab
	f.p(4).Cmdline = []string{"q", "", "x"}                  // a run of NULs
	f.p(5).Cmdline = []string{"r", strings.Repeat("z", 200)} // cut at the width, which drops its NUL: r...
	f.p(6).Cmdline = nil                                     // unreadable
	f.p(7).Cmdline = []string{"setproctitle here"}           // one word, no NUL but the last
	check(t, "-a", f.render(t, PstreeOptions{Args: true, Width: 40}), "init\n  |-(k)\n  |-p ab\n  |-q x\n  |-r...\n  |-s ?\n  `-t\n")
	check(t, "-a -p", f.render(t, PstreeOptions{Args: true, PIDs: true, Width: 40}), "init,1\n  |-(k,2)\n  |-p,3 ab\n  |-q,4 x\n  |-r,5...\n  |-s,6 ?\n  `-t,7\n")
}

// pidsOnce checks that -p output names every PID exactly once.
func pidsOnce(t *testing.T, out string, pids []int) {
	t.Helper()
	count := map[int]int{}
	for _, m := range regexp.MustCompile(`\((\d+)\)`).FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		count[n]++
	}
	for _, pid := range pids {
		if count[pid] != 1 {
			t.Errorf("PID %d printed %d times in\n%s", pid, count[pid], out)
		}
	}
}

func TestPstreeCyclesAndMissingParents(t *testing.T) {
	f := newFixture(
		"1 0 init",
		"10 1 ok",
		"20 21 cyc-a", "21 20 cyc-b", "22 21 below",
		"30 30 self",
		"40 99 orphan", "41 98 orphan2", "42 99 sibling",
		"50 0 kthreadd-like",
	)
	out := f.render(t, PstreeOptions{PIDs: true, Long: true})
	// Orphaned placeholders come in the reverse order of their creation,
	// as pstree's fix_orphans walks its list.
	check(t, "-p", out, `init(1)-+-?(98)---orphan2(41)
        |-?(99)-+-orphan(40)
        |       `+"`"+`-sibling(42)
        |-cyc-a(20)---cyc-b(21)---below(22)
        |-ok(10)
        `+"`"+`-self(30)
`)
	// PPid 0 (a kernel thread, or a process that entered the namespace)
	// is below PID 0, which pstree does not draw unless asked.
	pidsOnce(t, out, []int{1, 10, 20, 21, 22, 30, 40, 41, 42, 98, 99})
	out0 := f.render(t, PstreeOptions{PIDs: true, Long: true, Root: 0, HasRoot: true})
	// (PID 0 prints as "?()": pstree's out_int prints nothing for 0.)
	pidsOnce(t, out0, []int{1, 10, 20, 21, 22, 30, 40, 41, 42, 50, 98, 99})

	// A cycle through PID 1 is cut at PID 1.
	g := newFixture("1 2 init", "2 1 other", "3 2 leaf")
	pidsOnce(t, g.render(t, PstreeOptions{PIDs: true}), []int{1, 2, 3})
	// No PID 1 at all (hidepid): pstree's ?(1) holds what is visible.
	h := newFixture("500 400 bash", "501 500 sleep")
	check(t, "hidepid", h.render(t, PstreeOptions{PIDs: true}), "?(1)---?(400)---bash(500)---sleep(501)\n")
}

func TestPstreeRootUserParents(t *testing.T) {
	f := newFixture("1 0 init", "10 1 sshd", "11 10 bash", "12 11 vim", "13 11 top", "20 1 cron", "21 20 job")
	f.p(11).UID, f.p(12).UID, f.p(13).UID = 1000, 1000, 1000
	f.p(21).UID = 1000
	check(t, "PID", f.render(t, PstreeOptions{Root: 11, HasRoot: true}), "bash-+-top\n     `-vim\n")
	check(t, "-s", f.render(t, PstreeOptions{Root: 11, HasRoot: true, ShowParents: true}), "init---sshd---bash-+-top\n                   `-vim\n")
	uid := uint32(1000)
	check(t, "USER", f.render(t, PstreeOptions{User: &uid}), "job\n\nbash-+-top\n     `-vim\n")
	names := func(u uint32) (string, bool) { return map[uint32]string{1000: "ann"}[u], u == 1000 }
	check(t, "-u", f.render(t, PstreeOptions{UIDChanges: true, UserName: names}), "init-+-cron---job(ann)\n     `-sshd---bash(ann)-+-top\n                        `-vim\n")

	var b bytes.Buffer
	if err := f.s.HostView().WritePstree(&b, PstreeOptions{Root: 99, HasRoot: true}); !errors.Is(err, ErrNoProcess) || b.Len() != 0 {
		t.Errorf("missing PID: err %v, output %q", err, b.String())
	}
	if err := f.s.HostView().WritePstree(&b, PstreeOptions{Root: 99, HasRoot: true, ShowParents: true}); !errors.Is(err, ErrNoProcess) {
		t.Errorf("-s missing PID: err %v", err)
	}
	nobody := uint32(4242)
	if err := f.s.HostView().WritePstree(&b, PstreeOptions{User: &nobody}); !errors.Is(err, ErrNoUserProcesses) {
		t.Errorf("USER without processes: err %v", err)
	}
}

func TestPstreeHighlight(t *testing.T) {
	f := newFixture("1 0 init", "10 1 sh", "11 10 me", "20 1 other")
	check(t, "-H", f.render(t, PstreeOptions{Highlight: 11, Bold: "<b>", Normal: "</b>", PIDs: true}),
		"<b>init(1)</b>-+-other(20)\n        `-<b>sh(10)</b>---<b>me(11)</b>\n")
}

func TestPstreeNSpid(t *testing.T) {
	f := newFixture("1 0 init", "100 1 unshare", "101 100 sh", "102 101 sleep")
	f.p(101).NSpid = []int{101, 1}
	f.p(102).NSpid = []int{102, 4}
	f.p(102).Threads = []Thread{{TID: 103, NSpid: []int{103, 5}}}
	f.p(102).PGID = 101
	for _, pid := range []int{1, 100} {
		f.p(pid).NS[nsinfo.PID.Index()] = 7
	}
	for _, pid := range []int{101, 102} {
		f.p(pid).NS[nsinfo.PID.Index()] = 8
	}
	f.s.Sort() // namespaces changed: re-resolve each process's PID namespace
	check(t, "--nspid", f.render(t, PstreeOptions{NSpid: true}), "init(1)---unshare(100)---sh(101/1)---sleep(102/4)---{sleep}(103/5)\n")
	check(t, "--nspid -g", f.render(t, PstreeOptions{NSpid: true, PGIDs: true}), "init(1,1)---unshare(100,100)---sh(101/1,101)---sleep(102/4,101)---{sleep}(103/5,101)\n")
	v, err := f.s.InsideViewOf(102)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := v.WritePstree(&b, PstreeOptions{PIDs: true, PGIDs: true}); err != nil {
		t.Fatal(err)
	}
	check(t, "inside", b.String(), "sh(1,1)---sleep(4,1)---{sleep}(5,1)\n")
}

// chain returns a snapshot of n processes, each the parent of the next.
func chain(n int) *Snapshot {
	s := &Snapshot{Schema: SchemaVersion, Read: Options{Cmdline: true}}
	s.Processes = make([]Process, n)
	for i := range s.Processes {
		s.Processes[i] = Process{PID: i + 1, PPID: i, PGID: 1, Comm: "p", Cmdline: []string{"p", "x"}}
	}
	s.Sort()
	return s
}

func TestPstreeDeepChain(t *testing.T) {
	const n = 100000
	s := chain(n)
	for _, o := range []PstreeOptions{{}, {PIDs: true}, {Args: true}, {Args: true, PIDs: true, Symbols: UTF8Symbols}, {Long: true}} {
		var b bytes.Buffer
		if err := s.HostView().WritePstree(&b, o); err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(b.Bytes(), []byte("\n"))
		switch {
		case o.Args && lines != n:
			t.Errorf("%+v: %d lines, want %d", o, lines, n)
		case o.Long && lines != 1:
			t.Errorf("-l: %d lines, want 1", lines)
		case o.Long && b.Len() != n*4-3+1:
			t.Errorf("-l: %d bytes, want %d", b.Len(), n*4-3+1)
		}
		for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			// The cut is a '+' per byte of the character at column 133.
			if !o.Long && len([]rune(l)) > 132+3 {
				t.Fatalf("%+v: line of %d columns", o, len([]rune(l)))
			}
		}
	}
}

func TestPstreeWideFanOut(t *testing.T) {
	const n = 100000
	s := &Snapshot{Schema: SchemaVersion}
	s.Processes = append(s.Processes, Process{PID: 1, Comm: "init"})
	for i := 2; i <= n+1; i++ {
		s.Processes = append(s.Processes, Process{PID: i, PPID: 1, Comm: "w" + strconv.Itoa(i%1000)})
	}
	s.Sort()
	var b bytes.Buffer
	if err := s.HostView().WritePstree(&b, PstreeOptions{PIDs: true}); err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(b.Bytes(), []byte("\n")); lines != n {
		t.Errorf("-p: %d lines, want %d", lines, n)
	}
	b.Reset()
	if err := s.HostView().WritePstree(&b, PstreeOptions{}); err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(b.Bytes(), []byte("\n")); lines != 1000 {
		t.Errorf("compacted: %d lines, want 1000", lines)
	}
	if !strings.Contains(b.String(), "100*[w0]") {
		t.Errorf("compacted: no 100*[w0] in %.200s", b.String())
	}
}
