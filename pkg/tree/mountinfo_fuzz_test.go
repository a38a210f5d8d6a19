package tree

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/procfs"
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

var mountinfoDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "nsview-fuzz-mountinfo-") })

// FuzzMountinfo feeds /proc/PID/mountinfo to the parser nsview's discovery
// uses (prometheus/procfs) and the path unescaping: they never panic.
func FuzzMountinfo(f *testing.F) {
	f.Cleanup(func() {
		if dir, err := mountinfoDir(); err == nil {
			os.RemoveAll(dir)
		}
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		dir, err := mountinfoDir()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "1"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "1", "mountinfo"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		fs, err := procfs.NewFS(dir)
		if err != nil {
			t.Fatal(err)
		}
		mounts, err := fs.GetProcMounts(1)
		if err != nil {
			return
		}
		for _, m := range mounts {
			if p := UnescapeMount(m.MountPoint); len(p) > len(m.MountPoint) {
				t.Fatalf("UnescapeMount(%q) = %q grew", m.MountPoint, p)
			}
		}
	})
}
