package tree

import "bytes"

// cgroupLine splits a line of /proc/PID/cgroup,
// hierarchy-ID:controllers:path, where the path may itself contain ':'.
func cgroupLine(line []byte) (id, controllers, path []byte, ok bool) {
	id, rest, ok := bytes.Cut(line, []byte{':'})
	if !ok {
		return nil, nil, nil, false
	}
	controllers, path, ok = bytes.Cut(rest, []byte{':'})
	return id, controllers, path, ok
}

// cgroupPath returns the cgroup v2 path ("0::/path") of a /proc/PID/cgroup
// file, or, on a v1-only system, the path of its first hierarchy.
func cgroupPath(b []byte) string {
	first := ""
	for line := range bytes.Lines(b) {
		id, controllers, path, ok := cgroupLine(bytes.TrimSuffix(line, []byte{'\n'}))
		if !ok {
			continue
		}
		if string(id) == "0" && len(controllers) == 0 {
			return string(path)
		}
		if first == "" {
			first = string(path)
		}
	}
	return first
}

// cgroupPaths returns the distinct paths of a /proc/PID/cgroup file that
// has more than one line (cgroup v1, or hybrid v1 and v2), in file order;
// nil for a single line (pure cgroup v2), which Process.Cgroup holds.
func cgroupPaths(b []byte) []string {
	if bytes.Count(bytes.TrimRight(b, "\n"), []byte{'\n'}) == 0 {
		return nil
	}
	var paths []string
	for line := range bytes.Lines(b) {
		_, _, path, ok := cgroupLine(bytes.TrimSuffix(line, []byte{'\n'}))
		if !ok {
			continue
		}
		dup := false
		for _, p := range paths {
			if p == string(path) {
				dup = true
				break
			}
		}
		if !dup {
			paths = append(paths, string(path))
		}
	}
	return paths
}
