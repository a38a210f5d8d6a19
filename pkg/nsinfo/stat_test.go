package nsinfo

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// statLine builds a stat line as the kernel writes it (52 fields), with the
// given name and the fields nsview reads.
func statLine(pid int, comm string, state byte, ppid, pgid, sid, tty int, utime, stime uint64, threads int, start uint64) string {
	return fmt.Sprintf("%d (%s) %c %d %d %d %d -1 4194560 1 0 0 0 %d %d 0 0 20 0 %d 0 %d 3133440 382 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		pid, comm, state, ppid, pgid, sid, tty, utime, stime, threads, start)
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want Stat
	}{
		{"real", "21485 (cat) R 21483 21483 6914 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 101765 3133440 382 18446744073709551615 94684340207616 94684340227497 140733092371504 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94684340243504 94684340245120 94684379197440 140733092375038 140733092375058 140733092375058 140733092376555 0\n",
			Stat{Flags: 4194304, PID: 21485, Comm: "cat", State: 'R', PPID: 21483, PGID: 21483, SID: 6914, NumThreads: 1, StartTime: 101765}},
		{"all fields", statLine(7, "sleep", 'S', 3, 4, 5, 34816, 11, 22, 3, 1234567),
			Stat{Flags: 4194560, PID: 7, Comm: "sleep", State: 'S', PPID: 3, PGID: 4, SID: 5, TTY: 34816, UTime: 11, STime: 22, NumThreads: 3, StartTime: 1234567}},
		{"paren in name", statLine(8, "a)b", 'S', 1, 8, 8, 0, 0, 0, 1, 9), Stat{Flags: 4194560, PID: 8, Comm: "a)b", State: 'S', PPID: 1, PGID: 8, SID: 8, NumThreads: 1, StartTime: 9}},
		{"fake fields in name", statLine(9, "a) S 1 x", 'R', 2, 9, 9, 0, 0, 0, 1, 9), Stat{Flags: 4194560, PID: 9, Comm: "a) S 1 x", State: 'R', PPID: 2, PGID: 9, SID: 9, NumThreads: 1, StartTime: 9}},
		{"only parens", statLine(10, ")(", 'S', 1, 1, 1, 0, 0, 0, 1, 1), Stat{Flags: 4194560, PID: 10, Comm: ")(", State: 'S', PPID: 1, PGID: 1, SID: 1, NumThreads: 1, StartTime: 1}},
		{"empty name", statLine(11, "", 'S', 1, 1, 1, 0, 0, 0, 1, 1), Stat{Flags: 4194560, PID: 11, Comm: "", State: 'S', PPID: 1, PGID: 1, SID: 1, NumThreads: 1, StartTime: 1}},
		{"newline in name", statLine(12, "a\nb", 'S', 1, 1, 1, 0, 0, 0, 1, 1), Stat{Flags: 4194560, PID: 12, Comm: "a\nb", State: 'S', PPID: 1, PGID: 1, SID: 1, NumThreads: 1, StartTime: 1}},
		{"escapes in name", statLine(13, "\x1b[31mA\nB\x1b[2JC", 'S', 1, 1, 1, 0, 0, 0, 1, 1), Stat{Flags: 4194560, PID: 13, Comm: "\x1b[31mA\nB\x1b[2JC", State: 'S', PPID: 1, PGID: 1, SID: 1, NumThreads: 1, StartTime: 1}},
		{"spaces and tabs", statLine(14, " a\tb ", 'S', 1, 1, 1, 0, 0, 0, 1, 1), Stat{Flags: 4194560, PID: 14, Comm: " a\tb ", State: 'S', PPID: 1, PGID: 1, SID: 1, NumThreads: 1, StartTime: 1}},
		{"invalid utf-8", statLine(15, "\xff\xfe(", 'S', 1, 1, 1, 0, 0, 0, 1, 1), Stat{Flags: 4194560, PID: 15, Comm: "\xff\xfe(", State: 'S', PPID: 1, PGID: 1, SID: 1, NumThreads: 1, StartTime: 1}},
		{"ppid 0", statLine(1, "init", 'S', 0, 1, 1, 0, 0, 0, 1, 1), Stat{Flags: 4194560, PID: 1, Comm: "init", State: 'S', PPID: 0, PGID: 1, SID: 1, NumThreads: 1, StartTime: 1}},
		{"zombie", statLine(16, "z", 'Z', 1, 1, 1, 0, 0, 0, 1, 1), Stat{Flags: 4194560, PID: 16, Comm: "z", State: 'Z', PPID: 1, PGID: 1, SID: 1, NumThreads: 1, StartTime: 1}},
		{"max uint64 times", statLine(17, "t", 'S', 1, 1, 1, 0, 1<<64-1, 1<<64-1, 1, 1<<64-1), Stat{Flags: 4194560, PID: 17, Comm: "t", State: 'S', PPID: 1, PGID: 1, SID: 1, UTime: 1<<64 - 1, STime: 1<<64 - 1, NumThreads: 1, StartTime: 1<<64 - 1}},
		{"exactly 22 fields", "5 (x) S 1 5 5 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n", Stat{PID: 5, Comm: "x", State: 'S', PPID: 1, PGID: 5, SID: 5, UTime: 1, STime: 2, NumThreads: 4, StartTime: 77}},
		{"15-byte kernel thread", statLine(18, "kworker/u8:2-ev", 'I', 2, 0, 0, 0, 0, 0, 1, 5), Stat{Flags: 4194560, PID: 18, Comm: "kworker/u8:2-ev", State: 'I', PPID: 2, NumThreads: 1, StartTime: 5}},
		{"kthreadd", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 2 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
			Stat{Flags: 2129984, PID: 2, Comm: "kthreadd", State: 'S', STime: 3, NumThreads: 1, StartTime: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseStat([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseStat(%q): %v", tc.in, err)
			}
			if got.KernelThread() != (tc.name == "kthreadd") {
				t.Errorf("KernelThread() = %v for flags %#x", got.KernelThread(), got.Flags)
			}
			if got != tc.want {
				t.Errorf("ParseStat(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseStatRejects(t *testing.T) {
	good := statLine(7, "sleep", 'S', 3, 4, 5, 0, 11, 22, 3, 1234567)
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"no name", "1 x S 1"},
		{"1 (x)", "1 (x)"},
		{")(", ")("},
		{"( only", "1 (x"},
		{"NUL", "\x00\x00\x00"},
		{"no pid", "(x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"pid 0", "0 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"negative pid", "-5 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"pid overflow", "99999999999999999999 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"ppid overflow", "5 (x) S 99999999999999999999 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"ppid beyond int64", "5 (x) S 9223372036854775808 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"utime overflow", "5 (x) S 1 1 1 0 -1 0 0 0 0 0 18446744073709551616 2 0 0 20 0 4 0 77\n"},
		{"start overflow", "5 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 184467440737095516150\n"},
		{"two-letter state", "5 (x) SS 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"non-ASCII state", "5 (x) \xe5 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"escape as state", "5 (x) \x1b 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"digit as state", "5 (x) 7 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"letter in ppid", "5 (x) S 1a 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0 77\n"},
		{"21 fields", "5 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 4 0\n"},
		{"cut in start time", good[:strings.Index(good, "1234567")+3]},
		{"cut after state", good[:strings.Index(good, ") S")+3]},
		{"cut in name", good[:3]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseStat([]byte(tc.in))
			if err == nil {
				t.Fatalf("ParseStat(%q) = %+v, want an error", tc.in, s)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseStat(%q): %v does not wrap ErrMalformed", tc.in, err)
			}
		})
	}
}

// Every prefix of a real stat line either fails or, once field 22 is
// whole, gives the same facts as the whole line: a short read never yields
// wrong numbers.
func TestParseStatPrefixes(t *testing.T) {
	line := statLine(4150, "a) S 1 (b", 'S', 4149, 4150, 4100, 0, 1234, 5678, 12, 987654321)
	want, err := ParseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(line) {
		got, err := ParseStat([]byte(line[:n]))
		if err == nil && got != want {
			t.Fatalf("prefix %q parsed as %+v, the whole line as %+v", line[:n], got, want)
		}
	}
}

func TestParseIntBounds(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"-1", -1, true}, {"9223372036854775807", 1<<63 - 1, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775807", -(1<<63 - 1), true},
		{"", 0, false}, {"-", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"--1", 0, false},
	} {
		got, ok := parseInt([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseInt(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"18446744073709551615", 1<<64 - 1, true}, {"18446744073709551616", 0, false},
		{"00000000000000000001", 1, true}, {"000000000000000000001", 0, false},
		{"99999999999999999999", 0, false},
	} {
		got, ok := parseUint([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseUint(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
