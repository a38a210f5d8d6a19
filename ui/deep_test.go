package ui

import (
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/nsview/nsview/internal/hugesnap"
)

// RELIABILITY.md "Deep and wide", the terminal UI: on 100,000 processes in
// a chain, in a fan-out, and each in PID and user namespaces nested
// 100,000 deep, with the goroutine stack limited to 64 bytes a level (Go's
// default, 1 GiB, would hide a recursion 100,000 deep), the UI draws,
// moves to the bottom and back, finds the last process by search, folds,
// unfolds, switches pane and opens the namespace list; every frame is
// exactly the terminal's size. Under the race detector (ten times slower)
// the snapshots are a tenth as big.
func TestDeepAndWide(t *testing.T) {
	n := hugesnap.N
	if raceEnabled {
		n /= 10
	}
	defer debug.SetMaxStack(debug.SetMaxStack(n * 64))
	const w, h = 120, 40
	for _, kind := range hugesnap.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			tm := newTestModel(t, SnapshotSource(hugesnap.Snapshot(kind, n)), w, h, Options{})
			last := strconv.Itoa(n)
			for _, keys := range [][]string{{}, {"G"}, {"g"}, {"/", last, "enter"}, {"left"}, {"right"}, {"tab"}, {"G"}, {"tab"}, {"]"}, {"v"}, {"G"}, {"esc"}} {
				for _, k := range keys {
					if k == last {
						for _, r := range k {
							tm.key(string(r))
						}
						continue
					}
					tm.key(k)
				}
				lines := strings.Split(tm.plain(), "\n")
				if len(lines) != h {
					t.Errorf("%v: %d lines, want %d", keys, len(lines), h)
				}
				for i, l := range lines {
					if cw := ansi.StringWidth(l); cw != w {
						t.Errorf("%v: line %d is %d cells", keys, i, cw)
						break
					}
				}
				if len(keys) > 0 && keys[0] == "/" {
					if got := tm.selPID(); got != n {
						t.Errorf("search %s: selected %d", last, got)
					}
				}
			}
		})
	}
}
