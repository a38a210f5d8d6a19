//go:build !linux

package nsinfo

// Mount returns how the proc filesystem is mounted; never known outside
// Linux.
func (p *ProcFS) Mount() (m ProcMount, ok bool) { return m, false }
