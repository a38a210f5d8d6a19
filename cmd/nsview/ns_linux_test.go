package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// runWorld runs testdata/ns-world.sh as PID 1 of a fresh PID namespace and
// returns its output directory and facts.
func runWorld(t *testing.T) (string, map[string]string) {
	t.Helper()
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "lsns", "pgrep", "bash")
	out := t.TempDir()
	script, err := filepath.Abs("testdata/ns-world.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "bash", script, out, nsviewBin)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ns-world.sh: %v\n%s", err, b)
	}
	facts := map[string]string{}
	b, err := os.ReadFile(filepath.Join(out, "facts"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		facts[k] = v
	}
	t.Cleanup(func() { checkGone(t, facts) })
	return out, facts
}

// checkGone fails if a namespace the world made outlives it. The kernel
// frees a network namespace in a work queue, so this waits for it.
func checkGone(t *testing.T, facts map[string]string) {
	t.Helper()
	want := map[nsinfo.ID]bool{}
	for _, k := range []string{"fdnet", "deadpid", "nest1", "nest2"} {
		if id, err := nsinfo.ParseID(facts[k]); err == nil {
			want[id] = true
		}
	}
	if n, err := strconv.ParseUint(facts["bindnet"], 10, 64); err == nil {
		want[nsinfo.ID{Type: nsinfo.Net, Ino: n}] = true
	}
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := tree.Scan(proc, tree.Options{Namespaces: true, Discover: true, Mounts: true, Hierarchy: true})
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for id := range want {
			if _, ok := s.Namespace(id); ok {
				left = append(left, id.String())
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("namespaces outlived the test: %v", left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readOut(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rawGlyphs is the tree art lsns 2.38 leaks into raw fields, escaped.
var rawGlyphs = regexp.MustCompile(`(?m) ((?:\\xe2\\x94\\x82\\x20|\\x20\\x20)*(?:\\xe2\\x94\\x9c|\\xe2\\x94\\x94)\\xe2\\x94\\x80)`)

// TestNSMatchesLsns compares nsview ns with lsns 2.38 on the same processes,
// flag by flag: byte for byte where lsns is right, and where it is wrong,
// with lsns's mistake taken out.
func TestNSMatchesLsns(t *testing.T) {
	out, facts := runWorld(t)
	same := []string{"default", "json", "list", "listjson", "noheadings", "columns", "columnsjson",
		"all", "alljson", "plus", "net", "netjson", "netraw", "task", "nsarg", "nsargjson"}
	for _, name := range same {
		t.Run(name, func(t *testing.T) {
			want, got := readOut(t, out, name+".lsns"), readOut(t, out, name+".nsview")
			if rc := strings.TrimSpace(readOut(t, out, name+".nsview.rc")); rc != "0" {
				t.Fatalf("nsview exit %s: %s", rc, readOut(t, out, name+".nsview.err"))
			}
			if got != want {
				t.Errorf("nsview differs from lsns\n--- lsns\n%s--- nsview\n%s", want, got)
			}
		})
	}
	t.Run("raw", func(t *testing.T) {
		// lsns -r leaks the process tree's glyphs into COMMAND.
		want := rawGlyphs.ReplaceAllString(readOut(t, out, "raw.lsns"), " ")
		if got := readOut(t, out, "raw.nsview"); got != want {
			t.Errorf("nsview -r differs from lsns -r without its tree glyphs\n--- lsns\n%s--- nsview\n%s", want, got)
		}
	})
	t.Run("tree=parent", func(t *testing.T) {
		// lsns -t pid --tree=parent adds user namespace rows (with
		// NPROCS 0) that -t pid did not ask for.
		var keep []string
		for _, l := range strings.SplitAfter(readOut(t, out, "pidtree.lsns"), "\n") {
			if f := strings.Fields(l); len(f) > 1 && f[1] == "user" {
				continue
			}
			keep = append(keep, l)
		}
		// Without them TYPE may be narrower: compare the fields.
		want := squeeze(strings.Join(keep, ""))
		got := readOut(t, out, "pidtree.nsview")
		if squeeze(got) != want {
			t.Errorf("nsview --tree=parent differs from lsns without its user rows\n--- lsns\n%s--- nsview\n%s", want, got)
		}
		if !strings.Contains(got, "└─"+strings.Trim(facts["nest2"], "pid:[]")) {
			t.Errorf("the innermost PID namespace %s is not nested:\n%s", facts["nest2"], got)
		}
		if alt := readOut(t, out, "pidtree-T.nsview"); alt != got {
			t.Errorf("-T parent differs from --tree=parent:\n%s", alt)
		}
	})
}

var spaces = regexp.MustCompile(` +`)

func squeeze(s string) string { return spaces.ReplaceAllString(s, " ") }

type lsnsRow struct {
	NS       uint64   `json:"ns"`
	Type     string   `json:"type"`
	NProcs   int      `json:"nprocs"`
	PID      *int     `json:"pid"`
	PNS      uint64   `json:"pns"`
	NSFS     *string  `json:"nsfs"`
	NetNSID  *string  `json:"netnsid"`
	Found    []string `json:"found"`
	KernelID *uint64  `json:"kernelid"`
}

// TestNSDiscovers checks the namespaces lsns 2.38 misses: one held only by
// a bind mount, one only by an open fd, and a PID namespace held by an fd
// whose parent only NS_GET_PARENT reveals.
func TestNSDiscovers(t *testing.T) {
	out, facts := runWorld(t)
	if rc := strings.TrimSpace(readOut(t, out, "discovered.rc")); rc != "0" {
		t.Fatalf("nsview exit %s: %s", rc, readOut(t, out, "discovered.err"))
	}
	var doc struct {
		Namespaces []lsnsRow `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(readOut(t, out, "discovered.json")), &doc); err != nil {
		t.Fatalf("nsview -J: %v", err)
	}
	byID := map[nsinfo.ID]lsnsRow{}
	for _, r := range doc.Namespaces {
		typ, err := nsinfo.ParseType(r.Type)
		if err != nil {
			t.Fatal(err)
		}
		byID[nsinfo.ID{Type: typ, Ino: r.NS}] = r
	}
	find := func(id nsinfo.ID, how string) lsnsRow {
		t.Helper()
		r, ok := byID[id]
		if !ok {
			t.Fatalf("%s is not listed:\n%s", id, readOut(t, out, "discovered.txt"))
		}
		if r.NProcs != 0 || r.PID != nil {
			t.Errorf("%s: nprocs %d pid %v, want 0 and null", id, r.NProcs, r.PID)
		}
		if len(r.Found) != 1 || r.Found[0] != how {
			t.Errorf("%s: found %q, want %q", id, r.Found, how)
		}
		if r.KernelID == nil {
			t.Errorf("%s: no kernel id", id)
		}
		return r
	}
	bind, _ := strconv.ParseUint(facts["bindnet"], 10, 64)
	r := find(nsinfo.ID{Type: nsinfo.Net, Ino: bind}, "bind "+facts["bindpath"])
	if r.NSFS == nil || *r.NSFS != facts["bindpath"] {
		t.Errorf("bind-mounted netns: NSFS %v, want %s", r.NSFS, facts["bindpath"])
	}
	if r.NetNSID == nil || *r.NetNSID != "unassigned" {
		t.Errorf("bind-mounted netns: NETNSID %v, want unassigned", r.NetNSID)
	}
	fdnet, err := nsinfo.ParseID(facts["fdnet"])
	if err != nil {
		t.Fatal(err)
	}
	find(fdnet, "fd "+facts["holder"]+"/7")
	dead, err := nsinfo.ParseID(facts["deadpid"])
	if err != nil {
		t.Fatal(err)
	}
	d := find(dead, "fd "+facts["pholder"]+"/8")
	if d.PNS == 0 {
		t.Fatalf("%s: no parent", dead)
	}
	find(nsinfo.ID{Type: nsinfo.PID, Ino: d.PNS}, "hierarchy")
}

// TestNSNewlineName: lsns 2.38 exits 1 with no output when a process name
// holds a newline; nsview lists it, escaped.
func TestNSNewlineName(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "lsns", "bash")
	dir := t.TempDir()
	bin := filepath.Join(dir, "a\nb")
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	script := `"$BIN" 1000 & P=$!
for _ in $(seq 1 400); do [ "$(cat /proc/$P/comm)" = "$(printf 'a\nb')" ] && break; sleep 0.025; done
NS=$(readlink /proc/$P/ns/pid | tr -dc 0-9)
lsns -o PID,COMMAND $NS > "$OUT/lsns" 2>&1; echo $? > "$OUT/lsns.rc"
"$NSVIEW" ns -o PID,COMMAND $NS > "$OUT/nsview" 2>&1; echo $? > "$OUT/nsview.rc"
"$NSVIEW" ns -J -l -o PID,COMMAND $NS > "$OUT/nsview.json" 2>&1
kill $P`
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "bash", "-c", script)
	cmd.Env = append(os.Environ(), "BIN="+bin, "OUT="+dir, "NSVIEW="+nsviewBin, "LANG=C.UTF-8")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if rc := strings.TrimSpace(readOut(t, dir, "lsns.rc")); rc != "1" {
		t.Logf("lsns exit %s (2.38 exits 1 here; a fixed lsns may not)", rc)
	}
	if rc := strings.TrimSpace(readOut(t, dir, "nsview.rc")); rc != "0" {
		t.Fatalf("nsview exit %s: %s", rc, readOut(t, dir, "nsview"))
	}
	// The name is argv[0]: the path, with its newline escaped.
	if got := readOut(t, dir, "nsview"); !strings.Contains(got, `a\x0ab 1000`) {
		t.Errorf("nsview did not list the process with its newline escaped:\n%s", got)
	}
	var doc struct {
		Namespaces []struct {
			Command string `json:"command"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(readOut(t, dir, "nsview.json")), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range doc.Namespaces {
		found = found || strings.HasSuffix(n.Command, "a\nb 1000")
	}
	if !found {
		t.Errorf("JSON lost the name:\n%s", readOut(t, dir, "nsview.json"))
	}
}

// TestNSDiscoversFDOfPID2: in a PID namespace, PID 2 is an ordinary
// process (here the command of nsview spawn), not kthreadd: a namespace
// only its fd holds is found.
func TestNSDiscoversFDOfPID2(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare", "bash")
	dir := t.TempDir()
	script := `unshare --net sleep 1000 & h=$!
for _ in $(seq 1 400); do [ "$(readlink /proc/$h/ns/net)" != "$(readlink /proc/self/ns/net)" ] && [ "$(cat /proc/$h/comm)" = sleep ] && break; sleep 0.025; done
readlink /proc/$h/ns/net > "$OUT/fdnet"
exec 7</proc/$h/ns/net
kill $h; wait $h
echo $$ > "$OUT/self"
"$NSVIEW" ns -J -t net -o NS,TYPE,NPROCS,FOUND > "$OUT/ns.json" 2> "$OUT/ns.err" 7<&-`
	cmd := exec.Command(nsviewBin, "spawn", "--", "bash", "-c", script)
	cmd.Env = append(os.Environ(), "OUT="+dir, "NSVIEW="+nsviewBin)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if self := strings.TrimSpace(readOut(t, dir, "self")); self != "2" {
		t.Fatalf("the command is PID %s inside, want 2", self)
	}
	fdnet, err := nsinfo.ParseID(strings.TrimSpace(readOut(t, dir, "fdnet")))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Namespaces []lsnsRow `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(readOut(t, dir, "ns.json")), &doc); err != nil {
		t.Fatalf("nsview ns -J: %v; stderr: %s", err, readOut(t, dir, "ns.err"))
	}
	for _, r := range doc.Namespaces {
		if r.NS == fdnet.Ino {
			if len(r.Found) != 1 || r.Found[0] != "fd 2/7" {
				t.Errorf("%s: found %q, want [fd 2/7]", fdnet, r.Found)
			}
			return
		}
	}
	t.Errorf("%s, held by fd 7 of PID 2, is not listed: %+v", fdnet, doc.Namespaces)
}
