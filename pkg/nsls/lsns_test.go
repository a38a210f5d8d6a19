package nsls

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// world is a small snapshot: two processes in the initial namespaces, one
// (with a hostile name) in its own mount and net namespaces, and a network
// namespace held only by a bind mount.
func world() *tree.Snapshot {
	s := &tree.Snapshot{ProcPath: "/proc", Users: map[uint32]string{0: "root"}}
	base := nsinfo.Set{4026531835, 4026531839, 4026531832, 4026531833, 4026531836, 4026531837, 4026531838, 4026531834}
	add := func(pid, ppid int, comm string, args []string, set nsinfo.Set) {
		s.Processes = append(s.Processes, tree.Process{PID: pid, PPID: ppid, Comm: comm, Cmdline: args, NS: set, NSpid: []int{pid}})
	}
	add(1, 0, "init", []string{"/sbin/init"}, base)
	add(2, 0, "kthreadd", []string{}, base)
	own := base
	own[nsinfo.Mount.Index()] = 4026532100
	own[nsinfo.Net.Index()] = 4026532101
	add(50, 1, "evil", []string{"\x1b[31mred\u202e", "a\nb"}, own)
	for i, ino := range base {
		s.Namespaces = append(s.Namespaces, tree.Namespace{Type: nsinfo.Types[i], Ino: ino, NProcs: 3, PID: 1, Level: -1, OwnerUID: -1, Owner: 4026531837, Found: []string{"process"}})
	}
	s.Namespaces = append(s.Namespaces,
		tree.Namespace{Type: nsinfo.Mount, Ino: 4026532100, NProcs: 1, PID: 50, Level: -1, OwnerUID: -1, Owner: 4026531837, Found: []string{"process"}},
		tree.Namespace{Type: nsinfo.Net, Ino: 4026532101, NProcs: 1, PID: 50, Level: -1, OwnerUID: -1, Owner: 4026531837, Found: []string{"process"},
			Mounts: []tree.NSMount{{Path: "/run/netns/a"}, {Path: "/run/netns/b"}}},
		tree.Namespace{Type: nsinfo.Net, Ino: 4026532200, Level: -1, OwnerUID: -1, Owner: 4026531837, Found: []string{"bind /run/netns/c"},
			Mounts: []tree.NSMount{{Path: "/run/netns/c"}}},
	)
	s.Sort()
	return s
}

func render(t *testing.T, o Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, world(), o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDefaultTable(t *testing.T) {
	got := render(t, Options{UTF8: true})
	want := `        NS TYPE   NPROCS PID USER COMMAND
4026531832 mnt         3   1 root /sbin/init
4026531833 net         3   1 root /sbin/init
4026531834 time        3   1 root /sbin/init
4026531835 cgroup      3   1 root /sbin/init
4026531836 pid         3   1 root /sbin/init
4026531837 user        3   1 root /sbin/init
4026531838 uts         3   1 root /sbin/init
4026531839 ipc         3   1 root /sbin/init
4026532100 mnt         1  50 root ├─\x1b[31mred\xe2\x80\xae a\x0ab
4026532101 net         1  50 root └─\x1b[31mred\xe2\x80\xae a\x0ab
4026532200 net         0          
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestNSFSWraps(t *testing.T) {
	got := render(t, Options{Types: []nsinfo.Type{nsinfo.Net}, ProcessesOnly: true})
	// NETNSID was not read: the column is as wide as its header.
	want := `        NS TYPE NPROCS PID USER NETNSID NSFS         COMMAND
4026531833 net       3   1 root                      /sbin/init
4026532101 net       1  50 root         /run/netns/a ` + "`" + `-\x1b[31mred\xe2\x80\xae a\x0ab
                                        /run/netns/b   
`
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if got := render(t, Options{Types: []nsinfo.Type{nsinfo.Net}, NoWrap: true, ProcessesOnly: true}); !strings.Contains(got, "/run/netns/a,/run/netns/b") {
		t.Errorf("-W does not join NSFS with commas:\n%s", got)
	}
}

func TestTruncateToTerminal(t *testing.T) {
	// COMMAND shrinks to fit, never below its header's width.
	got := render(t, Options{IsTerm: true, TermWidth: 45, ProcessesOnly: true})
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if width(l) > 45 {
			t.Errorf("line wider than the terminal: %q", l)
		}
	}
	if got := render(t, Options{IsTerm: true, TermWidth: 40, NoTrunc: true}); !strings.Contains(got, `a\x0ab`) {
		t.Errorf("-u truncated:\n%s", got)
	}
}

func TestRawAndJSON(t *testing.T) {
	raw := render(t, Options{Format: Raw})
	if strings.Contains(raw, "─") || strings.Contains(raw, `\xe2\x94`) {
		t.Errorf("raw output holds tree art:\n%s", raw)
	}
	if !strings.Contains(raw, `4026532100 mnt 1 50 root \x1b[31mred\xe2\x80\xae\x20a\x0ab`) {
		t.Errorf("raw escapes:\n%s", raw)
	}
	for _, o := range []Options{{Format: JSON}, {Format: JSON, List: true}, {Format: JSON, Tree: TreeOwner}, {Format: JSON, OutputAll: true, Output: []string{"+FOUND,KERNELID"}}} {
		js := render(t, o)
		var doc struct {
			Namespaces []map[string]any `json:"namespaces"`
		}
		if err := json.Unmarshal([]byte(js), &doc); err != nil {
			t.Fatalf("%+v: invalid JSON: %v\n%s", o, err, js)
		}
		if strings.ContainsRune(js, 0x1b) || strings.ContainsRune(js, 0x202e) {
			t.Errorf("JSON carries raw control or bidi characters:\n%s", js)
		}
	}
	js := render(t, Options{Format: JSON, List: true, Output: []string{"NS,PID,COMMAND,FOUND"}})
	if !strings.Contains(js, `"command": "\u001b[31mred\u202e a\nb"`) || !strings.Contains(js, `"pid": null`) ||
		!strings.Contains(js, "\"found\": [\n             \"bind /run/netns/c\"\n         ]") {
		t.Errorf("JSON values:\n%s", js)
	}
}

func TestParseColumns(t *testing.T) {
	cols, err := ParseColumns("+pid,Found", []Column{ColNS})
	if err != nil || len(cols) != 3 || cols[1] != ColPID || cols[2] != ColFound {
		t.Errorf("ParseColumns(+pid,Found) = %v, %v", cols, err)
	}
	if _, err := ParseColumns("NS,BOGUS", nil); err == nil {
		t.Error("an unknown column was accepted")
	}
	if tr, err := ParseTree("=parent"); err != nil || tr != TreeParent {
		t.Errorf("ParseTree(=parent) = %v, %v", tr, err)
	}
}

// ns -J is lsns -J when names are valid UTF-8 (no *_b64 member); a name
// that is not comes again as exact bytes in COMMAND_b64 (and NSFS_b64 for
// a mount path), so that every byte value survives: JSON strings cannot
// hold invalid UTF-8, and lsns (and encoding/json) write U+FFFD instead.
func TestJSONLosslessNames(t *testing.T) {
	if js := render(t, Options{Format: JSON, Output: []string{"+NSFS"}}); strings.Contains(js, "_b64") {
		t.Errorf("valid names got a _b64 member:\n%s", js)
	}
	var all []byte
	for c := 1; c < 256; c++ {
		all = append(all, byte(c))
	}
	s := world()
	p, _ := s.Proc(50)
	p.Cmdline = []string{"\xff\xfe", string(all)}
	n, _ := s.Namespace(nsinfo.ID{Type: nsinfo.Net, Ino: 4026532101})
	n.Mounts = []tree.NSMount{{Path: "/run/netns/\xff"}, {Path: "/run/netns/ok"}}
	for _, o := range []Options{{Format: JSON, Output: []string{"NS,COMMAND,NSFS"}}, {Format: JSON, Tree: TreeOwner, Output: []string{"NS,COMMAND,NSFS"}}} {
		var b bytes.Buffer
		if err := Render(&b, s, o); err != nil {
			t.Fatal(err)
		}
		type nsJSON struct {
			NS         uint64   `json:"ns"`
			CommandB64 []byte   `json:"command_b64"`
			NSFSB64    []byte   `json:"nsfs_b64"`
			Children   []nsJSON `json:"children"`
		}
		var doc struct {
			Namespaces []nsJSON `json:"namespaces"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		found := 0
		for stack := doc.Namespaces; len(stack) > 0; {
			n := stack[len(stack)-1]
			stack = append(stack[:len(stack)-1], n.Children...)
			switch n.NS {
			case 4026532101:
				found++
				if string(n.NSFSB64) != "/run/netns/\xff\n/run/netns/ok" {
					t.Errorf("nsfs_b64 %q", n.NSFSB64)
				}
				fallthrough
			case 4026532100:
				if want := "\xff\xfe " + string(all); string(n.CommandB64) != want {
					t.Errorf("command_b64 %q, want %q", n.CommandB64, want)
				}
			default:
				if n.CommandB64 != nil || n.NSFSB64 != nil {
					t.Errorf("namespace %d: a _b64 member for a valid name", n.NS)
				}
			}
		}
		if found != 1 {
			t.Errorf("%+v: the net namespace is listed %d times:\n%s", o, found, b.String())
		}
	}
}
