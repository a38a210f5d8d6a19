// Package pidmap translates PIDs between PID namespaces: one process's PID
// at every nesting level, with each level's namespace and init, and a PID
// numbered inside one namespace mapped to the caller's numbering and back.
//
// Two methods give the same answers. The kernel's, where it has them
// (Linux 6.11+): NS_GET_TGID_IN_PIDNS and NS_GET_TGID_FROM_PIDNS on a
// namespace fd, walking NS_GET_PARENT for the levels; it acts on a live
// process, so it holds a pidfd opened before reading and checks after that
// the process has not exited (its PID could then name another one). And
// NSpid chains from a Snapshot, which work on every kernel since 4.1, on
// saved snapshots, and for unprivileged users, who may read NSpid but not
// namespace links.
package pidmap
