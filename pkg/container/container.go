package container

// Container is the container, pod or unit a process belongs to, as its
// cgroup path names it.
type Container struct {
	// Engine is what made it: docker, containerd, crio, podman, lxc,
	// nspawn, systemd.
	Engine string `json:"engine"`
	// ID is the container id (64 hex digits for OCI engines), or the
	// machine, container or unit name.
	ID string `json:"id"`
	// Pod is the Kubernetes pod UID, when the container is in a pod.
	Pod string `json:"pod,omitempty"`
	// Kind says what ID names: "container", "pod", "machine", "service",
	// "scope", "slice".
	Kind string `json:"kind"`
}

// IsZero reports whether no container was recognised.
func (c Container) IsZero() bool { return c.Engine == "" }

// Short is the ID as users type it: the first 12 hex digits of an OCI id
// (as docker ps and podman ps show them), or the whole name.
func (c Container) Short() string {
	if isHex64(c.ID) {
		return c.ID[:12]
	}
	return c.ID
}

// String is "engine:short-id", with the pod when there is one
// ("crio:3f2a9c1d4e5f pod:7c1e2a3b"); "" for none.
func (c Container) String() string {
	if c.IsZero() {
		return ""
	}
	s := c.Engine + ":" + c.Short()
	if c.Pod != "" {
		p := c.Pod
		if len(p) > 8 {
			p = p[:8]
		}
		s += " pod:" + p
	}
	return s
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
