package tree

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/testenv"
)

func mountinfoSeeds() map[string]string {
	good := "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n" +
		"611 29 0:4 net:[4026532281] /run/netns/a\\040b rw shared:223 - nsfs nsfs rw\n"
	return map[string]string{
		"empty":      "",
		"good":       good,
		"truncated":  good[:40],
		"nul-laden":  strings.ReplaceAll(good, " ", "\x00"),
		"over-4k":    "1 0 0:1 / /" + strings.Repeat("d", 5000) + " rw - nsfs nsfs rw\n",
		"overflow":   "99999999999999999999 1 0:1 / / rw - x x rw\n",
		"no-dash":    "22 1 0:21 / /proc rw shared:12 proc proc rw\n",
		"dash-first": "- nsfs nsfs rw\n",
		"escapes":    "1 0 0:4 / /a\\012b\\134\\777\\0 rw - nsfs nsfs rw\n",
		"newlines":   "\n\n\n",
		"one-field":  "1\n",
	}
}

// FuzzMountinfo feeds /proc/PID/mountinfo to the parser nsview's discovery
// uses (nsfsMounts, with UnescapeMount): it never panics, allocates in
// proportion to its input, and finds only nsfs lines of the input.
func FuzzMountinfo(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var mounts []nsfsMount
		checkBounded(t, len(b), testenv.Allocated(func() { mounts = nsfsMounts(b) }), 4)
		if len(mounts) > bytes.Count(b, []byte(" - nsfs")) {
			t.Fatalf("%d nsfs mounts from %d nsfs lines", len(mounts), bytes.Count(b, []byte(" - nsfs")))
		}
		for _, m := range mounts {
			if m.root == "" || m.point == "" || strings.ContainsAny(m.root, " \n") || !bytes.Contains(b, []byte(m.root)) {
				t.Fatalf("nsfsMounts(%q): %+v", b, m)
			}
			if len(m.point) > len(b) {
				t.Fatalf("mount point %q longer than the input", m.point)
			}
		}
	})
}

// The kernel's own lines: a mount table with an nsfs mount past the first
// page, escapes in the mount point, and lines of other types.
func TestNsfsMounts(t *testing.T) {
	table := strings.Repeat("22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n", 100) +
		"611 29 0:4 net:[4026532281] /run/netns/a\\040b rw shared:223 - nsfs nsfs rw\n" +
		"612 29 0:4 mnt:[4026532282] /x rw - nsfs nsfs rw\n" +
		"613 29 0:4 pid:[1] /y rw - tmpfs nsfs rw\n" +
		"614 29 0:4 pid:[2] - nsfs nsfs rw\n" // too few fields
	got := nsfsMounts([]byte(table))
	want := []nsfsMount{{"net:[4026532281]", "/run/netns/a b"}, {"mnt:[4026532282]", "/x"}}
	if !slices.Equal(got, want) {
		t.Errorf("nsfsMounts = %+v, want %+v", got, want)
	}
}
