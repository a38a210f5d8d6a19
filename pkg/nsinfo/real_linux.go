package nsinfo

import "golang.org/x/sys/unix"

// Real reports whether the mount point holds a real proc filesystem (statfs
// says PROC_SUPER_MAGIC) rather than a fixture directory.
func (p *ProcFS) Real() bool {
	var st unix.Statfs_t
	if err := unix.Statfs(p.Path, &st); err != nil {
		return false
	}
	return st.Type == unix.PROC_SUPER_MAGIC
}
