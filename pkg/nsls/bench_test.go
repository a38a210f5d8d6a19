package nsls_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/nsview/nsview/internal/hugesnap"
	"github.com/nsview/nsview/internal/synth"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/nsls"
	"github.com/nsview/nsview/pkg/tree"
)

// The renderers of `nsview ns` on synthetic snapshots of 1k, 10k and 100k
// processes (internal/synth), allocations reported, for benchstat:
//
//	go test ./pkg/nsls -run '^$' -bench . -count 10

func benchEachSize(b *testing.B, fn func(b *testing.B, s *tree.Snapshot)) {
	for _, n := range synth.Sizes {
		s := synth.Snapshot(n)
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			fn(b, s)
		})
	}
}

// BenchmarkRender renders `nsview ns` (the table with its process tree),
// `-J`, `-l` and `-r`.
func BenchmarkRender(b *testing.B) {
	for _, c := range []struct {
		name string
		o    nsls.Options
	}{
		{"table", nsls.Options{}},
		{"json", nsls.Options{Format: nsls.JSON}},
		{"list", nsls.Options{List: true}},
		{"raw", nsls.Options{Format: nsls.Raw}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
				for b.Loop() {
					if err := nsls.Render(io.Discard, s, c.o); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkRenderMatrix renders `nsview ns --matrix`: the default rows
// (processes that enter a namespace their parent is not in) and --all.
func BenchmarkRenderMatrix(b *testing.B) {
	for _, c := range []struct {
		name string
		o    nsls.MatrixOptions
	}{
		{"default", nsls.MatrixOptions{}},
		{"all", nsls.MatrixOptions{All: true}},
		{"json", nsls.MatrixOptions{JSON: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			benchEachSize(b, func(b *testing.B, s *tree.Snapshot) {
				for b.Loop() {
					if err := nsls.RenderMatrix(io.Discard, s, c.o); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkDeepTree renders the process tree of a chain of namespaces
// nested 2k and 10k deep (internal/hugesnap NSDeep) on an 80-column
// terminal. lsns never cuts a tree column narrower than its art, so the
// output grows as the square of the depth; "out-B/op" is its size, to set
// the time and memory against.
//
//	go test ./pkg/nsls -run '^$' -bench DeepTree -benchmem
func BenchmarkDeepTree(b *testing.B) {
	for _, n := range []int{2000, 10000} {
		s := hugesnap.Snapshot(hugesnap.NSDeep, n)
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			var cw countWriter
			for b.Loop() {
				if err := nsls.Render(&cw, s, nsls.Options{Types: []nsinfo.Type{nsinfo.PID}, IsTerm: true, TermWidth: 80, UTF8: true}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cw)/float64(b.N), "out-B/op")
		})
	}
}

// countWriter counts what is written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
