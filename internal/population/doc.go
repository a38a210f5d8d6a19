// Package population starts and ends a large idle process population spread
// over a chain of nested PID namespaces, for nsview's benchmarks.
//
// Start launches `unshare --pid --fork --mount-proc --kill-child` running
// this program's init at level 1, which starts the next level the same way
// and then a share of idle children; four levels make four nested PID
// namespaces, each with its own /proc. Start waits until every process is
// alive and has finished exec, and records each one's host PID and start
// time, and each level's PID and mount namespace, in a state file. Stop ends
// exactly those processes (by pidfd, after checking the start time, so a
// reused PID is never hit), waits until they are gone, checks that no
// process is left in any of the recorded namespaces, and restores
// kernel.pid_max if Start raised it.
//
// The idle children run a 129-byte static ELF (on amd64) that loops on
// pause(2). Measured here (MemAvailable before and after 500 of each), one
// costs about 66 KiB (task, kernel stack, page tables, one stack page)
// against about 254 KiB for `sleep infinity` (libc's relocations and heap):
// 2 GiB instead of 7.5 GiB at 30,000 processes. Elsewhere they run `sleep
// infinity`.
package population
