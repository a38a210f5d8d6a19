package tree

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
)

// Seed corpora in testdata/fuzz are written from the seeds below by
// `go test ./pkg/tree -run TestSeedCorpus -update-seeds`.

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

func checkBounded(t *testing.T, n int, used uint64, factor int) {
	t.Helper()
	if limit := uint64(factor*n + 256<<10); used > limit {
		t.Fatalf("%d bytes of input allocated %d bytes (limit %d)", n, used, limit)
	}
}

var big = strings.Repeat("9", 5000)

func cmdlineSeeds() map[string]string {
	return map[string]string{
		"empty":        "",
		"one":          "sleep\x00",
		"args":         "/bin/sh\x00-c\x00echo hi\x00",
		"no-final-nul": "noeol\x00arg",
		"empty-args":   "x\x00\x00\x00",
		"only-nul":     "\x00",
		"nul-laden":    strings.Repeat("\x00", 100),
		"over-4k":      strings.Repeat("a", 5000) + "\x00" + strings.Repeat("b\x00", 1000),
		"over-64k":     strings.Repeat("c", 70000) + "\x00",
		"escapes":      "\x1b]0;TITLE\a\x1b[2J\x00line2\nx\x00",
		"invalid-utf8": "\xff\xfe\x00\x80\x00",
	}
}

// FuzzSplitCmdline: the arguments joined by NUL are the input, less one
// final NUL, cut at maxCmdline; unterminated says the input did not end in
// NUL.
func FuzzSplitCmdline(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var args []string
		var unterminated bool
		checkBounded(t, len(b), testenv.Allocated(func() { args, unterminated = splitCmdline(b) }), 4)
		if args == nil {
			t.Fatal("nil: an empty command line must be empty, not unread")
		}
		if unterminated != (len(b) > 0 && b[len(b)-1] != 0) {
			t.Fatalf("splitCmdline(%q): unterminated %v", b, unterminated)
		}
		if len(b) == 0 {
			if len(args) != 0 {
				t.Fatalf("empty input gave %q", args)
			}
			return
		}
		want := b[:min(len(b), maxCmdline)]
		if want[len(want)-1] == 0 {
			want = want[:len(want)-1]
		}
		if got := strings.Join(args, "\x00"); got != string(want) {
			t.Fatalf("splitCmdline(%q) = %q", b, args)
		}
	})
}

func cgroupSeeds() map[string]string {
	return map[string]string{
		"empty":      "",
		"v2":         "0::/user.slice/user-0.slice/session-1.scope\n",
		"v1":         "12:pids:/user.slice\n11:memory:/user.slice\n1:name=systemd:/init.scope\n",
		"hybrid":     "1:name=systemd:/init.scope\n0::/init.scope\n",
		"colons":     "0::/a:b:c\n",
		"no-newline": "0::/x",
		"truncated":  "0::",
		"nul-laden":  "0::/\x00\x00\n\x00",
		"over-4k":    "0::/" + strings.Repeat("d/", 2600) + "\n",
		"overflow":   big + "::/x\n",
		"garbage":    "::::\n:\n\n",
	}
}

// FuzzCgroupPath: the path is one line of the input, after two colons.
func FuzzCgroupPath(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var p string
		checkBounded(t, len(b), testenv.Allocated(func() { p = cgroupPath(b) }), 2)
		if strings.Contains(p, "\n") || !strings.Contains(string(b), p) {
			t.Fatalf("cgroupPath(%q) = %q", b, p)
		}
	})
}

// memFiles is a one-process proc filesystem in memory.
type memFiles struct {
	pid   int
	files map[string][]byte
	links map[string]string
}

func (m *memFiles) OpenProc(pid int) (nsinfo.ProcDir, error) {
	if pid != m.pid {
		return nil, &fs.PathError{Op: "open", Path: fmt.Sprint(pid), Err: syscall.ENOENT}
	}
	return m, nil
}
func (m *memFiles) ReadDirNames(name string) ([]string, error) {
	if name == "." {
		return []string{fmt.Sprint(m.pid), "self"}, nil
	}
	var names []string
	for f := range m.files {
		if rest, ok := strings.CutPrefix(f, name+"/"); ok {
			names = append(names, strings.SplitN(rest, "/", 2)[0])
		}
	}
	sort.Strings(names)
	return names, nil
}
func (m *memFiles) Readlink(name string) (string, error) {
	if s, ok := m.links[name]; ok {
		return s, nil
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: syscall.ENOENT}
}
func (m *memFiles) ReadFile(name string, buf []byte) ([]byte, error) {
	b, ok := m.files[name]
	if !ok {
		return buf[:0], &fs.PathError{Op: "open", Path: name, Err: syscall.ENOENT}
	}
	return append(buf[:0], b...), nil
}
func (m *memFiles) Owner() (uint32, error) { return 0, nil }
func (m *memFiles) Close() error           { return nil }

func scanSeeds() map[string][5]string {
	st := statOf(7, "x", 'S', 1, 7, 7, 3, 99)
	sts := statusOf(fproc{pid: 7, comm: "x", state: 'S', nspid: []int{7, 1}})
	return map[string][5]string{
		"good":       {st, sts, "x\x00", "0::/\n", "pid:[5]"},
		"empty":      {"", "", "", "", ""},
		"1 (x)":      {"1 (x)", sts, "", "", "pid:[5]"},
		")(":         {")(", ")(", ")(", ")(", ")("},
		"nul":        {"\x00\x00", "\x00", "\x00", "\x00", "\x00"},
		"paren-name": {statOf(7, "a) S 1 x\n", 'S', 1, 7, 7, 1, 9), sts, "a\x00", "", "pid:[5]"},
		"truncated":  {st[:30], sts[:40], "x", "0:", "pid:[5"},
		"over-4k":    {statOf(7, strings.Repeat("n", 5000), 'S', 1, 7, 7, 1, 9), sts + strings.Repeat("Pad:\t0\n", 700), strings.Repeat("a\x00", 3000), "0::/" + strings.Repeat("x", 5000) + "\n", "pid:[" + big + "]"},
		"overflow":   {"7 (x) S " + big + " 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 0\n", "NSpid:\t" + big + "\n", "", "", "pid:[18446744073709551616]"},
		"wrong-pid":  {st, "NSpid:\t8\t1\n", "", "", "net:[5]"},
	}
}

// FuzzScanProcess scans one process whose stat, status, cmdline, cgroup
// and namespace links hold anything: the scan never fails, and the
// process is left out or shown with facts its files say.
func FuzzScanProcess(f *testing.F) {
	f.Fuzz(func(t *testing.T, stat, status, cmdline, cgroup []byte, link string) {
		m := &memFiles{pid: 7, files: map[string][]byte{
			"stat": stat, "status": status, "cmdline": cmdline, "cgroup": cgroup,
			"task/7/stat": stat, "task/8/stat": stat,
		}, links: map[string]string{}}
		for _, typ := range nsinfo.Types {
			m.links["ns/"+typ.String()] = strings.Replace(link, "pid", typ.String(), 1)
		}
		m.links["ns/pid_for_children"] = link
		proc := &nsinfo.ProcFS{Path: "/fuzz", Files: m}
		var s *Snapshot
		var err error
		n := len(stat)*2 + len(status) + len(cmdline) + len(cgroup) + len(link)*9
		checkBounded(t, n, testenv.Allocated(func() { s, err = Scan(proc, Everything()) }), 8)
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		u := s.Unreadable
		if len(s.Processes) == 0 && u.Vanished+u.Hidden+u.Failed != 1 || len(s.Processes) == 1 && u.Vanished+u.Hidden != 0 || len(s.Processes) > 1 {
			t.Fatalf("one process gave %d shown and %+v", len(s.Processes), s.Unreadable)
		}
		if len(s.Processes) == 1 {
			p := &s.Processes[0]
			st, err := nsinfo.ParseStat(stat)
			if err != nil || p.Comm != st.Comm || p.PPID != st.PPID {
				t.Fatalf("shown %+v from a stat that parses as %+v, %v", p, st, err)
			}
			if len(p.NSpid) > 0 && p.NSpid[0] != 7 {
				t.Fatalf("NSpid %v", p.NSpid)
			}
			checkViews(t, s)
		}
		for _, e := range s.Unreadable.Errors {
			if strings.Contains(e, "\n") {
				t.Fatalf("error on two lines: %q", e)
			}
		}
	})
}

func snapshotSeeds() map[string]string {
	valid := func(name string, opts Options) string {
		proc, err := nsinfo.NewProcFS(filepath.Join("testdata", name))
		if err != nil {
			panic(err)
		}
		s, err := Scan(proc, opts)
		if err != nil {
			panic(err)
		}
		// Nothing that depends on when and where the test runs.
		s.Taken, s.ProcPath = time.Unix(1700000000, 0).UTC(), "/proc"
		for i := range s.Processes {
			s.Processes[i].UID = 0
		}
		var b bytes.Buffer
		if err := s.WriteJSON(&b); err != nil {
			panic(err)
		}
		return b.String()
	}
	nested := valid("proc-nested", Everything())
	return map[string]string{
		"empty":         "",
		"null":          "null",
		"minimal":       `{"schema":1}`,
		"nested":        nested,
		"hard":          valid("proc-hard", Everything()),
		"truncated":     nested[:len(nested)/2],
		"nul-laden":     "{\"schema\":1,\"processes\":[{\"pid\":1,\"comm\":\"\\u0000\\u0000\"}]}\x00\x00",
		"overflow":      `{"schema":1,"processes":[{"pid":` + big + `}]}`,
		"overflow-ino":  `{"schema":1,"namespaces":[{"type":"pid","ino":18446744073709551616}]}`,
		"cycle":         `{"schema":1,"processes":[{"pid":5,"ppid":6,"nspid":[5]},{"pid":6,"ppid":5,"nspid":[6]}]}`,
		"ns-cycle":      `{"schema":1,"processes":[{"pid":1,"nspid":[1],"ns":{"pid":10}},{"pid":2,"nspid":[2,1],"ns":{"pid":11}}],"namespaces":[{"type":"pid","ino":10,"parent":11,"level":0},{"type":"pid","ino":11,"parent":10,"level":5}]}`,
		"deep-nspid":    `{"schema":1,"processes":[{"pid":9,"nspid":[9,8,7,6,5,4,3,2,1],"ns":{"pid":3}}],"namespaces":[{"type":"pid","ino":3,"level":99}]}`,
		"b64":           `{"schema":1,"processes":[{"pid":1,"comm":"?","comm_b64":"/w==","cmdline":["a"],"cmdline_b64":["/w=="],"cgroup_b64":"gA==","threads":[{"tid":2,"comm_b64":"/w=="}]}]}`,
		"over-4k-names": `{"schema":1,"processes":[{"pid":1,"comm":"` + strings.Repeat("n", 5000) + `"}]}`,
		"dup-pid":       `{"schema":1,"processes":[{"pid":1},{"pid":1}]}`,
		"neg-level":     `{"schema":1,"processes":[{"pid":1,"nspid":[1],"ns":{"pid":3}}],"namespaces":[{"type":"pid","ino":3,"level":-7}]}`,
	}
}

// FuzzReadSnapshot decodes anything: a snapshot is either refused with an
// error or shown by every view, and it round-trips.
func FuzzReadSnapshot(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var s *Snapshot
		var err error
		used := testenv.Allocated(func() {
			s, err = ReadSnapshot(bytes.NewReader(b))
			if err == nil {
				s.HostView().Tree()
				s.NamespaceTree()
			}
		})
		checkBounded(t, len(b), used, 512)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on two lines: %q", err)
			}
			return
		}
		checkViews(t, s)
		var out bytes.Buffer
		if err := s.WriteJSON(&out); err != nil {
			if errors.Is(err, ErrInvalid) {
				return
			}
			// json cannot write what it read only for times out of range.
			if strings.Contains(err.Error(), "Time.MarshalJSON") {
				return
			}
			t.Fatalf("WriteJSON of a decoded snapshot: %v", err)
		}
		back, err := ReadSnapshot(&out)
		if err != nil {
			t.Fatalf("a written snapshot does not read back: %v", err)
		}
		sameSnapshot(t, back, s)
	})
}

// checkViews shows a snapshot in every view, as the renderers would.
func checkViews(t *testing.T, s *Snapshot) {
	t.Helper()
	checkTree(t, s.HostView(), s.HostView().Tree())
	nt := s.NamespaceTree()
	seen := 0
	for i, n := range nt.Nodes {
		seen += len(n.Members)
		if i > 50 {
			break
		}
		v, err := s.InsideView(n.NS)
		if err != nil {
			continue
		}
		checkTree(t, v, v.Tree())
	}
	for _, p := range s.Processes[:min(len(s.Processes), 20)] {
		if v, err := s.InsideViewOf(p.PID); err == nil {
			checkTree(t, v, v.Tree())
		}
	}
	if len(nt.Nodes) <= 51 && seen+len(nt.Unknown) != len(s.Processes) {
		t.Fatalf("namespace tree holds %d processes of %d", seen+len(nt.Unknown), len(s.Processes))
	}
}

func seedFile(args ...[]byte) string {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		fmt.Fprintf(&b, "[]byte(%q)\n", a)
	}
	return b.String()
}

func TestSeedCorpus(t *testing.T) {
	corpora := map[string]map[string]string{}
	one := func(seeds map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range seeds {
			m[k] = seedFile([]byte(v))
		}
		return m
	}
	corpora["FuzzSplitCmdline"] = one(cmdlineSeeds())
	corpora["FuzzCgroupPath"] = one(cgroupSeeds())
	corpora["FuzzReadSnapshot"] = one(snapshotSeeds())
	corpora["FuzzMountinfo"] = one(mountinfoSeeds())
	m := map[string]string{}
	for k, v := range scanSeeds() {
		m[k] = seedFile([]byte(v[0]), []byte(v[1]), []byte(v[2]), []byte(v[3])) + fmt.Sprintf("string(%q)\n", v[4])
	}
	corpora["FuzzScanProcess"] = m
	for target, seeds := range corpora {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, data := range seeds {
			path := filepath.Join(dir, "seed-"+strings.NewReplacer(" ", "_", "(", "_", ")", "_").Replace(name))
			if *updateSeeds {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			switch {
			case err != nil:
				t.Errorf("%s is missing (%v): run go test ./pkg/tree -run TestSeedCorpus -update-seeds", path, err)
			case string(got) != data && target != "FuzzReadSnapshot":
				// Snapshot seeds are scans of the fixtures, which change
				// whenever the snapshot gains a field; an older one is
				// still a good seed (and tests reading old snapshots).
				t.Errorf("%s is stale: run go test ./pkg/tree -run TestSeedCorpus -update-seeds", path)
			}
		}
	}
}
