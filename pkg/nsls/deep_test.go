package nsls

import (
	"bytes"
	"errors"
	"runtime/debug"
	"strings"
	"syscall"
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
// drawn in full 2,000 deep: lsns's tree forms indent each line by its depth
// (text and JSON alike, and on a terminal too: libsmartcols never cuts a
// tree column narrower than its art), so their output grows as the square
// of the depth (10 GB at 100,000; the kernel nests PID and user namespaces
// at most 32 deep). At 100,000 deep each tree form, on an 80-column
// terminal and not, writes into a pipe that breaks after 1 MiB, as under
// `| head`: it must stop with the pipe's error, having built no more than
// the lines it wrote (the renderer that built every line's art first was
// killed for memory here). Under the race detector (ten times slower) the
// snapshots are a tenth as big.
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
				for _, o := range trees {
					for _, term := range []bool{false, true} {
						o.IsTerm, o.TermWidth, o.UTF8 = term, 80, true
						w := &brokenPipe{left: 1 << 20}
						if err := Render(w, s, o); !errors.Is(err, syscall.EPIPE) {
							t.Errorf("%+v, 100,000 deep into a pipe that breaks: %v, want EPIPE", o, err)
						}
						if head := bytes.TrimLeft(w.head, " "); w.written < 1<<20 || !(bytes.HasPrefix(head, []byte("NS")) || bytes.HasPrefix(head, []byte("{"))) {
							t.Errorf("%+v: %d bytes before the pipe broke, starting %q", o, w.written, w.head)
						}
					}
				}
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

// brokenPipe takes left bytes, then fails as a pipe whose reader has gone.
type brokenPipe struct {
	left, written int
	head          []byte
}

func (b *brokenPipe) Write(p []byte) (int, error) {
	if len(b.head) < 200 {
		b.head = append(b.head, p[:min(len(p), 200)]...)
	}
	n := min(len(p), b.left)
	b.left -= n
	b.written += n
	if n < len(p) {
		return n, syscall.EPIPE
	}
	return n, nil
}
