package nsls_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/nsview/nsview/internal/synth"
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
