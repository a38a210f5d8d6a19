package tree

import (
	"slices"
	"testing"
)

func TestCgroupPaths(t *testing.T) {
	for _, c := range []struct {
		in   string
		one  string
		many []string
	}{
		{"0::/system.slice/ssh.service\n", "/system.slice/ssh.service", nil},
		{"12:pids:/docker/a\n2:rdma:/\n1:name=systemd:/docker/a\n0::/system.slice/containerd.service\n",
			"/system.slice/containerd.service", []string{"/docker/a", "/", "/system.slice/containerd.service"}},
		{"", "", nil},
		{"garbage", "", nil},
		{"1:x:/a:b\n2:y:/a:b", "/a:b", []string{"/a:b"}},
	} {
		if got := cgroupPath([]byte(c.in)); got != c.one {
			t.Errorf("cgroupPath(%q) = %q, want %q", c.in, got, c.one)
		}
		if got := cgroupPaths([]byte(c.in)); !slices.Equal(got, c.many) {
			t.Errorf("cgroupPaths(%q) = %q, want %q", c.in, got, c.many)
		}
	}
}

func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		`/run/netns/a`:        "/run/netns/a",
		`/run/a\040b`:         "/run/a b",
		`/x\011y\012z\134`:    "/x\ty\nz\\",
		`/bad\04`:             `/bad\04`,
		`/bad\0`:              `/bad\0`,
		`\`:                   `\`,
		`/run/netns/a\134040`: `/run/netns/a\040`,
	} {
		if got := UnescapeMount(in); got != want {
			t.Errorf("UnescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}
