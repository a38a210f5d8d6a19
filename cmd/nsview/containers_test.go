package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/pkg/tree"
)

// TestTreeContainers: tree --containers marks the process that enters a
// container, not its children in the same container.
func TestTreeContainers(t *testing.T) {
	const id = "3f2a9c1d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef"
	s := &tree.Snapshot{Schema: tree.SchemaVersion, Taken: time.Unix(0, 0).UTC(), ProcPath: "/proc", Read: tree.Everything()}
	add := func(pid, ppid int, comm, cg string) {
		s.Processes = append(s.Processes, tree.Process{PID: pid, PPID: ppid, PGID: pid, Comm: comm, State: "S",
			NSpid: []int{pid}, NumThreads: 1, Cmdline: []string{comm}, Cgroup: cg})
	}
	add(1, 0, "systemd", "/init.scope")
	add(10, 1, "containerd-shim", "/system.slice/containerd.service")
	add(11, 10, "sh", "/system.slice/docker-"+id+".scope")
	add(12, 11, "sleep", "/system.slice/docker-"+id+".scope")
	add(20, 1, "sshd", "/system.slice/ssh.service")
	s.Sort()
	file := filepath.Join(t.TempDir(), "s.json")
	var b bytes.Buffer
	if err := s.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"tree", "-p", "--containers", "--input", file}, nil, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{"sh(11) [docker:3f2a9c1d4e5f]---sleep(12)\n", "sshd(20) [systemd:ssh.service]", "systemd(1) [systemd:init.scope]"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Count(got, "docker:") != 1 {
		t.Errorf("the container is marked more than once:\n%s", got)
	}
}
