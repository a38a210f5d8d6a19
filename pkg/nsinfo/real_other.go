//go:build !linux

package nsinfo

// Real reports whether the mount point holds a real proc filesystem; never
// outside Linux.
func (p *ProcFS) Real() bool { return false }
