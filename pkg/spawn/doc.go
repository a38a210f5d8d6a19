// Package spawn creates new PID namespaces (with a mount namespace and a
// fresh /proc, optionally user, UTS, IPC, network, cgroup and time
// namespaces) and runs a command in them under nsview's own init, which
// reaps orphans, forwards signals and passes the command's exit code
// through. Nothing it starts outlives the Sandbox unless asked.
package spawn
