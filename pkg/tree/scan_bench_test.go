package tree

import (
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

// scanPresets are the Options each command asks a scan for.
var scanPresets = []struct {
	name string
	opts Options
}{
	{"stat", Options{}},
	{"nspid", Options{NSpid: true}},
	{"tree", Options{NSpid: true, Namespaces: true}},
	{"cmdline", Options{Cmdline: true, NSpid: true, Namespaces: true, Threads: true}},
	{"everything", Everything()},
}

// BenchmarkScan scans the live /proc with each preset. Its figures depend on
// what runs on the machine: start scripts/population first for a fixed load
// (processes per op are reported as procs/op).
func BenchmarkScan(b *testing.B) {
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil || !proc.Real() {
		b.Skip("no proc filesystem at /proc")
	}
	for _, p := range scanPresets {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				s, err := Scan(proc, p.opts)
				if err != nil {
					b.Fatal(err)
				}
				n = len(s.Processes)
			}
			b.ReportMetric(float64(n), "procs/op")
		})
	}
}
