package container

import (
	"strings"

	"github.com/nsview/nsview/pkg/tree"
)

// OfProcess returns the container of a process, from its cgroup paths.
func OfProcess(p *tree.Process) Container {
	if len(p.CgroupPaths) > 0 {
		return FromPaths(p.CgroupPaths...)
	}
	if p.Cgroup == "" {
		return Container{}
	}
	return FromPaths(p.Cgroup)
}

// FromPaths returns the container that the cgroup paths of one process
// name: on cgroup v1 each hierarchy has a path, and a container engine's
// (docker's cpu path) beats a systemd unit (the same process's
// name=systemd or hybrid v2 path).
func FromPaths(paths ...string) Container {
	var unit Container
	for _, p := range paths {
		c := FromPath(p)
		switch {
		case c.IsZero():
		case c.Engine != "systemd":
			return c
		case unit.IsZero():
			unit = c
		}
	}
	return unit
}

// FromPath returns the container, pod or unit that one cgroup path names,
// innermost first: sub-cgroups a container makes inside its own (payload,
// init.scope, container) are looked through. It recognises the path forms
// of Docker, containerd (ctr, nerdctl, CRI), CRI-O, Podman, LXC and LXD,
// systemd-nspawn and other machined machines, Kubernetes pods (systemd and
// cgroupfs drivers), and, failing those, systemd services and scopes.
func FromPath(path string) Container {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return Container{}
	}
	pod := podOf(segs)
	for i := len(segs) - 1; i >= 0; i-- {
		if c, ok := segment(segs, i); ok {
			if c.Pod == "" && c.Kind == "container" {
				c.Pod = pod
			}
			return c
		}
	}
	for i := len(segs) - 1; i >= 0; i-- {
		s := segs[i]
		if strings.HasSuffix(s, ".service") || strings.HasSuffix(s, ".scope") {
			kind := "service"
			if strings.HasSuffix(s, ".scope") {
				kind = "scope"
			}
			return Container{Engine: "systemd", ID: unescapeUnit(s), Kind: kind}
		}
	}
	if pod != "" {
		return Container{Engine: "k8s", ID: pod, Kind: "pod"}
	}
	return Container{}
}

// scopes maps the prefixes of OCI engines' systemd scopes (prefix-ID.scope)
// to engines.
var scopes = []struct{ prefix, engine string }{
	{"docker-", "docker"},
	{"cri-containerd-", "containerd"},
	{"nerdctl-", "containerd"},
	{"crio-conmon-", "crio-conmon"},
	{"crio-", "crio"},
	{"libpod-conmon-", "podman-conmon"},
	{"libpod-", "podman"},
}

// segment recognises a container in segs[i], looking at its neighbours
// where the form needs them.
func segment(segs []string, i int) (Container, bool) {
	s := segs[i]
	parent := ""
	if i > 0 {
		parent = segs[i-1]
	}
	for _, sc := range scopes {
		if id, ok := strings.CutPrefix(s, sc.prefix); ok {
			id = strings.TrimSuffix(id, ".scope")
			if isHex64(id) {
				c := Container{Engine: sc.engine, ID: id, Kind: "container"}
				if p, ok := strings.CutPrefix(parent, "machine-libpod_pod_"); ok {
					c.Pod = strings.TrimSuffix(p, ".slice")
				}
				return c, true
			}
		}
	}
	if isHex64(s) {
		// cgroupfs drivers: the bare id under its engine's directory.
		switch {
		case parent == "docker":
			return Container{Engine: "docker", ID: s, Kind: "container"}, true
		case parent == "moby":
			return Container{Engine: "docker", ID: s, Kind: "container"}, true
		case strings.HasPrefix(parent, "pod") || strings.HasPrefix(parent, "kubepods"):
			return Container{Engine: "k8s", ID: s, Kind: "container"}, true
		case parent != "":
			// containerd's cgroupfs path is /NAMESPACE/ID.
			return Container{Engine: "containerd", ID: s, Kind: "container"}, true
		}
		return Container{Engine: "container", ID: s, Kind: "container"}, true
	}
	if name, ok := strings.CutPrefix(s, "lxc.payload."); ok && name != "" {
		return Container{Engine: "lxc", ID: name, Kind: "container"}, true
	}
	if name, ok := strings.CutPrefix(s, "lxc.monitor."); ok && name != "" {
		return Container{Engine: "lxc-monitor", ID: name, Kind: "container"}, true
	}
	if parent == "lxc" && i == 1 {
		// Older LXC: /lxc/NAME (and /lxc/NAME/... inside).
		return Container{Engine: "lxc", ID: s, Kind: "container"}, true
	}
	if name, ok := strings.CutPrefix(s, "systemd-nspawn@"); ok && strings.HasSuffix(name, ".service") {
		c := Container{Engine: "nspawn", ID: unescapeUnit(strings.TrimSuffix(name, ".service")), Kind: "machine"}
		if i+1 < len(segs) && segs[i+1] == "supervisor" {
			c.Engine = "nspawn-supervisor"
		}
		return c, true
	}
	if name, ok := strings.CutPrefix(s, "machine-"); ok && strings.HasSuffix(name, ".scope") {
		return Container{Engine: "machine", ID: unescapeUnit(strings.TrimSuffix(name, ".scope")), Kind: "machine"}, true
	}
	if name, ok := strings.CutPrefix(s, "machine-libpod_pod_"); ok && strings.HasSuffix(name, ".slice") && i == len(segs)-1 {
		return Container{Engine: "podman", ID: strings.TrimSuffix(name, ".slice"), Kind: "pod"}, true
	}
	return Container{}, false
}

// podOf finds a Kubernetes pod UID in a path: kubepods-QOS-podUID.slice
// (systemd driver, '-' written '_') or podUID (cgroupfs driver).
func podOf(segs []string) string {
	for _, s := range segs {
		if strings.HasPrefix(s, "kubepods") && strings.HasSuffix(s, ".slice") {
			if i := strings.LastIndex(s, "-pod"); i >= 0 {
				return strings.ReplaceAll(strings.TrimSuffix(s[i+4:], ".slice"), "_", "-")
			}
			continue
		}
		if uid, ok := strings.CutPrefix(s, "pod"); ok && len(uid) >= 32 && isUUIDish(uid) {
			return uid
		}
	}
	return ""
}

func isUUIDish(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// unescapeUnit undoes systemd's \xHH escapes in unit names
// (machine-my\x2dbox.scope is the machine "my-box").
func unescapeUnit(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if v, ok := hexByte(s[i+2], s[i+3]); ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func hexByte(a, b byte) (byte, bool) {
	h := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	x, ok1 := h(a)
	y, ok2 := h(b)
	return x<<4 | y, ok1 && ok2
}

// FromCgroupFile returns the container that a /proc/PID/cgroup file names
// (lines hierarchy-ID:controllers:path, one per v1 hierarchy, 0:: for v2).
func FromCgroupFile(b []byte) Container {
	var paths []string
	for _, line := range strings.Split(string(b), "\n") {
		_, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		_, path, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		paths = append(paths, path)
	}
	return FromPaths(paths...)
}

// Entering returns, for each process that enters a container (it is in
// one, and its parent is not in the same one), the container, keyed by
// PID. systemd units are containers too: a service's main process enters
// its unit. Processes with no known cgroup are left out.
func Entering(s *tree.Snapshot) map[int]Container {
	out := make(map[int]Container)
	of := make(map[int]Container, len(s.Processes))
	for i := range s.Processes {
		p := &s.Processes[i]
		of[p.PID] = OfProcess(p)
	}
	for i := range s.Processes {
		p := &s.Processes[i]
		c := of[p.PID]
		if c.IsZero() {
			continue
		}
		if parent, ok := of[p.PPID]; ok && p.PPID != p.PID && parent == c {
			continue
		}
		out[p.PID] = c
	}
	return out
}

// Tag is how `nsview tree --containers` marks a process that enters a
// container: " [docker:3f2a9c1d4e5f]".
func (c Container) Tag() string {
	if c.IsZero() {
		return ""
	}
	return " [" + c.String() + "]"
}
