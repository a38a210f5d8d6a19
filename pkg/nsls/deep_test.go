package nsls

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/hugesnap"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// RELIABILITY.md "Deep and wide": every way nsview ns draws (the table,
// -l, raw, JSON, a tree by process, parent and owner, as text and JSON)
// and the matrix (text and JSON, every process) on 100,000 processes in a
// chain, in a fan-out, and each in PID and user namespaces nested 100,000
// deep, with the goroutine stack limited to 64 bytes a level (Go's default,
// 1 GiB, would hide a recursion 100,000 deep): each finishes and shows every
// process or namespace. The trees of namespaces nested 100,000 deep are
// drawn 2,000 deep: lsns's tree forms indent each line by its depth (text
// and JSON alike), so their output grows as the square of the depth (10 GB
// at 100,000; the kernel nests PID and user namespaces at most 32 deep).
// Under the race detector (ten times slower) the snapshots are a tenth as
// big.
func TestDeepAndWide(t *testing.T) {
	n, treeDepth := hugesnap.N, 2000
	if raceEnabled {
		n, treeDepth = n/10, treeDepth/10
	}
	// A recursion n deep takes at least 64 bytes a level.
	defer debug.SetMaxStack(debug.SetMaxStack(n * 64))
	for _, kind := range hugesnap.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			s := hugesnap.Snapshot(kind, n)
			flat := []Options{
				{Types: []nsinfo.Type{nsinfo.PID}, List: true, Output: []string{"+PNS,ONS"}},
				{Types: []nsinfo.Type{nsinfo.PID}, List: true, Format: Raw},
				{Types: []nsinfo.Type{nsinfo.PID}, List: true, Format: JSON},
			}
			trees := []Options{
				{Types: []nsinfo.Type{nsinfo.PID}},
				{Types: []nsinfo.Type{nsinfo.PID}, Format: JSON},
				{Types: []nsinfo.Type{nsinfo.PID}, Tree: TreeProcess},
				{Types: []nsinfo.Type{nsinfo.PID}, Tree: TreeParent},
				{Types: []nsinfo.Type{nsinfo.PID}, Tree: TreeParent, Format: JSON},
				{Types: []nsinfo.Type{nsinfo.PID, nsinfo.User}, Tree: TreeOwner},
				{Types: []nsinfo.Type{nsinfo.PID, nsinfo.User}, Tree: TreeOwner, Format: JSON},
			}
			render := func(s *tree.Snapshot, opts []Options, pidNS int) {
				for _, o := range opts {
					var b bytes.Buffer
					if err := Render(&b, s, o); err != nil {
						t.Fatalf("%+v: %v", o, err)
					}
					if got := strings.Count(b.String(), "pid"); got < pidNS {
						t.Errorf("%+v: %d PID namespaces shown, want %d", o, got, pidNS)
					}
				}
			}
			if kind == hugesnap.NSDeep {
				render(s, flat, n)
				render(hugesnap.Snapshot(kind, treeDepth), trees, treeDepth)
			} else {
				render(s, append(flat, trees...), 1)
			}
			for _, o := range []MatrixOptions{{All: true}, {All: true, JSON: true}} {
				var b bytes.Buffer
				if err := RenderMatrix(&b, s, o); err != nil {
					t.Fatalf("%+v: %v", o, err)
				}
				if got := strings.Count(b.String(), hugesnap.Name); got < n {
					t.Errorf("matrix %+v: %d processes shown, want %d", o, got, n)
				}
			}
		})
	}
}
