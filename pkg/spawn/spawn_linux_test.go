package spawn_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/spawntest"
	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
	"golang.org/x/sys/unix"
)

// The command's NSpid has one entry per level plus the caller's; it is PID
// 2 innermost under nsview's init (PID 1 with NoInit), which the kernel
// confirms from inside ($$ and ps); each level's init is PID 1 of its own
// namespace, and each namespace's parent is the level above.
func TestNSpidAndPIDsInside(t *testing.T) {
	base := selfDepth(t)
	for _, tc := range []struct {
		depth  int
		noInit bool
	}{{1, false}, {2, false}, {3, false}, {1, true}, {3, true}, {spawn.MaxDepth - base, false}} {
		t.Run(fmt.Sprintf("depth=%d,no-init=%v", tc.depth, tc.noInit), func(t *testing.T) {
			info, code, out := run(t, spawn.Options{
				Depth:   tc.depth,
				NoInit:  tc.noInit,
				Command: []string{"sh", "-c", `echo "self $$"; ps -e -o pid=,ppid=,comm=`},
			})
			if code != 0 {
				t.Fatalf("exit %d, output %q", code, out)
			}
			wantPID := 2
			wantInits := tc.depth
			if tc.noInit {
				wantPID, wantInits = 1, tc.depth-1
			}
			if n := len(info.CommandNSpid); n != base+tc.depth+1 {
				t.Errorf("NSpid %v has %d entries, want %d", info.CommandNSpid, n, base+tc.depth+1)
			}
			if len(info.CommandNSpid) == 0 || info.CommandNSpid[0] != info.CommandPID {
				t.Errorf("NSpid %v does not start with the host PID %d", info.CommandNSpid, info.CommandPID)
			}
			if got := info.CommandNSpid[len(info.CommandNSpid)-1]; got != wantPID {
				t.Errorf("innermost PID %d, want %d (NSpid %v)", got, wantPID, info.CommandNSpid)
			}
			if len(info.Inits) != wantInits || len(info.PIDNamespaces) != tc.depth {
				t.Fatalf("%d inits and %d PID namespaces, want %d and %d: %+v", len(info.Inits), len(info.PIDNamespaces), wantInits, tc.depth, info)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if lines[0] != "self "+strconv.Itoa(wantPID) {
				t.Errorf("inside, $$ says %q, want self %d", lines[0], wantPID)
			}
			ps := map[string]string{}
			for _, l := range lines[1:] {
				f := strings.Fields(l)
				if len(f) == 3 {
					ps[f[0]] = f[1] + " " + f[2]
				}
			}
			want := map[string]string{"1": "0 nsview-init", "2": "1 sh"}
			if tc.noInit {
				want = map[string]string{"1": "0 sh"}
			}
			for pid, w := range want {
				if ps[pid] != w {
					t.Errorf("ps inside: PID %s is %q, want %q (ps said %q)", pid, ps[pid], w, lines[1:])
				}
			}
		})
	}
}

// Each level's init is PID 1 of its namespace, the namespaces nest as the
// levels do, and what Info says matches the kernel's own answers.
func TestLevelsNest(t *testing.T) {
	s := start(t, spawn.Options{Depth: 3, Command: []string{"sleep", "1000"}})
	for i, pid := range s.info.Inits {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := nsinfo.ParseStatus(b)
		if st.NSpid[len(st.NSpid)-1] != 1 {
			t.Errorf("init %d (level %d) has NSpid %v, want PID 1 innermost", pid, i+1, st.NSpid)
		}
		info, err := nsinfo.Inspect(fmt.Sprintf("/proc/%d/ns/pid", pid))
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != s.info.PIDNamespaces[i] {
			t.Errorf("level %d: init's PID namespace %s, Info says %s", i+1, info.ID, s.info.PIDNamespaces[i])
		}
		if i > 0 && info.Parent != s.info.PIDNamespaces[i-1] {
			t.Errorf("level %d: parent namespace %s, want %s", i+1, info.Parent, s.info.PIDNamespaces[i-1])
		}
	}
	if comm := procComm(s.info.Inits[0]); comm != "nsview-init" {
		t.Errorf("init's name is %q, want nsview-init", comm)
	}
	if err := s.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code, _ := s.wait(t); code != 128+9 {
		t.Errorf("after SIGKILL: exit %d, want 137", code)
	}
}

func wchan(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/wchan", pid))
	return string(b)
}

func procComm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// /proc inside is a proc of the new namespace, mounted after making mounts
// private, so the caller's mount table is the same before, during and
// after.
func TestProcInsideAndHostMountsUnchanged(t *testing.T) {
	before, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	in, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	s := start(t, spawn.Options{
		Depth:   2,
		Stdin:   in,
		Command: []string{"sh", "-c", `stat -f -c %t /proc; ls /proc/1/ns >/dev/null && echo ok; read x; exit 0`},
	})
	s.out.waitFor(t, "ok", 10*time.Second)
	during, _ := os.ReadFile("/proc/self/mountinfo")
	inW.Close()
	code, out := s.wait(t)
	after, _ := os.ReadFile("/proc/self/mountinfo")
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("%x\n", unix.PROC_SUPER_MAGIC)) {
		t.Errorf("statfs of /proc inside: %q (exit %d), want %x", out, code, unix.PROC_SUPER_MAGIC)
	}
	if string(during) != string(before) {
		t.Errorf("host mountinfo changed while the sandbox ran:\nbefore:\n%s\nduring:\n%s", before, during)
	}
	if string(after) != string(before) {
		t.Errorf("host mountinfo changed after the sandbox:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// 100 orphaned grandchildren are re-parented to nsview's init and reaped:
// 2 s after they end no zombie is left.
func TestOrphansReaped(t *testing.T) {
	s := start(t, spawn.Options{Command: []string{"sh", "-c",
		`i=0; while [ $i -lt 100 ]; do (sleep 1000 &); i=$((i+1)); done; echo spawned; exec sleep 1000`}})
	s.out.waitFor(t, "spawned", 60*time.Second)
	init := s.info.Inits[0]
	pidns := spawntest.Namespaces(t, init, nsinfo.PID)[0]
	orphans := func() []spawntest.Proc {
		var o []spawntest.Proc
		for _, p := range spawntest.InNamespace(pidns) {
			if p.PPID == init && p.PID != s.info.CommandPID {
				o = append(o, p)
			}
		}
		return o
	}
	// Each orphan is a fork of a subshell that then execs sleep: wait for
	// the exec, or one seen before it is not killed and stays (a flake
	// seen on a busy machine).
	var o []spawntest.Proc
	if !testenv.Poll(10*time.Second, func() bool {
		o = orphans()
		return len(o) == 100 && !slices.ContainsFunc(o, func(p spawntest.Proc) bool { return p.Comm != "sleep" })
	}) {
		t.Fatalf("%d orphans re-parented to the init, want 100 sleeps: %v", len(o), o)
	}
	for _, p := range o {
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
	var left []spawntest.Proc
	if !testenv.Poll(2*time.Second, func() bool { left = orphans(); return len(left) == 0 }) {
		zombies := 0
		for _, p := range left {
			if p.State == 'Z' {
				zombies++
			}
		}
		t.Fatalf("2 s after the orphans ended, %d are left (%d zombies)", len(left), zombies)
	}
}

// Every catchable signal sent through Signal reaches the command exactly
// once, through every level.
func TestSignalsForwardedOnce(t *testing.T) {
	for _, depth := range []int{1, 3} {
		t.Run(fmt.Sprintf("depth=%d", depth), func(t *testing.T) {
			s := start(t, spawn.Options{Depth: depth, Command: []string{"sh", "-c", trapScript}})
			s.out.waitFor(t, "ready\n", 10*time.Second)
			want := "ready\n"
			for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGINT, syscall.SIGWINCH} {
				if err := s.Signal(sig); err != nil {
					t.Fatalf("Signal(%v): %v", sig, err)
				}
				want += "got " + unix.SignalName(sig) + "\n"
				s.out.waitFor(t, want, 10*time.Second)
			}
			s.Signal(syscall.SIGUSR2)
			code, out := s.wait(t)
			if out != want+"bye\n" || code != 3 {
				t.Errorf("output %q, exit %d; want %q, exit 3", out, code, want+"bye\n")
			}
		})
	}
}

// trapScript reports each signal it gets, once per delivery, and exits 3
// on SIGUSR2.
const trapScript = `for s in TERM USR1 HUP INT WINCH; do trap "echo got SIG$s" $s; done
trap 'echo bye; exit 3' USR2
echo ready
while :; do sleep 1000 & wait $!; kill $! 2>/dev/null; done`

// The command's exit code passes through; death by signal n gives 128+n.
func TestExitCodes(t *testing.T) {
	for _, depth := range []int{1, 2} {
		for _, tc := range []struct {
			script string
			want   int
		}{{"exit 0", 0}, {"exit 1", 1}, {"exit 7", 7}, {"exit 255", 255}, {"kill -KILL $$", 137}, {"kill -TERM $$", 143}} {
			t.Run(fmt.Sprintf("depth=%d/%s", depth, tc.script), func(t *testing.T) {
				_, code, out := run(t, spawn.Options{Depth: depth, Command: []string{"sh", "-c", tc.script}})
				if code != tc.want {
					t.Errorf("exit %d, want %d (output %q)", code, tc.want, out)
				}
			})
		}
	}
}

// The command sees exactly fds 0, 1 and 2, even when the caller holds a
// descriptor without close-on-exec; its signal mask and dispositions are
// those of a process the caller starts directly.
func TestCommandStartsClean(t *testing.T) {
	testenv.NeedRoot(t)
	leak, err := unix.Open("/dev/null", unix.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(leak)
	s := start(t, spawn.Options{Depth: 2, Command: []string{"sleep", "1000"}})
	cmdPID := s.info.CommandPID
	// Wait until sleep sleeps: exec sets the name before it closes the
	// close-on-exec descriptors.
	if !testenv.Poll(10*time.Second, func() bool { return strings.Contains(wchan(cmdPID), "nanosleep") }) {
		t.Fatalf("command never slept: %q in %q", procComm(cmdPID), wchan(cmdPID))
	}
	fds, err := spawntest.FDs(cmdPID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fds, []string{"0", "1", "2"}) {
		t.Errorf("command's fds %v, want exactly 0 1 2", fds)
	}

	direct := exec.Command("sleep", "1000")
	if err := direct.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { direct.Process.Kill(); direct.Wait() }()
	keys := []string{"SigBlk", "SigIgn", "SigCgt"}
	want, err := spawntest.StatusLines(direct.Process.Pid, keys...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := spawntest.StatusLines(cmdPID, keys...)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("command's %s is %s, a directly started one's %s", k, got[k], want[k])
		}
	}
}

// Close ends every process of every level, background jobs included.
func TestCloseEndsEverything(t *testing.T) {
	s := start(t, spawn.Options{Depth: 3, Command: []string{"sh", "-c", "sleep 1000 & sleep 1000 & echo up; wait"}})
	s.out.waitFor(t, "up", 10*time.Second)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if code, _ := s.Wait(); code != 137 {
		t.Errorf("after Close, Wait says %d, want 137", code)
	}
	if left := spawntest.Holders(s.nss); len(left) > 0 {
		t.Errorf("right after Close, still in its namespaces: %v", left)
	}
	if err := s.Signal(syscall.SIGTERM); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Signal after Close: %v, want os.ErrProcessDone", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// The other namespace types are created, and the hostname is set.
func TestOtherNamespaces(t *testing.T) {
	info, code, out := run(t, spawn.Options{
		User: true, IPC: true, Net: true, Cgroup: true, Time: true, Hostname: "nsview-box",
		Command: []string{"sh", "-c", "hostname; id -u"},
	})
	if code != 0 || out != "nsview-box\n0\n" {
		t.Errorf("output %q, exit %d; want the hostname and uid 0", out, code)
	}
	var types []string
	for _, ns := range info.Namespaces {
		types = append(types, ns.Type.String())
		self, err := os.Readlink("/proc/self/ns/" + ns.Type.String())
		if err != nil {
			t.Fatal(err)
		}
		if self == ns.String() {
			t.Errorf("%s is the caller's own", ns)
		}
	}
	if want := []string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time"}; !slices.Equal(types, want) {
		t.Errorf("namespaces %v, want %v", types, want)
	}
}

// A detached sandbox outlives Close's absence and ends with Stop, named by
// its PID namespace or its init's PID; Stop refuses what is not nsview's.
func TestDetachAndStop(t *testing.T) {
	testenv.NeedRoot(t)
	for _, byPID := range []bool{false, true} {
		sb, err := spawn.Start(spawn.Options{Detach: true, Depth: 2, Command: []string{"sleep", "1000"}})
		if err != nil {
			t.Fatal(err)
		}
		info := sb.Info()
		nss := spawntest.Namespaces(t, info.Inits[0], nsinfo.PID)
		id := info.PIDNamespaces[1].String() // an inner level: Stop climbs to the outermost
		if byPID {
			id = strconv.Itoa(info.Inits[0])
		}
		pid, err := spawn.Stop(id, 2*time.Second)
		if err != nil {
			sb.Close()
			t.Fatalf("Stop(%s): %v", id, err)
		}
		if pid != info.Inits[0] {
			t.Errorf("Stop(%s) ended %d, want the outermost init %d", id, pid, info.Inits[0])
		}
		if code, _ := sb.Wait(); code != 143 {
			t.Errorf("stopped sandbox exited %d, want 143 (SIGTERM)", code)
		}
		spawntest.CheckGone(t, time.Second, nss)
		sb.Close()
	}
	self := strconv.Itoa(os.Getpid())
	for _, id := range []string{self, "1", "pid:[1]", "net:[4026531840]", "x"} {
		if _, err := spawn.Stop(id, 0); !errors.Is(err, spawn.ErrNotFound) && !errors.Is(err, spawn.ErrBadOptions) {
			t.Errorf("Stop(%s): %v, want ErrNotFound or ErrBadOptions", id, err)
		}
	}
}

// List finds a running sandbox once, by its outermost init and PID
// namespace, with the name of the command its inner init runs.
func TestList(t *testing.T) {
	testenv.NeedRoot(t)
	sb, err := spawn.Start(spawn.Options{Detach: true, Depth: 2, Command: []string{"sleep", "1000"}})
	if err != nil {
		t.Fatal(err)
	}
	info := sb.Info()
	nss := spawntest.Namespaces(t, info.Inits[0], nsinfo.PID)
	defer func() {
		sb.Close()
		spawntest.CheckGone(t, time.Second, nss)
	}()
	// Start returns once the command's process exists, maybe before it
	// has executed sleep.
	if !testenv.Poll(10*time.Second, func() bool { p, _ := spawntest.Stat(info.CommandPID); return p.Comm == "sleep" }) {
		t.Fatalf("the command %d never became sleep", info.CommandPID)
	}
	running, err := spawn.List()
	if err != nil {
		t.Fatal(err)
	}
	want := spawn.Running{Init: info.Inits[0], PIDNamespace: info.PIDNamespaces[0], Command: "sleep"}
	if !slices.Contains(running, want) {
		t.Errorf("List: %+v, want %+v in it", running, want)
	}
	for _, r := range running {
		if r.Init == info.Inits[1] {
			t.Errorf("List has the inner init %d: %+v", r.Init, r)
		}
	}
	if _, err := spawn.Stop(want.PIDNamespace.String(), time.Second); err != nil {
		t.Errorf("Stop(%s): %v", want.PIDNamespace, err)
	}
	sb.Wait()
}

// Options that can never work are ErrBadOptions; a missing command is
// ErrNoCommand with ENOENT.
func TestBadOptionsAndMissingCommand(t *testing.T) {
	for _, opts := range []spawn.Options{{Depth: -1}, {Depth: spawn.MaxDepth + 1}, {Command: []string{""}}, {Detach: true, NoInit: true}} {
		if _, err := spawn.Start(opts); !errors.Is(err, spawn.ErrBadOptions) {
			t.Errorf("Start(%+v): %v, want ErrBadOptions", opts, err)
		}
	}
	testenv.NeedRoot(t)
	_, err := spawn.Start(spawn.Options{Command: []string{"nsview-no-such-command"}})
	var serr *spawn.Error
	if !errors.Is(err, spawn.ErrNoCommand) || !errors.Is(err, syscall.ENOENT) || !errors.As(err, &serr) {
		t.Errorf("missing command: %v, want *Error with ErrNoCommand and ENOENT", err)
	}
}

// The command runs in Options.Dir with exactly Options.Env; nothing of
// nsview's own (its init marker) leaks into it.
func TestDirAndEnv(t *testing.T) {
	_, code, out := run(t, spawn.Options{
		Dir:     "/usr",
		Env:     []string{"PATH=/usr/bin:/bin", "NSVIEW_TEST_VAR=x y"},
		Command: []string{"sh", "-c", `pwd; env | sort`},
	})
	want := "/usr\nNSVIEW_TEST_VAR=x y\nPATH=/usr/bin:/bin\nPWD=/usr\n"
	if code != 0 || out != want {
		t.Errorf("output %q, exit %d; want %q", out, code, want)
	}
	testenv.NeedRoot(t)
	if _, err := spawn.Start(spawn.Options{Dir: "/nonexistent-nsview", Command: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "/nonexistent-nsview") {
		t.Errorf("missing Dir: %v, want an error naming it", err)
	}
}
