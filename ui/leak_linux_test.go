//go:build linux

package ui

import (
	"maps"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
)

// RELIABILITY.md, issue 7 "No leaks over time": the UI refreshing 1,000
// times over a live /proc, as the program does it (the scanning tea.Cmd,
// then Update with its snapshotMsg, then View), while processes start and
// end and the selection moves (so the pidfds pinned on the processes on
// screen change), keeps the open-fd and goroutine counts where they were.
// In a PID namespace of its own, so that a refresh costs the same on a busy
// machine.
func TestRefreshNoLeaks(t *testing.T) {
	if testenv.InFreshPIDNamespace(t) {
		return
	}
	testenv.NeedTools(t, "unshare", "sleep")
	proc, err := nsinfo.NewProcFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	src := LiveSource(proc)
	defer src.(interface{ Close() error }).Close()
	m := New(Options{Source: src, Interval: time.Second})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})

	// Something to show in every way: a nested PID namespace, and
	// processes that come and go.
	nested := exec.Command("unshare", "--pid", "--fork", "--kill-child", "sleep", "3600")
	if err := nested.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { nested.Process.Kill(); nested.Wait() }()
	var churn []*exec.Cmd
	defer func() {
		for _, c := range churn {
			c.Process.Kill()
			c.Wait()
		}
	}()
	refresh := func(i int) {
		t.Helper()
		if i%10 == 0 {
			c := exec.Command("sleep", "3600")
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			churn = append(churn, c)
			if len(churn) > 3 {
				churn[0].Process.Kill()
				churn[0].Wait()
				churn = churn[1:]
			}
		}
		scan := m.startScan()
		if scan == nil {
			t.Fatal("no scan started: the last one never ended")
		}
		msg := scan()
		if sm, ok := msg.(snapshotMsg); !ok || sm.err != nil {
			t.Fatalf("refresh %d: %#v", i, msg)
		}
		m.Update(msg) // the tick it schedules is not run: the loop is the clock
		key := tea.KeyPressMsg{Code: tea.KeyDown}
		if i%50 >= 25 {
			key = tea.KeyPressMsg{Code: tea.KeyUp}
		}
		m.Update(key)
		_ = m.View()
	}
	// Warm up (the first scan, the users, the styles, three processes of
	// churn), then count at the same point of the churn and of the
	// selection's moves: the same processes hold pidfds (os.Process, and
	// the Rescanner's pins on the processes on screen).
	const cycle, refreshes = 50, 1000
	for i := range cycle {
		refresh(i)
	}
	fds, goroutines := openFDs(t), runtime.NumGoroutine()
	for i := cycle; i < cycle+refreshes; i++ {
		refresh(i)
	}
	if m.scans < cycle+refreshes {
		t.Fatalf("%d scans shown, want %d", m.scans, refreshes)
	}
	testenv.WaitFor(t, 5*time.Second, "the scan goroutines to end", func() bool { return runtime.NumGoroutine() <= goroutines })
	// Pidfds come and go with the processes on screen (the Rescanner pins
	// those it is asked fresh): at most one per process of this namespace,
	// and one per child of the test (os.Process holds one). Every other
	// descriptor is the same as before.
	got := openFDs(t)
	if n, most := got["anon_inode:[pidfd]"], len(m.raw.Processes)+1+len(churn); n > most {
		t.Errorf("%d refreshes: %d pidfds open, at most %d expected (%d processes)", refreshes, n, most, len(m.raw.Processes))
	}
	delete(got, "anon_inode:[pidfd]")
	delete(fds, "anon_inode:[pidfd]")
	if !maps.Equal(got, fds) {
		t.Errorf("%d refreshes: open fds %v, before %v", refreshes, got, fds)
	}
}

// openFDs counts this process's open descriptors by what they are (a
// socket or pipe counts by its kind, not its inode).
func openFDs(t *testing.T) map[string]int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range entries {
		link, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue // the directory being read
		}
		if kind, _, ok := strings.Cut(link, ":["); ok && !strings.HasPrefix(link, "anon_inode:") {
			link = kind
		}
		out[link]++
	}
	return out
}
