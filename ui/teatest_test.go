package ui

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// The whole program, as Bubble Tea runs it: search, fold, switch pane,
// select a process in a nested namespace and see its inner PID on the
// right.
func TestProgramFlow(t *testing.T) {
	m := New(Options{Source: SnapshotSource(fixture()), Title: "fixture.json", Location: time.UTC})
	obs := &observed{Model: m}
	tm := teatest.NewTestModel(t, obs,
		teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
	// The program writes only what changed on the screen, so the screen
	// is read from the views it drew, not from its output.
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(obs.latest(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q; last screen:\n%s", what, obs.latest())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	press := func(keys ...string) {
		for _, k := range keys {
			tm.Send(keyPress(k))
		}
	}
	waitFor("19 processes")

	// Search: the first unshare, at the host level.
	press("/")
	tm.Type("unshare")
	waitFor("2 match(es)")
	press("enter")
	// Fold it: its 5 descendants are hidden.
	press("h")
	waitFor("+5")
	press("l")
	// The next match is the unshare inside namespace A (PID 3 there).
	press("n")
	waitFor("pid:[4026532301] · level 1")
	// Over to the right pane, one down: sh, PID 4 in A and 1 in B.
	press("tab", "j")
	waitFor("level 1 · 5 processes")
	press("q")

	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*observed).Model
	if p := fm.selected(); p == nil || p.PID != 48232 {
		t.Fatalf("selected %v, want sh 48232", p)
	}
	if fm.focus != paneRight || fm.rightNS.Ino != nsA {
		t.Errorf("focus %d right %s, want the right pane on A", fm.focus, fm.rightNS)
	}
	screen := ansi.Strip(fm.View().Content)
	for _, want := range []string{"sh 48232 → 1", "sh 4 → 1", "NSpid 48232 › 4 › 1"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen does not show %q:\n%s", want, screen)
		}
	}
}

// observed is the model with the last screen it drew kept, as plain text,
// for the test to read.
type observed struct {
	*Model
	screen atomic.Pointer[string]
}

func (o *observed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := o.Model.Update(msg)
	return o, cmd
}

func (o *observed) View() tea.View {
	v := o.Model.View()
	s := ansi.Strip(v.Content)
	o.screen.Store(&s)
	return v
}

// latest returns the last screen drawn.
func (o *observed) latest() string {
	if s := o.screen.Load(); s != nil {
		return *s
	}
	return ""
}
