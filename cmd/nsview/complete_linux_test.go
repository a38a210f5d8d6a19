package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/spawntest"
	"github.com/nsview/nsview/pkg/nsinfo"
)

// TestCompleteSandboxes starts a detached sandbox and finds it among what
// `nsview spawn --stop <TAB>` offers: its PID namespace, described by its
// init and command, and, once a digit is typed, its init's PID; its inner
// init is not offered. The completion then stops it.
func TestCompleteSandboxes(t *testing.T) {
	spawntest.NeedRoot(t)
	cmd := nsviewCmd(t, "spawn", "--detach", "--json", "--depth", "2", "--", "sleep", "1000")
	stdout, stderr, code := runCmd(t, cmd)
	if code != 0 {
		t.Fatalf("spawn --detach: exit %d, %q", code, stderr)
	}
	var info struct {
		ID    string `json:"id"`
		Inits []int  `json:"inits"`
	}
	if err := json.Unmarshal([]byte(stdout), &info); err != nil || len(info.Inits) != 2 {
		t.Fatalf("spawn --detach --json: %q: %v", stdout, err)
	}
	pidns := spawntest.Namespaces(t, info.Inits[0], nsinfo.PID)
	defer func() {
		for _, p := range spawntest.InNamespace(pidns[0]) {
			syscall.Kill(p.PID, syscall.SIGKILL)
		}
		spawntest.CheckGone(t, 5*time.Second, pidns)
	}()
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
