package nsinfo

// Info is what the nsfs ioctls tell about one namespace.
type Info struct {
	ID ID `json:"id"`
	// KernelID is the namespace's 64-bit ID from NS_GET_ID (Linux 6.18+),
	// which unlike the inode number is never reused while the system runs.
	// 0 where the kernel lacks the ioctl.
	KernelID uint64 `json:"kernel_id,omitempty"`
	// Parent is the parent of a PID or user namespace: zero for other
	// types, at the root, and where the parent lies outside the caller's
	// reach (the kernel answers EPERM).
	Parent ID `json:"parent"`
	// Owner is the user namespace that owns this namespace: zero where it
	// lies outside the caller's reach.
	Owner ID `json:"owner"`
	// OwnerUID is, for a user namespace, the UID of its creator as the
	// caller's user namespace maps it; -1 for other types or unknown.
	OwnerUID int64 `json:"owner_uid"`
}

// Hierarchical reports whether namespaces of type t have parents (PID and
// user namespaces nest; the others are flat).
func (t Type) Hierarchical() bool { return t == PID || t == User }
