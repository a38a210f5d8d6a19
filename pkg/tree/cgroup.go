package tree

import "bytes"

// cgroupPaths returns the distinct paths of a /proc/PID/cgroup file that
// has more than one line (cgroup v1, or hybrid v1 and v2), in file order;
// nil for a single line (pure cgroup v2), which Process.Cgroup holds.
func cgroupPaths(b []byte) []string {
	if bytes.Count(bytes.TrimRight(b, "\n"), []byte{'\n'}) == 0 {
		return nil
	}
	var paths []string
	for line := range bytes.Lines(b) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		c1 := bytes.IndexByte(line, ':')
		if c1 < 0 {
			continue
		}
		c2 := bytes.IndexByte(line[c1+1:], ':')
		if c2 < 0 {
			continue
		}
		path := line[c1+1+c2+1:]
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
