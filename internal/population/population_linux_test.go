package population

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/testenv"
)

// TestMain lets the test binary be the population's init, as the real
// helper is: Start runs `unshare ... SELF init -level 1 -plan ...`.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		os.Exit(runInitArgs(os.Args[2:]))
	}
	os.Exit(m.Run())
}

func runInitArgs(args []string) int {
	cfg := InitConfig{Self: os.Args[0]}
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "-level":
			cfg.Level, _ = strconv.Atoi(args[i+1])
		case "-plan":
			cfg.Plan, _ = ParsePlan(args[i+1])
		case "-idle":
			cfg.Idle = args[i+1]
		}
	}
	if self, err := os.Executable(); err == nil {
		cfg.Self = self
	}
	if err := RunInit(cfg); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

// needRoot skips outside CI unless root with unshare; in CI it fails.
func needRoot(t *testing.T) {
	t.Helper()
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare")
}

// TestStartStop starts a small population, checks its shape against the
// kernel (each level's processes have NSpid chains as long as their level
// is deep, and ps inside each level sees exactly that level's share), then
// stops it twice and checks nothing is left: no recorded process, no
// process in any recorded namespace, no state file, pid_max as before.
func TestStartStop(t *testing.T) {
	needRoot(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state")
	// An fd without close-on-exec, as a shell or job runner leaks to the
	// commands it runs: the idle children must not hold it.
	leak, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer leak.Close()
	if _, err := unix.FcntlInt(leak.Fd(), unix.F_SETFD, 0); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := Start(ctx, Config{N: 48, Levels: 4, State: state, Self: self, Out: &out})
	t.Cleanup(func() { Stop(state, &out) })
	if err != nil {
		t.Fatalf("Start: %v\n%s", err, out.String())
	}
	// 48 processes fit any pid_max: Start must leave it alone (the raise
	// itself is pidMaxFor's, tested on its own; comparing the sysctl
	// before and after would race with whatever else runs here).
	if st.PIDMaxSet != 0 {
		t.Errorf("Start raised kernel.pid_max to %d for 48 processes", st.PIDMaxSet)
	}
	if len(st.Procs) != 48 || len(st.NS) != 8 {
		t.Fatalf("recorded %d processes and %d namespaces, want 48 and 8", len(st.Procs), len(st.NS))
	}
	back, err := ReadState(state)
	if err != nil || !back.Complete || len(back.Procs) != 48 {
		t.Fatalf("state file: %+v, %v", back, err)
	}

	perLevel := map[int]int{}
	initOf := map[int]int{}
	for _, p := range st.Procs {
		chain, err := nspid(p.PID)
		if err != nil {
			t.Fatalf("process %d (%s, level %d): %v", p.PID, p.Role, p.Level, err)
		}
		if len(chain) != p.Level+1 {
			t.Errorf("process %d (%s, level %d) has NSpid %v", p.PID, p.Role, p.Level, chain)
		}
		perLevel[p.Level]++
		if p.Role == RoleIdle {
			fdDir := "/proc/" + strconv.Itoa(p.PID) + "/fd"
			ents, err := os.ReadDir(fdDir)
			if err != nil {
				t.Fatal(err)
			}
			var held []string
			for _, e := range ents {
				l, _ := os.Readlink(filepath.Join(fdDir, e.Name()))
				held = append(held, e.Name()+" "+l)
			}
			if want := []string{"0 /dev/null", "1 /dev/null", "2 /dev/null"}; !slices.Equal(held, want) {
				t.Errorf("idle child %d holds fds %q, want %q", p.PID, held, want)
			}
		}
		if p.Role == RoleInit {
			initOf[p.Level] = p.PID
		}
	}
	// Level L holds its init, its 10 idle children and, but for the last,
	// the unshare of the next level.
	for level := 1; level <= 4; level++ {
		want := 11
		if level < 4 {
			want++
		}
		if perLevel[level] != want {
			t.Errorf("level %d holds %d processes, want %d", level, perLevel[level], want)
		}
		// ps in that level's namespaces counts that level and all below.
		cmd := exec.Command("nsenter", "-t", strconv.Itoa(initOf[level]), "-p", "-m", "ps", "-e", "-o", "pid=")
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("nsenter into level %d: %v", level, err)
		}
		inside := len(strings.Fields(string(b))) - 1 // ps itself
		below := 0
		for l := level; l <= 4; l++ {
			below += perLevel[l]
		}
		if inside != below {
			t.Errorf("ps inside level %d sees %d processes, want %d", level, inside, below)
		}
	}

	if err := Stop(state, &out); err != nil {
		t.Fatalf("Stop: %v\n%s", err, out.String())
	}
	buf := make([]byte, 0, 1024)
	for _, p := range st.Procs {
		if alive(p, buf) {
			t.Errorf("process %d (%s) outlived Stop", p.PID, p.Role)
		}
	}
	if h, err := nsHolders(st.NS); err != nil || len(h) > 0 {
		t.Errorf("namespaces still held: %v %v", h, err)
	}
	if _, err := os.Stat(state); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("state file left: %v", err)
	}
	if _, err := os.Stat(st.Idle); st.Idle != "" && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("idle program left: %v", err)
	}
	if err := Stop(state, &out); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestStopSparesReusedPID records a live process of ours under a wrong
// start time, as if its PID had been reused: Stop must leave it alone.
func TestStopSparesReusedPID(t *testing.T) {
	needRoot(t)
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	tk, err := readTask(cmd.Process.Pid, make([]byte, 0, 1024))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state")
	st := &State{N: 1, Levels: 1, Complete: true, Procs: []Proc{{PID: tk.pid, Start: tk.start + 1, Role: RoleIdle, Level: 1}}}
	if err := st.Write(state); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Stop(state, &out); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !alive(Proc{PID: tk.pid, Start: tk.start}, nil) {
		t.Fatalf("Stop killed process %d, whose start time did not match the record", tk.pid)
	}
}

// TestStartRefusesRunning checks a second Start over a live population
// fails without touching it.
func TestStartRefusesRunning(t *testing.T) {
	needRoot(t)
	self, _ := os.Executable()
	state := filepath.Join(t.TempDir(), "state")
	var out bytes.Buffer
	ctx := context.Background()
	st, err := Start(ctx, Config{N: 12, Levels: 2, State: state, Self: self, Out: &out})
	t.Cleanup(func() { Stop(state, &out) })
	if err != nil {
		t.Fatalf("Start: %v\n%s", err, out.String())
	}
	if _, err := Start(ctx, Config{N: 12, Levels: 2, State: state, Self: self, Out: &out}); err == nil {
		t.Fatal("second Start over a running population succeeded")
	}
	if alive, total, err := Status(state); err != nil || alive != total || total != len(st.Procs) {
		t.Fatalf("Status after the refused Start: %d of %d alive, %v", alive, total, err)
	}
}
