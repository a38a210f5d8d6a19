// Package fakeproc wraps the Files of an nsinfo.ProcFS and injects faults
// into chosen per-process reads, to prove that a scan survives what a live
// /proc does to it: processes that vanish between two reads (ENOENT,
// ESRCH), files it may not read (EACCES), interrupted calls (EINTR), and
// reads that come back short or empty.
//
//	proc, _ := nsinfo.NewProcFS("testdata/proc")
//	faults := fakeproc.Wrap(proc.Files, fakeproc.Rule{PID: 42, File: "ns/*", Fault: fakeproc.EACCES})
//	proc.Files = faults
//
// Root bypasses file permissions, so tests that run as root need this layer
// to see EACCES on a fixture at all.
package fakeproc
