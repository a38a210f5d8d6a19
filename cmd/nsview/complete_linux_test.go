package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/spawntest"
	"github.com/nsview/nsview/internal/testenv"
)

// TestCompleteSandboxes starts a detached sandbox and finds it among what
// `nsview spawn --stop <TAB>` offers: its PID namespace, described by its
// init and command, and, once a digit is typed, its init's PID; its inner
// init is not offered. The completion then stops it.
func TestCompleteSandboxes(t *testing.T) {
	testenv.NeedRoot(t)
	info := spawnDetached(t, "--depth", "2", "--", "sleep", "1000")
	pidns := info.pidns
	// nsview may exit before the command has executed sleep.
	if !testenv.Poll(10*time.Second, func() bool { p, _ := spawntest.Stat(info.CommandPID); return p.Comm == "sleep" }) {
		t.Fatalf("the command %d never became sleep", info.CommandPID)
	}
	outer, inner := strconv.Itoa(info.Inits[0]), strconv.Itoa(info.Inits[1])
	got, _ := complete(t, "spawn", "--stop", "")
	want := fmt.Sprintf("%s\tinit %s, running sleep", info.ID, outer)
	if !slices.Contains(got, want) {
		t.Errorf("spawn --stop <TAB>: %q, want %q in it", got, want)
	}
	got, _ = complete(t, "spawn", "--stop", outer[:1])
	want = fmt.Sprintf("%s\tinit of %s, running sleep", outer, info.ID)
	if !slices.Contains(got, want) {
		t.Errorf("spawn --stop %s<TAB>: %q, want %q in it", outer[:1], got, want)
	}
	if slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, inner+"\t") }) {
		t.Errorf("spawn --stop offers the inner init %s: %q", inner, got)
	}
	// What was offered is what --stop takes.
	if _, stderr, code := runNsview(t, "spawn", "--stop", info.ID); code != 0 {
		t.Errorf("spawn --stop %s: exit %d, %q", info.ID, code, stderr)
	}
	spawntest.CheckGone(t, 5*time.Second, pidns)
	if got, _ := complete(t, "spawn", "--stop", info.ID[:5]); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, info.ID+"\t") }) {
		t.Errorf("spawn --stop <TAB> after --stop: %s still offered", info.ID)
	}
}
