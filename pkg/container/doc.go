// Package container names the container, Kubernetes pod, machine or
// systemd unit a process belongs to, from its /proc/PID/cgroup paths
// alone: no engine daemon is asked, so it works for every engine, on
// snapshots, and without privilege.
package container
