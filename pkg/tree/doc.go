// Package tree turns a proc filesystem into a Snapshot and a Snapshot into
// views and text.
//
//	Scan(proc, opts) ─▶ Snapshot   plain data, JSON-able, versioned
//	Snapshot ─▶ HostView / InsideView / NamespaceTree
//	views ─▶ renderers (pstree-compatible text, lists, JSON)
//
// Only Scan reads /proc; everything else works on a Snapshot, so every view
// works the same on a live system, a fixture directory and a snapshot saved
// on another machine. Trees are built and walked with explicit stacks, never
// recursion, because a user can make a process chain 100,000 levels deep.
package tree
