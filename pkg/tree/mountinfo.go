package tree

import "bytes"

// nsfsMount is one nsfs mount of a mountinfo file: a namespace bound to a
// path (ip netns add, a container runtime's /run/.../ns/net).
type nsfsMount struct {
	// root is the namespace, as the kernel writes it: net:[4026532281].
	root string
	// point is the mount point, octal escapes undone.
	point string
}

// nsfsMounts returns the nsfs mounts of a /proc/PID/mountinfo file:
//
//	611 29 0:4 net:[4026532281] /run/netns/a rw shared:223 - nsfs nsfs rw
//
// Fields 4 and 5 are the root and the mount point, then come optional
// fields up to a lone "-", then the filesystem type. A line that does not
// have that shape is passed over (mountinfo is written by the kernel, but a
// short read or a hostile fixture may cut a line anywhere); only lines of
// type nsfs allocate.
func nsfsMounts(b []byte) []nsfsMount {
	var out []nsfsMount
	for line := range bytes.Lines(b) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		sep := bytes.Index(line, []byte(" - "))
		if sep < 0 {
			continue
		}
		after := line[sep+3:]
		if sp := bytes.IndexByte(after, ' '); sp >= 0 {
			after = after[:sp]
		}
		if string(after) != "nsfs" {
			continue
		}
		var f [5][]byte
		n, rest := 0, line[:sep]
		for n < len(f) && len(rest) > 0 {
			sp := bytes.IndexByte(rest, ' ')
			if sp < 0 {
				f[n], rest = rest, nil
			} else {
				f[n], rest = rest[:sp], rest[sp+1:]
			}
			n++
		}
		if n < len(f) || len(f[3]) == 0 || len(f[4]) == 0 {
			continue
		}
		out = append(out, nsfsMount{root: string(f[3]), point: UnescapeMount(string(f[4]))})
	}
	return out
}
