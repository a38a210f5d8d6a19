package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	id  = "3f2a9c1d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef"
	pod = "0f2d8e4a-1b3c-4d5e-8f90-a1b2c3d4e5f6"
	ppd = "7c1e2a3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
)

// TestFixtures reads the real /proc/PID/cgroup forms of each engine, cgroup
// v1 (one line per hierarchy), hybrid and v2, from testdata.
func TestFixtures(t *testing.T) {
	want := map[string]Container{
		"docker-cgroupfs-v1":        {Engine: "docker", ID: id, Kind: "container"},
		"docker-cgroupfs-hybrid":    {Engine: "docker", ID: id, Kind: "container"},
		"docker-cgroupfs-v2":        {Engine: "docker", ID: id, Kind: "container"},
		"docker-systemd-v1":         {Engine: "docker", ID: id, Kind: "container"},
		"docker-systemd-v2":         {Engine: "docker", ID: id, Kind: "container"},
		"docker-rootless-v2":        {Engine: "docker", ID: id, Kind: "container"},
		"docker-in-docker-v2":       {Engine: "docker", ID: id, Kind: "container"},
		"containerd-ctr-v1":         {Engine: "containerd", ID: id, Kind: "container"},
		"containerd-ctr-v2":         {Engine: "containerd", ID: id, Kind: "container"},
		"containerd-nerdctl-v2":     {Engine: "containerd", ID: id, Kind: "container"},
		"cri-containerd-systemd-v2": {Engine: "containerd", ID: id, Kind: "container", Pod: pod},
		"cri-containerd-systemd-v1": {Engine: "containerd", ID: id, Kind: "container", Pod: pod},
		"cri-cgroupfs-v2":           {Engine: "k8s", ID: id, Kind: "container", Pod: pod},
		"cri-cgroupfs-v1":           {Engine: "k8s", ID: id, Kind: "container", Pod: pod},
		"cri-guaranteed-v2":         {Engine: "containerd", ID: id, Kind: "container", Pod: pod},
		"crio-systemd-v2":           {Engine: "crio", ID: id, Kind: "container", Pod: pod},
		"crio-systemd-v1":           {Engine: "crio", ID: id, Kind: "container", Pod: pod},
		"crio-conmon-v2":            {Engine: "crio-conmon", ID: id, Kind: "container", Pod: pod},
		"crio-cgroupfs-v1":          {Engine: "crio", ID: id, Kind: "container", Pod: pod},
		"podman-systemd-v2":         {Engine: "podman", ID: id, Kind: "container"},
		"podman-cgroupns-v2":        {Engine: "podman", ID: id, Kind: "container"},
		"podman-systemd-v1":         {Engine: "podman", ID: id, Kind: "container"},
		"podman-rootless-v2":        {Engine: "podman", ID: id, Kind: "container"},
		"podman-conmon-v2":          {Engine: "podman-conmon", ID: id, Kind: "container"},
		"podman-pod-v2":             {Engine: "podman", ID: id, Kind: "container", Pod: ppd},
		"podman-infra-pod-v2":       {Engine: "podman", ID: ppd, Kind: "pod"},
		"podman-cgroupfs-v1":        {Engine: "podman", ID: id, Kind: "container"},
		"lxc-v2":                    {Engine: "lxc", ID: "web1", Kind: "container"},
		"lxc-init-v2":               {Engine: "lxc", ID: "web1", Kind: "container"},
		"lxc-v1":                    {Engine: "lxc", ID: "web1", Kind: "container"},
		"lxc-legacy-v1":             {Engine: "lxc", ID: "web1", Kind: "container"},
		"lxc-monitor-v2":            {Engine: "lxc-monitor", ID: "web1", Kind: "container"},
		"lxd-v2":                    {Engine: "lxc", ID: "db-2", Kind: "container"},
		"nspawn-payload-v2":         {Engine: "nspawn", ID: "my-box", Kind: "machine"},
		"nspawn-supervisor-v2":      {Engine: "nspawn-supervisor", ID: "my-box", Kind: "machine"},
		"nspawn-v1":                 {Engine: "machine", ID: "my-box", Kind: "machine"},
		"machine-qemu-v2":           {Engine: "machine", ID: "qemu-1-vm1", Kind: "machine"},
		"systemd-service-v2":        {Engine: "systemd", ID: "ssh.service", Kind: "service"},
		"systemd-service-v1":        {Engine: "systemd", ID: "ssh.service", Kind: "service"},
		"systemd-service-hybrid":    {Engine: "systemd", ID: "cron.service", Kind: "service"},
		"systemd-session-v2":        {Engine: "systemd", ID: "session-3.scope", Kind: "scope"},
		"systemd-user-app-v2":       {Engine: "systemd", ID: "app-gnome-org.gnome.Terminal-2841.scope", Kind: "scope"},
		"systemd-init-v2":           {Engine: "systemd", ID: "init.scope", Kind: "scope"},
		"root-v2":                   {},
		"root-v1":                   {},
	}
	files, err := filepath.Glob("testdata/*.cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d fixtures, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".cgroup")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			if got := FromCgroupFile(b); got != w {
				t.Errorf("got %+v, want %+v", got, w)
			}
		})
	}
}

func TestString(t *testing.T) {
	for _, c := range []struct {
		in   Container
		want string
	}{
		{Container{}, ""},
		{Container{Engine: "docker", ID: id, Kind: "container"}, "docker:3f2a9c1d4e5f"},
		{Container{Engine: "crio", ID: id, Kind: "container", Pod: pod}, "crio:3f2a9c1d4e5f pod:0f2d8e4a"},
		{Container{Engine: "lxc", ID: "web1", Kind: "container"}, "lxc:web1"},
		{Container{Engine: "systemd", ID: "ssh.service", Kind: "service"}, "systemd:ssh.service"},
	} {
		if got := c.in.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzFromCgroupFile: whatever a cgroup file holds, no panic.
func FuzzFromCgroupFile(f *testing.F) {
	for _, s := range []string{"", "0::/", "0::/docker/" + id, "1:name=systemd:/machine.slice/machine-a\\x2.scope", "::", "x", "0::/lxc/", "0::/machine.slice/machine-libpod_pod_.slice"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := FromCgroupFile(b)
		_ = c.String()
	})
}
