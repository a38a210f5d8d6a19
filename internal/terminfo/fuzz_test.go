package terminfo

import (
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/testenv"
)

// A compiled terminfo entry is read from wherever $TERMINFO, ~/.terminfo
// or $TERMINFO_DIRS point: bytes nsview did not write. Parse and what
// pstree's -H highlight takes from an entry (Bold, ExitAttributes, which
// evaluates sgr with Tparm) must never panic, and use memory in proportion
// to the entry.

// entry builds a compiled entry (legacy format) with the given names and
// string capabilities.
func entry(names string, strs map[int]string) []byte {
	n := 0
	for i := range strs {
		n = max(n, i+1)
	}
	var table []byte
	offs := make([]int16, n)
	for i := range offs {
		offs[i] = -1
	}
	for i, s := range strs {
		offs[i] = int16(len(table))
		table = append(table, s...)
		table = append(table, 0)
	}
	b := make([]byte, 12)
	for i, v := range []int{0o432, len(names) + 1, 0, 0, n, len(table)} {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	b = append(b, names...)
	b = append(b, 0)
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	for _, o := range offs {
		b = binary.LittleEndian.AppendUint16(b, uint16(o))
	}
	return append(b, table...)
}

func parseSeeds() [][]byte {
	sgr := "%?%p9%t\x1b(0%e\x1b(B%;\x1b[0%?%p6%t;1%;%?%p2%t;4%;%?%p1%p3%|%t;7%;m"
	good := entry("test|a test terminal", map[int]string{capSmacs: "\x1b(0", capBold: "\x1b[1m", capRmacs: "\x1b(B", capSgr0: "\x1b(B\x1b[m", capSgr: sgr})
	seeds := [][]byte{
		nil,
		good,
		good[:len(good)/2],
		good[:12],
		[]byte(strings.Repeat("\x00", 64)),
		entry(strings.Repeat("n", 5000), map[int]string{capBold: strings.Repeat("%p1%d", 1000)}),
		entry("huge-width", map[int]string{capSgr0: "\x1b[m", capSgr: strings.Repeat("%p1%999999d", 200)}),
		entry("delays", map[int]string{capBold: "\x1b[1m$<5*/>", capSgr0: "$<" + strings.Repeat("9", 5000) + ">"}),
		entry("bad-sgr", map[int]string{capSgr0: "\x1b[m", capSgr: "%p0%?%t%e"}),
	}
	neg := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(neg[8:], 0x8000) // a negative count of strings
	seeds = append(seeds, neg)
	for _, dir := range []string{"/lib/terminfo", "/usr/share/terminfo"} {
		for _, name := range []string{"x/xterm-256color", "l/linux", "v/vt100", "s/screen"} {
			if b, err := os.ReadFile(dir + "/" + name); err == nil {
				seeds = append(seeds, b)
			}
		}
	}
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var bold, exit string
		used := testenv.Allocated(func() {
			term, err := Parse(b)
			if err != nil {
				return
			}
			bold, exit = term.Bold(), term.ExitAttributes()
		})
		if limit := uint64(64*len(b) + 64<<10); used > limit {
			t.Fatalf("%d bytes of entry allocated %d bytes (limit %d)", len(b), used, limit)
		}
		if len(bold) > len(b) {
			t.Errorf("bold %d bytes from a %d-byte entry", len(bold), len(b))
		}
		_ = exit
	})
}

func FuzzTparm(f *testing.F) {
	for _, s := range []string{
		"", "%", "%p", "%p0", "%p9%d", "%'", "%'a", "%{", "%{99999999999999999999}%d",
		"\\E[%i%p1%d;%p2%dH", "%?%p9%t\x1b(0%e\x1b(B%;\x1b[0%?%p6%t;1%;m",
		"%p1%p2%+%d %p1%02x %'a'%c %{65}%c %%", "%p1%Pa%ga%ga%*%d",
		"%?%?%?%t%e%;", "%e%e%;%;", "%:-99999999d", "%p1%999999d", "%.999999d", "%p1%l%d",
		strings.Repeat("%p1", 5000), strings.Repeat("%?%p1%t", 2000), "%{-9223372036854775808}%{-1}%/%d",
	} {
		f.Add(s, 1, -1)
	}
	f.Fuzz(func(t *testing.T, s string, p1, p2 int) {
		var out string
		used := testenv.Allocated(func() { out, _ = Tparm(s, p1, p2, p1, p2, p1, p2, p1, p2, p1) })
		if limit := 40*len(s) + 64; len(out) > limit {
			t.Fatalf("%d bytes of format gave %d bytes (limit %d)", len(s), len(out), limit)
		}
		if limit := uint64(256*len(s) + 16<<10); used > limit {
			t.Fatalf("%d bytes of format allocated %d bytes (limit %d)", len(s), used, limit)
		}
	})
}
