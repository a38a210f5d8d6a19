// Package spawn creates new PID namespaces (with a mount namespace and a
// fresh /proc, optionally user, UTS, IPC, network, cgroup and time
// namespaces) and runs a command in them under nsview's own init, which
// reaps orphans, forwards signals and passes the command's exit code
// through. Nothing it starts outlives the Sandbox unless asked.
//
// # How the init runs: a re-exec of /proc/self/exe
//
// Code that must run inside the new namespaces (make mounts private, mount
// proc, set the hostname, be PID 1 and reap) cannot run in a forked copy of
// a Go program: the runtime is multi-threaded and fork copies one thread.
// So Start starts /proc/self/exe again, with NSVIEW_SPAWN_INIT=<JSON
// config> as its whole environment, and MaybeRunInit, called first thing in
// main (and in TestMain of test binaries that call Start), turns that
// process into the init. Re-executing our own binary needs no second
// binary to install (tini) and no cgo (runc's nsexec); /proc/self/exe names
// the running image even when the file was deleted or replaced, and it is
// the test binary under go test, so the API works from tests and from the
// TUI alike. The init refuses to run unless it is PID 1 of a new namespace
// and holds the report socket, so a stray NSVIEW_SPAWN_INIT does nothing.
//
// # The processes
//
//	caller ── level 1 init (PID 1: new pid+mnt [+user, uts, ipc, net, cgroup, time])
//	            └─ level 2 init (PID 1 of a nested pid+mnt) ...
//	                 └─ stage (PID 2 of the innermost level) ──exec──▶ command
//
// Each level's init makes every mount private (MS_REC|MS_PRIVATE) before it
// mounts a proc of its own on /proc, so the caller's mount table never
// changes. The stage waits for Start's "go" before it execs the command, so
// Start can read the command's host PID, NSpid chain and namespaces (with
// pkg/nsinfo) before the command runs, and print them before its first
// output. With NoInit the innermost level's PID 1 execs the command itself.
//
// The stage is PID 2 although the Go runtime's threads are tasks that take
// PIDs in the namespace: the innermost init, once set up, execs itself
// again (exec ends every other thread), with ns_last_pid moved out of the
// way for the new image's threads, then writes 1 to ns_last_pid just before
// it starts the stage.
//
// Every process reports to Start over a SOCK_SEQPACKET socket; the kernel
// attaches the sender's PID as SCM_CREDENTIALS, translated into the
// caller's PID namespace, which is how Start learns host PIDs that no
// process inside could know.
//
// # Signals
//
// An init handles every signal from its first instruction (os/signal
// Notify; never Ignore, whose SIG_IGN would pass on to the command) and
// forwards each to its child exactly once, except SIGCHLD, on which it
// reaps until nothing is left to reap, orphans included. It holds signals
// until its child can take them: a child init closes a "ready" pipe once it
// handles signals, and the stage's end of that pipe is close-on-exec, so it
// closes when the command is running. Inits run with
// GODEBUG=asyncpreemptoff=1, so every SIGURG they see came from outside.
// The command starts with the signal mask and dispositions the caller's
// runtime gave its children: the Go runtime resets every handler it
// installed to SIG_DFL at fork, and exec resets the rest; only SIGHUP and
// SIGINT stay ignored when the caller was started with them ignored (as
// under nohup).
//
// # Nothing outlives the caller
//
// Level 1 is started from a goroutine locked to its thread, which lives
// until level 1 is reaped: the parent-death signal fires when the thread
// that forked the child ends, not the process (golang/go#27505). Level 1
// sets PR_SET_PDEATHSIG to SIGKILL itself, after exec: Go's own Pdeathsig
// check for a parent that died before prctl compares getppid() with the
// parent's PID, but across a PID namespace getppid() is always 0 and a
// namespace's init cannot kill itself, so that check does nothing there.
// Instead level 1 then looks at a lifeline pipe whose write end only the
// caller holds: hung up means the caller is already gone, and it exits; and
// it keeps watching it (in the runtime's poller, no thread), since a child
// the caller forks meanwhile holds a copy of the write end until it execs.
// When level 1 dies the kernel kills every process in its namespace and
// in those nested in it, and reaps them before level 1's own exit
// completes; so once Wait or Close returns, nothing is left.
//
// # The terminal
//
// When Options.Stdin is the caller's controlling terminal and the caller is
// its foreground job, the command gets a process group of its own in the
// foreground (Ctrl-C reaches it and its jobs, not the caller nor the
// inits), and when it ends the caller takes the foreground back and
// restores the terminal settings it saved. Otherwise the command still gets
// its own process group, so a signal sent to a group reaches either the
// command or the inits, never both.
//
// # Limits
//
// Ctrl-Z stops the command's group, not nsview: the shell that started
// nsview does not see a stopped job. With NoInit at depth 1 a set-user-ID
// command loses the parent-death signal at exec (the kernel clears it), and
// as any namespace init it ignores its own default-action signals.
package spawn
