package nsinfo

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/testenv"
)

// The seed corpora in testdata/fuzz are written from the seeds below by
// `go test ./pkg/nsinfo -run TestSeedCorpus -update-seeds`; TestSeedCorpus
// checks that they match. `go test` runs every seed as a test case;
// `go test -fuzz FuzzParseStat` (or `make fuzz`, scripts/fuzz.sh) explores
// from them.

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// checkBounded fails when parsing n bytes allocated more than a few times
// n: a parser's memory must be bounded by its input's size.
func checkBounded(t *testing.T, n int, used uint64) {
	t.Helper()
	if limit := uint64(4*n + 16<<10); used > limit {
		t.Fatalf("parsing %d bytes allocated %d bytes (limit %d)", n, used, limit)
	}
}

var big = strings.Repeat("9", 5000) // > 4 KiB, and overflows every integer

func statSeeds() map[string]string {
	good := "4150 (sleep) S 4149 4150 4100 34816 -1 4194560 100 0 0 0 3 4 0 0 20 0 1 0 987654 5428 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	return map[string]string{
		"empty":          "",
		"good":           good,
		"truncated":      good[:len(good)/3],
		"truncated-22":   good[:strings.Index(good, "987654")+3],
		"nul":            strings.Repeat("\x00", 64),
		"nul-in-fields":  strings.ReplaceAll(good, " ", "\x00"),
		"over-4k-name":   "7 (" + strings.Repeat("n", 5000) + ") S 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 0\n",
		"over-4k-tail":   good[:len(good)-1] + strings.Repeat(" 0", 3000) + "\n",
		"overflow-pid":   big + " (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 0\n",
		"overflow-ppid":  "5 (x) S 18446744073709551616 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 0\n",
		"overflow-start": "5 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 " + big + " 0\n",
		"1 (x)":          "1 (x)",
		")(":             ")(",
		"paren-name":     "5 (a)b) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 0\n",
		"fake-fields":    "5 (a) S 1 x) R 2 5 5 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 0\n",
		"newline-name":   "5 (a\nb) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 0\n",
		"escape-name":    "5 (\x1b[31mA\nB\x1b[2JC) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 0\n",
		"negative":       "-5 (x) S -1 -1 -1 -1 -1 0 0 0 0 0 -1 2 0 0 20 0 -1 0 9 0\n",
		"only-open":      "5 (",
		"no-space":       "5(x)S 1 1 1",
	}
}

func FuzzParseStat(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Stat
		var err error
		checkBounded(t, len(b), testenv.Allocated(func() { s, err = ParseStat(b) }))
		if err != nil {
			return
		}
		if s.PID <= 0 || !strings.Contains(string(b), "("+s.Comm+")") || s.State == 0 {
			t.Fatalf("ParseStat(%q) = %+v", b, s)
		}
		// What was parsed, written back as the kernel would, parses the same.
		line := fmt.Sprintf("%d (%s) %s %d %d %d %d -1 %d 0 0 0 0 %d %d 0 0 20 0 %d 0 %d 0\n",
			s.PID, s.Comm, string([]byte{s.State}), s.PPID, s.PGID, s.SID, s.TTY, s.Flags, s.UTime, s.STime, s.NumThreads, s.StartTime)
		again, err := ParseStat([]byte(line))
		if err != nil || again != s {
			t.Fatalf("ParseStat(%q) = %+v, but its rewrite %q gives %+v, %v", b, s, line, again, err)
		}
	})
}

func statusSeeds() map[string]string {
	head := "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4150\nPid:\t4150\nPPid:\t4149\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
	good := head + "NStgid:\t4150\t4\t2\nNSpid:\t4150\t4\t2\nNSpgid:\t4150\t4\t2\nNSsid:\t4150\t4\t2\nThreads:\t1\n"
	return map[string]string{
		"empty":           "",
		"good":            good,
		"no-nspid":        head + "Threads:\t1\n",
		"truncated":       good[:strings.Index(good, "NSpid:")+10],
		"truncated-start": good[:7],
		"nul":             strings.Repeat("\x00", 64),
		"nul-in-nspid":    head + "NSpid:\t4150\x004\n",
		"over-4k":         head + "NSpid:\t" + strings.Repeat("1\t", 2500) + "\n",
		"over-4k-name":    "Name:\t" + strings.Repeat("x", 5000) + "\n" + good,
		"overflow-nspid":  "NSpid:\t" + big + "\n",
		"overflow-uid":    "Uid:\t4294967296\t0\t0\t0\nNSpid:\t1\n",
		"33-levels":       "NSpid:\t" + strings.Repeat("7\t", 32) + "1\n",
		"34-levels":       "NSpid:\t" + strings.Repeat("7\t", 33) + "1\n",
		"empty-nspid":     "NSpid:\n",
		"zero":            "NSpid:\t0\n",
		"two-nspid":       "NSpid:\t5\nNSpid:\t6\t1\n",
		"name-lookalike":  "Name:\tx\nNSpid:\t5\n",
		"crlf":            "NSpid:\t5\r\n",
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Status
		var err error
		checkBounded(t, len(b), testenv.Allocated(func() { s, err = ParseStatus(b) }))
		if err != nil {
			return
		}
		if len(s.NSpid) > MaxNSpid {
			t.Fatalf("NSpid of %d entries", len(s.NSpid))
		}
		for _, n := range s.NSpid {
			if n <= 0 {
				t.Fatalf("NSpid entry %d", n)
			}
		}
		if s.NSpid != nil && !strings.Contains(string(b), "NSpid:") {
			t.Fatalf("NSpid %v from a file without an NSpid line", s.NSpid)
		}
	})
}

func linkSeeds() map[string]string {
	return map[string]string{
		"empty":     "",
		"pid":       "pid:[4026531836]",
		"every":     "time:[4026531834]",
		"truncated": "pid:[40265",
		"nul":       "pid:[\x00]",
		"over-4k":   "pid:[" + big + "]",
		"overflow":  "net:[18446744073709551616]",
		"max":       "net:[18446744073709551615]",
		"zero":      "pid:[0]",
		"lead-zero": "pid:[01]",
		"brackets":  "pid:[]]",
		"socket":    "socket:[12345]",
		"upper":     "PID:[1]",
		"colons":    "pid::[1]",
	}
}

func FuzzParseID(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		var id ID
		var err error
		checkBounded(t, len(s), testenv.Allocated(func() { id, err = ParseID(s) }))
		if err != nil {
			if !strings.Contains(err.Error(), "not a namespace link") {
				t.Fatalf("error %v does not say why", err)
			}
			return
		}
		if id.IsZero() || id.Type.Index() < 0 || id.String() != s {
			t.Fatalf("ParseID(%q) = %v (%s)", s, id, id)
		}
	})
}

// TestParseLinkAgrees holds ParseLink, the allocation-free parser of fd
// discovery, to ParseID on every seed of FuzzParseID and on the links an
// fd table holds, and checks it allocates nothing.
func TestParseLinkAgrees(t *testing.T) {
	links := []string{"/dev/null", "pipe:[4912193]", "socket:[77]", "anon_inode:[eventfd]",
		"anon_inode:inotify", "net:[4026532281]", "mnt:[4026531841]", "time:[4026531834]"}
	for _, s := range linkSeeds() {
		links = append(links, s)
	}
	for _, s := range links {
		want, err := ParseID(s)
		got, ok := ParseLink([]byte(s))
		if ok != (err == nil) || got != want {
			t.Errorf("ParseLink(%q) = %v, %v; ParseID: %v, %v", s, got, ok, want, err)
		}
		b := []byte(s)
		if n := testing.AllocsPerRun(10, func() { ParseLink(b) }); n != 0 {
			t.Errorf("ParseLink(%q) allocates %v times", s, n)
		}
	}
}

// seedFile is one seed in the format go test reads from testdata/fuzz.
func seedFile(args ...any) string {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch a := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", a)
		case string:
			fmt.Fprintf(&b, "string(%q)\n", a)
		}
	}
	return b.String()
}

func TestSeedCorpus(t *testing.T) {
	corpora := map[string]map[string]string{}
	add := func(target string, seeds map[string]string, asString bool) {
		m := map[string]string{}
		for name, s := range seeds {
			if asString {
				m[name] = seedFile(s)
			} else {
				m[name] = seedFile([]byte(s))
			}
		}
		corpora[target] = m
	}
	add("FuzzParseStat", statSeeds(), false)
	add("FuzzParseStatus", statusSeeds(), false)
	add("FuzzParseID", linkSeeds(), true)
	syncCorpora(t, corpora)
}

// syncCorpora writes (with -update-seeds) or checks each target's seeds.
func syncCorpora(t *testing.T, corpora map[string]map[string]string) {
	for target, seeds := range corpora {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, data := range seeds {
			name = "seed-" + strings.Map(func(r rune) rune {
				if r == ' ' || r == '(' || r == ')' {
					return '_'
				}
				return r
			}, name)
			path := filepath.Join(dir, name)
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
			if err != nil || string(got) != data {
				t.Errorf("%s is missing or stale (%v): run go test -run TestSeedCorpus -update-seeds", path, err)
			}
		}
		entries, _ := os.ReadDir(dir)
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "seed-") }) {
			t.Errorf("%s holds no seed", dir)
		}
	}
}
