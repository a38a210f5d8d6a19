package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/testenv"
)

// asNobody runs nsview as user nobody, as a user who is not root would.
func asNobody(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	testenv.NeedTools(t, "setpriv")
	// The test binary's directory is private: let nobody run it.
	if err := os.Chmod(filepath.Dir(nsviewBin), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", nsviewBin}, args...)...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestUnprivileged: as nobody, nsview shows what it can read, ? for the
// rest, says how many processes it could not read (stderr and JSON), still
// shows every NSpid level, and exits 0.
func TestUnprivileged(t *testing.T) {
	n1, n2 := nestedSleep(t)
	nspid := nspidOf(t, n2)

	out, errOut, code := asNobody(t, "ns", "-J")
	if code != 0 {
		t.Fatalf("ns -J as nobody: exit %d: %s", code, errOut)
	}
	var doc struct {
		Namespaces []map[string]any `json:"namespaces"`
		Unreadable int              `json:"unreadable"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Unreadable == 0 || len(doc.Namespaces) == 0 {
		t.Errorf("as nobody: %d namespaces, %d unreadable; want some of each", len(doc.Namespaces), doc.Unreadable)
	}
	if !strings.Contains(errOut, "unreadable") {
		t.Errorf("no count of unreadable processes on stderr: %q", errOut)
	}

	out, errOut, code = asNobody(t, "pid", "--json", strconv.Itoa(n2))
	if code != 0 {
		t.Fatalf("pid as nobody: exit %d: %s", code, errOut)
	}
	var pd struct {
		Processes []struct {
			Levels []struct {
				PID  int    `json:"pid"`
				NS   uint64 `json:"ns"`
				Init int    `json:"init"`
			} `json:"levels"`
			Namespaces []struct {
				NS *uint64 `json:"ns"`
			} `json:"namespaces"`
			Method string `json:"method"`
		} `json:"processes"`
		Unreadable int `json:"unreadable"`
	}
	if err := json.Unmarshal([]byte(out), &pd); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	p := pd.Processes[0]
	if len(p.Levels) != 3 {
		t.Fatalf("as nobody: %d levels, want 3 (NSpid is readable)", len(p.Levels))
	}
	for l, lv := range p.Levels {
		if lv.PID != nspid[l] {
			t.Errorf("level %d: PID %d, want %d", l, lv.PID, nspid[l])
		}
		if lv.NS != 0 {
			t.Errorf("level %d: namespace %d shown, but nobody cannot read it", l, lv.NS)
		}
	}
	if p.Levels[1].Init != n1 || p.Levels[2].Init != n2 {
		t.Errorf("inits %d %d, want %d %d (from NSpid and parentage)", p.Levels[1].Init, p.Levels[2].Init, n1, n2)
	}
	if p.Method != "nspid" || pd.Unreadable == 0 {
		t.Errorf("method %s, unreadable %d", p.Method, pd.Unreadable)
	}
	for _, n := range p.Namespaces {
		if n.NS != nil {
			t.Errorf("a namespace of root's process is shown to nobody: %d", *n.NS)
		}
	}

	out, errOut, code = asNobody(t, "ns", "--matrix", strconv.Itoa(n2))
	if code != 0 {
		t.Fatalf("--matrix as nobody: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, " ? ") {
		t.Errorf("--matrix as nobody shows no ?:\n%s", out)
	}
}
