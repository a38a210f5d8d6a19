package container

import "github.com/nsview/nsview/pkg/tree"

// OfProcess returns the container of a process, from its cgroup paths.
func OfProcess(p *tree.Process) Container {
	if len(p.CgroupPaths) > 0 {
		return FromPaths(p.CgroupPaths...)
	}
	return FromPaths(p.Cgroup)
}

// FromPaths returns the container that the most specific of the cgroup
// paths names.
func FromPaths(paths ...string) Container {
	return Container{}
}
