package tree

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitCmdline(t *testing.T) {
	for _, tc := range []struct {
		in           string
		want         []string
		unterminated bool
	}{
		{"", []string{}, false},                 // kernel thread, zombie
		{"sleep\x00", []string{"sleep"}, false}, //
		{"/bin/sh\x00-c\x00echo hi\x00", []string{"/bin/sh", "-c", "echo hi"}, false},
		{"noeol\x00arg", []string{"noeol", "arg"}, true}, // rewrote its arguments
		{"title", []string{"title"}, true},               // setproctitle, no NUL at all
		{"x\x00\x00\x00", []string{"x", "", ""}, false},  // empty arguments
		{"\x00", []string{""}, false},                    // one empty argument
		{"a b\tc\nd\x00", []string{"a b\tc\nd"}, false},  // separators are NULs only
		{"\xff\x00\x1b[2J\x00", []string{"\xff", "\x1b[2J"}, false},
	} {
		got, unterminated := splitCmdline([]byte(tc.in))
		if !slices.Equal(got, tc.want) || got == nil || unterminated != tc.unterminated {
			t.Errorf("splitCmdline(%q) = %q, %v; want %q, %v", tc.in, got, unterminated, tc.want, tc.unterminated)
		}
	}
	// Longer than maxCmdline: cut, and still known to be terminated.
	long := strings.Repeat("a", maxCmdline) + "\x00b\x00"
	got, unterminated := splitCmdline([]byte(long))
	if len(got) != 1 || len(got[0]) != maxCmdline || unterminated {
		t.Errorf("a %d-byte command line: %d args of %d bytes, unterminated %v", len(long), len(got), len(got[0]), unterminated)
	}
}

func TestCgroupPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"0::/user.slice/user-0.slice/session-1.scope\n", "/user.slice/user-0.slice/session-1.scope"},
		{"0::/\n", "/"},
		{"0::/a:b:c\n", "/a:b:c"}, // a path may hold ':'
		{"0::/x", "/x"},           // no final newline
		{"12:pids:/user.slice\n11:memory:/system.slice\n", "/user.slice"}, // v1: the first hierarchy
		{"1:name=systemd:/init.scope\n0::/init.scope\n", "/init.scope"},   // hybrid: the v2 line
		{"1:name=systemd:/v1\n0::/v2\n", "/v2"},
		{"garbage\n0::/ok\n", "/ok"},
		{"::::\n", "::"},
		{"0:cpu:/not-v2\n", "/not-v2"}, // hierarchy 0 with controllers is not the v2 line
		{"0::/\xff\x00\n", "/\xff\x00"},
	} {
		if got := cgroupPath([]byte(tc.in)); got != tc.want {
			t.Errorf("cgroupPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
