package nsinfo

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// statusFile is a /proc/PID/status as kernel 6.18 writes it, with the
// given NSpid line ("" for none).
func statusFile(nspid string) string {
	var b strings.Builder
	b.WriteString("Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4150\nNgid:\t0\nPid:\t4150\nPPid:\t4149\nTracerPid:\t0\n")
	b.WriteString("Uid:\t1000\t1001\t1002\t1003\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\n")
	if nspid != "" {
		b.WriteString("NStgid:\t" + nspid + "\nNSpid:\t" + nspid + "\nNSpgid:\t" + nspid + "\nNSsid:\t" + nspid + "\n")
	}
	b.WriteString("Kthread:\t0\nVmPeak:\t    5428 kB\nThreads:\t1\nSigQ:\t0/94661\n")
	return b.String()
}

func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []int
	}{
		{"host", statusFile("4150"), []int{4150}},
		{"three levels", statusFile("4150\t4\t2"), []int{4150, 4, 2}},
		{"spaces", statusFile("4150 4  2"), []int{4150, 4, 2}},
		{"no NSpid (kernel < 4.1)", statusFile(""), nil},
		{"NSpid first", "NSpid:\t7\t1\n", []int{7, 1}},
		{"NSpid last", "Name:\tx\nNSpid:\t7\t1\n", []int{7, 1}},
		{"33 entries", "NSpid:\t" + strings.Repeat("5\t", 32) + "1\n", append(slices.Repeat([]int{5}, 32), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseStatus([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseStatus: %v", err)
			}
			if !slices.Equal(s.NSpid, tc.want) || (s.NSpid == nil) != (tc.want == nil) {
				t.Errorf("NSpid = %#v, want %#v", s.NSpid, tc.want)
			}
		})
	}
	s, err := ParseStatus([]byte(statusFile("1")))
	if err != nil || !s.UIDOK || s.UID != [4]uint32{1000, 1001, 1002, 1003} {
		t.Errorf("Uid = %v (ok %v), %v", s.UID, s.UIDOK, err)
	}
	s, err = ParseStatus([]byte("NSpid:\t1\n"))
	if err != nil || s.UIDOK {
		t.Errorf("no Uid line: UIDOK %v, err %v", s.UIDOK, err)
	}
	s, err = ParseStatus([]byte("Uid:\t4294967295\t0\t0\t0\n"))
	if err != nil || s.UID[0] != 1<<32-1 {
		t.Errorf("largest Uid: %v, %v", s.UID, err)
	}
}

func TestParseStatusRejects(t *testing.T) {
	whole := statusFile("4150\t42")
	for _, tc := range []struct{ name, in string }{
		{"empty NSpid", "NSpid:\t\n"},
		{"NSpid 0", "NSpid:\t0\n"},
		{"NSpid negative", "NSpid:\t5\t-1\n"},
		{"NSpid letters", "NSpid:\t5\tx\n"},
		{"NSpid overflow", "NSpid:\t99999999999999999999\n"},
		{"NSpid beyond int64", "NSpid:\t9223372036854775808\n"},
		{"34 entries", "NSpid:\t" + strings.Repeat("5\t", 33) + "1\n"},
		{"huge NSpid", "NSpid:\t" + strings.Repeat("1 ", 1<<16) + "\n"},
		{"NSpid with NUL", "NSpid:\t5\x001\n"},
		{"NSpid cut short", whole[:strings.Index(whole, "NSpid:")+len("NSpid:\t4150\t4")]},
		{"cut before NSpid", whole[:strings.Index(whole, "NStgid")-3]},
		{"Uid three", "Uid:\t1\t2\t3\n"},
		{"Uid five", "Uid:\t1\t2\t3\t4\t5\n"},
		{"Uid overflow", "Uid:\t4294967296\t0\t0\t0\n"},
		{"Uid cut short", "Uid:\t1\t2\t3\t4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseStatus([]byte(tc.in))
			if err == nil {
				t.Fatalf("ParseStatus(%q) = %+v, want an error", tc.in, s)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}

// A prefix of a status file never yields a chain the whole file does not.
func TestParseStatusPrefixes(t *testing.T) {
	whole := statusFile("4150\t42\t17")
	for n := range len(whole) {
		s, err := ParseStatus([]byte(whole[:n]))
		if err == nil && s.NSpid != nil && !slices.Equal(s.NSpid, []int{4150, 42, 17}) {
			t.Fatalf("prefix %q gave NSpid %v", whole[:n], s.NSpid)
		}
	}
}

// The kernel allows 32 nested PID namespaces below the initial one, so a
// process in the deepest has 33 NSpid entries (seen for real: 32 nested
// `unshare --pid --fork`, and the 33rd fails with ENOSPC).
func TestNSpidLimit(t *testing.T) {
	if MaxPIDDepth != 32 || MaxNSpid != 33 {
		t.Errorf("MaxPIDDepth %d, MaxNSpid %d; the kernel's MAX_PID_NS_LEVEL is 32", MaxPIDDepth, MaxNSpid)
	}
}
