// Package synth makes synthetic snapshots shaped like the benchmark
// population (scripts/population: an idle crowd over a chain of 4 nested
// PID namespaces), and an in-memory /proc that serves them, so that the Go
// benchmarks of the scan, the views and the renderers of every package run
// on the same data at 1,000, 10,000 and 100,000 processes, and benchstat
// shows what a change does to each.
package synth
