package population

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Start starts the population and returns once every process is alive, with
// its state written to cfg.State. If it fails or ctx ends, whatever it
// started is ended before it returns.
func Start(ctx context.Context, cfg Config) (*State, error) {
	if cfg.Levels == 0 {
		cfg.Levels = Levels
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 60*time.Second + time.Duration(cfg.N)*10*time.Millisecond
	}
	plan, err := NewPlan(cfg.N, cfg.Levels)
	if err != nil {
		return nil, err
	}
	if err := clearStale(cfg); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		return nil, fmt.Errorf("start population: %w (install util-linux)", err)
	}

	st := &State{N: plan.Total(), Levels: cfg.Levels}
	st.PIDMaxOld, st.PIDMaxSet, err = raisePIDMax(st.N)
	if err != nil {
		return nil, err
	}
	if st.PIDMaxSet != 0 {
		fmt.Fprintf(cfg.Out, "population: raised kernel.pid_max from %d to %d (restored by stop)\n", st.PIDMaxOld, st.PIDMaxSet)
	}
	dir := filepath.Dir(cfg.State)
	if elf := idleELF(); elf != nil {
		st.Idle = filepath.Join(dir, IdleComm)
		if err := os.WriteFile(st.Idle+".tmp", elf, 0o755); err != nil {
			return nil, fail(cfg, st, fmt.Errorf("write idle program: %w", err))
		}
		if err := os.Rename(st.Idle+".tmp", st.Idle); err != nil {
			return nil, fail(cfg, st, fmt.Errorf("write idle program: %w", err))
		}
	}
	// Nothing is running yet; from here on Stop can undo what is recorded.
	if err := st.Write(cfg.State); err != nil {
		return nil, fail(cfg, st, err)
	}

	logPath := cfg.State + ".log"
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fail(cfg, st, fmt.Errorf("create log: %w", err))
	}
	defer logf.Close()
	icfg := InitConfig{Plan: plan, Idle: st.Idle, Self: cfg.Self}
	top := exec.Command("unshare", unshareArgs(icfg, 1)...)
	top.Stdout, top.Stderr = logf, logf
	// Its own session, so that the shell's Ctrl-C after start returned
	// does not reach it: only stop ends it.
	top.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	began := time.Now()
	if err := top.Start(); err != nil {
		return nil, fail(cfg, st, fmt.Errorf("start unshare: %w", err))
	}
	exited := make(chan error, 1)
	go func() { exited <- top.Wait() }()
	t, err := readTask(top.Process.Pid, make([]byte, 0, 1024))
	if err != nil {
		top.Process.Kill()
		return nil, fail(cfg, st, fmt.Errorf("read the unshare just started: %w", err))
	}
	st.Procs = []Proc{{PID: t.pid, Start: t.start, Role: RoleUnshare, Level: 0}}
	if err := st.Write(cfg.State); err != nil {
		top.Process.Kill()
		return nil, fail(cfg, st, err)
	}

	initComm := filepath.Base(cfg.Self)
	if len(initComm) > 15 {
		initComm = initComm[:15]
	}
	deadline := time.NewTimer(cfg.Timeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, fail(cfg, st, fmt.Errorf("start population: %w", context.Cause(ctx)))
		case err := <-exited:
			return nil, fail(cfg, st, fmt.Errorf("start population: unshare exited (%v) before the population was up%s", err, logTail(logPath)))
		case <-deadline.C:
			return nil, fail(cfg, st, fmt.Errorf("start population: not all %d processes up after %s%s", st.N, cfg.Timeout, logTail(logPath)))
		case <-tick.C:
		}
		tasks, err := allTasks()
		if err != nil {
			return nil, fail(cfg, st, err)
		}
		procs, ready := classify(st.Procs[0], tasks, plan, initComm)
		if !ready {
			continue
		}
		st.Procs = procs
		if err := recordNamespaces(st); err != nil {
			return nil, fail(cfg, st, err)
		}
		st.Complete = true
		if err := st.Write(cfg.State); err != nil {
			return nil, fail(cfg, st, err)
		}
		fmt.Fprintf(cfg.Out, "population: %d processes over %d nested PID namespaces (idle children per level %s) up in %.1fs; state in %s\n",
			st.N, cfg.Levels, plan, time.Since(began).Seconds(), cfg.State)
		return st, nil
	}
}

// clearStale refuses to start over a running population, and tidies up
// after one that is gone (restoring pid_max, removing its files).
func clearStale(cfg Config) error {
	old, err := ReadState(cfg.State)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	buf := make([]byte, 0, 1024)
	for _, p := range old.Procs {
		if alive(p, buf) {
			return fmt.Errorf("a population is running (state %s, PID %d alive): run `scripts/population stop` first", cfg.State, p.PID)
		}
	}
	return Stop(cfg.State, cfg.Out)
}

// fail ends what Start started and returns err (with any error of the
// clean-up added).
func fail(cfg Config, st *State, err error) error {
	if werr := st.Write(cfg.State); werr != nil {
		return errors.Join(err, werr)
	}
	if serr := Stop(cfg.State, cfg.Out); serr != nil {
		return errors.Join(err, fmt.Errorf("clean up: %w", serr))
	}
	return err
}

// classify finds the population below the outermost unshare among tasks,
// and says whether it is complete: every init and idle child started and
// done with exec, as many per level as the plan says.
func classify(top Proc, tasks []task, plan Plan, initComm string) ([]Proc, bool) {
	children := make(map[int][]*task)
	var root *task
	for i := range tasks {
		t := &tasks[i]
		if t.pid == top.PID && t.start == top.Start {
			root = t
			continue
		}
		children[t.ppid] = append(children[t.ppid], t)
	}
	if root == nil || root.comm != "unshare" {
		return nil, false
	}
	procs := []Proc{top}
	idle := make([]int, len(plan))
	for i := 0; i < len(procs); i++ {
		p := procs[i]
		for _, c := range children[p.PID] {
			q := Proc{PID: c.pid, Start: c.start, Level: p.Level}
			switch {
			case p.Role == RoleUnshare && c.comm == initComm:
				q.Role, q.Level = RoleInit, p.Level+1
			case p.Role == RoleInit && c.comm == "unshare" && p.Level < len(plan):
				q.Role = RoleUnshare
			case p.Role == RoleInit && (c.comm == IdleComm || c.comm == "sleep"):
				q.Role = RoleIdle
				idle[p.Level-1]++
			default:
				// Not yet exec'd, or something that does not belong.
				return nil, false
			}
			procs = append(procs, q)
		}
	}
	if len(procs) != plan.Total() {
		return nil, false
	}
	for i := range plan {
		if idle[i] != plan[i] {
			return nil, false
		}
	}
	return procs, true
}

// recordNamespaces adds each level's PID and mount namespace to the state,
// after checking that the inits nest as planned: the init of level L has an
// NSpid chain of L+1 entries ending in 1.
func recordNamespaces(st *State) error {
	for _, p := range st.Procs {
		if p.Role != RoleInit {
			continue
		}
		chain, err := nspid(p.PID)
		if err != nil {
			return fmt.Errorf("read NSpid of init %d: %w", p.PID, err)
		}
		if len(chain) != p.Level+1 || chain[len(chain)-1] != 1 {
			return fmt.Errorf("init %d of level %d has NSpid %v: the namespaces do not nest as planned", p.PID, p.Level, chain)
		}
		for _, typ := range []string{"pid", "mnt"} {
			ino, err := nsOf(p.PID, typ)
			if err != nil {
				return fmt.Errorf("read %s namespace of init %d: %w", typ, p.PID, err)
			}
			st.NS = append(st.NS, NS{Type: typ, Ino: ino, Level: p.Level})
		}
	}
	return nil
}

// logTail returns the end of the log, for an error message.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 500 {
		b = b[len(b)-500:]
	}
	return ": " + strings.TrimSpace(strings.ReplaceAll(string(b), "\n", "; "))
}
