package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/spawntest"
	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"golang.org/x/sys/unix"
)

// nsviewCmd returns a command that runs nsview (nsviewBin).
func nsviewCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	return exec.Command(nsviewBin, args...)
}

// runNsview runs nsview with args and returns its stdout, stderr and exit
// code.
func runNsview(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := nsviewCmd(t, args...)
	return runCmd(t, cmd)
}

func runCmd(t *testing.T, cmd *exec.Cmd) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run %v: %v", cmd.Args, err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}

// startLine is the line nsview spawn prints for the innermost level.
var startLine = regexp.MustCompile(`(?m)^pid:\[(\d+)\] (?:init (\d+) → )?(\S+) (\d+) \(NSpid ([\d/]+)\)$`)

// The start line names the PID namespace, the init's and the command's
// host PIDs and the NSpid chain; --json says the same as JSON.
func TestSpawnStartLineAndJSON(t *testing.T) {
	testenv.NeedRoot(t)
	stdout, stderr, code := runNsview(t, "spawn", "--", "sh", "-c", "echo $$")
	if code != 0 || stdout != "2\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	m := startLine.FindStringSubmatch(stderr)
	if m == nil || m[3] != "sh" || !strings.HasSuffix(m[5], "/2") || !strings.HasPrefix(m[5], m[4]+"/") || m[2] == "" {
		t.Errorf("start line %q does not say pid:[N] init H → sh C (NSpid C/2)", stderr)
	}
	if !strings.Contains(stderr, "with mnt:[") {
		t.Errorf("start line %q does not name the new mount namespace", stderr)
	}
	if m != nil {
		checkEnded(t, m)
	}

	stdout, stderr, code = runNsview(t, "spawn", "--json", "--depth", "2", "--uts", "--", "true")
	if code != 0 || stderr != "" {
		t.Fatalf("--json: exit %d, stderr %q", code, stderr)
	}
	var got struct {
		ID            string      `json:"id"`
		Command       []string    `json:"command"`
		Inits         []int       `json:"inits"`
		CommandPID    int         `json:"command_pid"`
		CommandNSpid  []int       `json:"command_nspid"`
		PIDNamespaces []nsinfo.ID `json:"pid_namespaces"`
		Namespaces    []nsinfo.ID `json:"namespaces"`
		Detached      bool        `json:"detached"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("--json output %q: %v", stdout, err)
	}
	if len(got.Inits) != 2 || len(got.PIDNamespaces) != 2 || got.ID != got.PIDNamespaces[0].String() ||
		got.CommandNSpid[len(got.CommandNSpid)-1] != 2 || got.CommandNSpid[0] != got.CommandPID ||
		len(got.Namespaces) != 3 || got.Command[0] != "true" || got.Detached {
		t.Errorf("--json: %+v", got)
	}
}

// checkEnded fails unless the init and the command of a start line are
// gone now that nsview has exited.
func checkEnded(t *testing.T, m []string) {
	t.Helper()
	ino, _ := strconv.ParseUint(m[1], 10, 64)
	ns := nsinfo.ID{Type: nsinfo.PID, Ino: ino}
	for _, s := range []string{m[2], m[4]} {
		if pid, err := strconv.Atoi(s); err == nil && !spawntest.Gone(pid, ns) {
			t.Errorf("process %d of %s is alive after nsview exited", pid, ns)
		}
	}
}

// CMD's exit code is nsview's; death by signal n gives 128+n; nsview's own
// failures have codes of their own.
func TestSpawnExitCodes(t *testing.T) {
	testenv.NeedRoot(t)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"sh", "-c", "exit 0"}, 0},
		{[]string{"sh", "-c", "exit 1"}, 1},
		{[]string{"sh", "-c", "exit 7"}, 7},
		{[]string{"sh", "-c", "exit 255"}, 255},
		{[]string{"sh", "-c", "kill -KILL $$"}, 137},
		{[]string{"sh", "-c", "kill -TERM $$"}, 143},
		{[]string{"--depth", "3", "sh", "-c", "exit 42"}, 42},
		{[]string{"nsview-no-such-command"}, 127},
		{[]string{"/etc/passwd"}, 126},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := runNsview(t, append([]string{"spawn"}, tc.args...)...)
			if code != tc.want {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.want, stderr)
			}
			if m := startLine.FindStringSubmatch(stderr); m != nil {
				checkEnded(t, m)
			}
		})
	}
}

func TestSpawnUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"spawn", "--depth", "33", "true"},
		{"spawn", "--depth", "0", "true"},
		{"spawn", "--stop", "pid:[1]", "true"},
		{"spawn", "--stop", "pid:[1]", "--user"},
		{"spawn", "--grace", "1s", "true"},
		{"spawn", "--detach", "--no-init", "true"},
		{"spawn", "--stop", "not-an-id"},
	} {
		_, stderr, code := runNsview(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "nsview: ") || strings.Count(stderr, "\n") != 2 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and a one-line message", args, code, stderr)
		}
	}
	_, stderr, _ := runNsview(t, "spawn", "--depth", "33", "true")
	if !strings.Contains(stderr, "--depth 33") || !strings.Contains(stderr, "32") {
		t.Errorf("--depth 33: %q does not say the limit", stderr)
	}
}

// SIGTERM, SIGUSR1 and SIGHUP sent to nsview each reach CMD exactly once,
// through two inits.
func TestSpawnSignalsToNsview(t *testing.T) {
	testenv.NeedRoot(t)
	cmd := nsviewCmd(t, "spawn", "--depth", "2", "--", "sh", "-c", `for s in TERM USR1 HUP; do trap "echo got SIG$s" $s; done
trap 'echo bye; exit 3' USR2
echo ready
while :; do sleep 1000 & wait $!; kill $! 2>/dev/null; done`)
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	want := "ready\n"
	waitOutput(t, out, want)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGHUP} {
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		want += "got " + unix.SignalName(sig) + "\n"
		waitOutput(t, out, want)
	}
	cmd.Process.Signal(syscall.SIGUSR2)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || out.String() != want+"bye\n" {
		t.Errorf("nsview ended with %v, output %q; want exit 3 and %q", err, out.String(), want+"bye\n")
	}
	if m := startLine.FindStringSubmatch(errOut.String()); m != nil {
		checkEnded(t, m)
	} else {
		t.Errorf("no start line in %q", errOut.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func waitOutput(t *testing.T, out interface{ String() string }, want string) {
	t.Helper()
	if !testenv.Poll(10*time.Second, func() bool { return strings.Contains(out.String(), want) }) {
		t.Fatalf("output %q never held %q", out.String(), want)
	}
}

// SIGKILL of nsview at random points of its setup, 60 times: within 1 s
// no process of the sandbox is alive (zombies count as gone). The tries run
// in a harness process that is a child subreaper, so that whatever nsview
// leaves is re-parented to the harness, which can wait for it.
func TestSpawnKilledDuringSetup(t *testing.T) {
	testenv.NeedRoot(t)
	// How long a setup takes here, to spread the kills over it.
	start := time.Now()
	if _, stderr, code := runNsview(t, "spawn", "--depth", "2", "--user", "--", "true"); code != 0 {
		t.Fatalf("a plain spawn failed: %q", stderr)
	}
	setup := time.Since(start)
	self, _ := os.Executable()
	cmd := exec.Command(self, "60", (setup + setup/4).String(), nsviewBin)
	cmd.Env = append(os.Environ(), envTestMain+"=kill-harness")
	out, err := cmd.CombinedOutput()
	t.Logf("setup takes %v here; harness says:\n%s", setup, out)
	if err != nil {
		t.Errorf("harness: %v", err)
	}
}

// killHarness runs args[0] tries: start nsview spawn (the binary args[2];
// depth 1 to 3, with and without --user and --no-init), SIGKILL it after
// a random time below args[1], and check that within 1 s nothing it
// started is alive.
func killHarness(args []string) int {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Println("subreaper:", err)
		return 2
	}
	if len(args) != 3 {
		fmt.Println("usage: TRIES SPAN NSVIEW")
		return 2
	}
	tries, err1 := strconv.Atoi(args[0])
	span, err2 := time.ParseDuration(args[1])
	if err1 != nil || err2 != nil || span <= 0 {
		fmt.Println("usage: TRIES SPAN NSVIEW")
		return 2
	}
	bin := args[2]
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envTestMain+"=") {
			env = append(env, kv)
		}
	}
	failed := 0
	for i := 0; i < tries; i++ {
		nsArgs := []string{"spawn", "--depth", strconv.Itoa(1 + i%3)}
		if i%2 == 1 {
			nsArgs = append(nsArgs, "--user")
		}
		if i%5 == 4 {
			nsArgs = append(nsArgs, "--no-init")
		}
		nsArgs = append(nsArgs, "--", "sleep", "1000")
		delay := time.Duration(rand.Int64N(int64(span)))
		cmd := exec.Command(bin, nsArgs...)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			fmt.Println(err)
			return 2
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		if left := reapAll(time.Second); len(left) > 0 {
			failed++
			fmt.Printf("try %d %v killed after %v: still alive 1 s later: %s\n", i, nsArgs, delay, strings.Join(left, ", "))
		}
	}
	fmt.Printf("%d tries, %d left something alive\n", tries, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

// reapAll reaps this process's children until it has none, for up to d;
// then it kills and lists those still alive.
func reapAll(d time.Duration) []string {
	if reapChildren(d) {
		return nil
	}
	var left []string
	for _, p := range spawntest.Children(os.Getpid()) {
		if p.State == 'Z' {
			continue
		}
		left = append(left, fmt.Sprintf("%d (%s, %c)", p.PID, p.Comm, p.State))
		// End what the test started, and so its namespaces.
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
	reapChildren(5 * time.Second)
	return left
}

// reapChildren reaps children until there are none (true) or d has passed.
func reapChildren(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		switch {
		case err == unix.ECHILD:
			return true
		case err == unix.EINTR || pid > 0:
			continue
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Unprivileged: without --user the message says to add it (exit 125);
// with --user it works, as root inside.
func TestSpawnUnprivileged(t *testing.T) {
	testenv.NeedRoot(t)
	_, stderr, code := asNobody(t, "spawn", "--", "true")
	if code != exitNoSpawn || !strings.Contains(stderr, "--user") || !strings.Contains(stderr, "needs root") {
		t.Errorf("nobody without --user: exit %d, %q; want 125 and a hint to add --user", code, stderr)
	}
	stdout, stderr, code := asNobody(t, "spawn", "--user", "--depth", "2", "--", "sh", "-c", "id -u; echo $$")
	if code != 0 || stdout != "0\n2\n" {
		t.Errorf("nobody with --user: exit %d, stdout %q, stderr %q; want root inside, as PID 2", code, stdout, stderr)
	}
	if m := startLine.FindStringSubmatch(stderr); m == nil || strings.Count(m[5], "/") != 2 {
		t.Errorf("nobody with --user: start line %q", stderr)
	} else {
		checkEnded(t, m)
	}
}

// user.max_user_namespaces = 0 (written in a user namespace of our own,
// where the limit is ours to set) gives ENOSPC and a message naming it.
func TestSpawnMaxUserNamespaces(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare")
	cmd := exec.Command("unshare", "--user", "--map-root-user", "sh", "-c",
		`echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" spawn --user -- true`, nsviewBin)
	_, stderr, code := runCmd(t, cmd)
	if code != exitNoSpawn || !strings.Contains(stderr, "user.max_user_namespaces") || !strings.Contains(stderr, "no space left") {
		t.Errorf("exit %d, %q; want 125 naming user.max_user_namespaces", code, stderr)
	}
}

// /proc partly masked by a mount (as in a container), in a private mount
// namespace: the kernel refuses a new proc in a user namespace, and the
// message says why and names the mount.
func TestSpawnProcMasked(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare")
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs nsview-mask /proc/sys && exec "$0" spawn --user -- true`, nsviewBin)
	_, stderr, code := runCmd(t, cmd)
	if code != exitNoSpawn || !strings.Contains(stderr, "mount a new proc on /proc") || !strings.Contains(stderr, "/proc/sys") {
		t.Errorf("exit %d, %q; want 125 naming the mount on /proc/sys", code, stderr)
	}
}

// detachedSandbox is what nsview spawn --detach --json says it started.
type detachedSandbox struct {
	ID         string `json:"id"`
	Inits      []int  `json:"inits"`
	CommandPID int    `json:"command_pid"`
	Detached   bool   `json:"detached"`
	// pidns is its outermost PID namespace.
	pidns []spawntest.NS
}

// spawnDetached runs nsview spawn --detach --json with args, and kills
// whatever is left in the sandbox when the test ends.
func spawnDetached(t *testing.T, args ...string) detachedSandbox {
	t.Helper()
	cmd := nsviewCmd(t, append([]string{"spawn", "--detach", "--json"}, args...)...)
	stdout, stderr, code := runCmd(t, cmd)
	if code != 0 {
		t.Fatalf("spawn --detach: exit %d, %q", code, stderr)
	}
	var info detachedSandbox
	if err := json.Unmarshal([]byte(stdout), &info); err != nil || !info.Detached || len(info.Inits) == 0 {
		t.Fatalf("spawn --detach --json: %q: %v", stdout, err)
	}
	info.pidns = spawntest.Namespaces(t, info.Inits[0], nsinfo.PID)
	t.Cleanup(func() {
		for _, p := range spawntest.InNamespace(info.pidns[0]) {
			syscall.Kill(p.PID, syscall.SIGKILL)
		}
	})
	return info
}

// A detached sandbox runs on after nsview exits; --stop ends it.
func TestSpawnDetachAndStop(t *testing.T) {
	testenv.NeedRoot(t)
	info := spawnDetached(t, "--depth", "2", "--", "sleep", "1000")
	pidns := info.pidns
	if !spawntest.Alive(info.Inits[0]) || !spawntest.Alive(info.CommandPID) {
		t.Fatalf("after nsview exited, the detached sandbox is gone")
	}
	_, stderr, code := runNsview(t, "spawn", "--stop", info.ID)
	if code != 0 || !strings.Contains(stderr, "stopped "+info.ID) {
		t.Errorf("--stop %s: exit %d, %q", info.ID, code, stderr)
	}
	spawntest.CheckGone(t, time.Second, pidns)
	_, stderr, code = runNsview(t, "spawn", "--stop", info.ID)
	if code != exitError || !strings.Contains(stderr, "no nsview sandbox") {
		t.Errorf("--stop again: exit %d, %q; want 1, no sandbox", code, stderr)
	}
}

// Without --json, --detach prints the sandbox's ID alone on stdout, what
// --stop takes (id=$(nsview spawn --detach ...) in the examples).
func TestSpawnDetachPrintsID(t *testing.T) {
	testenv.NeedRoot(t)
	stdout, stderr, code := runNsview(t, "spawn", "--detach", "--", "sleep", "1000")
	if code != 0 {
		t.Fatalf("--detach: exit %d, %q", code, stderr)
	}
	id := strings.TrimSuffix(stdout, "\n")
	nsid, err := nsinfo.ParseID(id)
	if err != nil || nsid.Type != nsinfo.PID || stdout != id+"\n" {
		t.Fatalf("--detach printed %q on stdout, want pid:[N] and a newline", stdout)
	}
	pidns := []spawntest.NS{{ID: nsid}}
	defer func() {
		for _, p := range spawntest.InNamespace(pidns[0]) {
			syscall.Kill(p.PID, syscall.SIGKILL)
		}
		spawntest.CheckGone(t, 5*time.Second, pidns)
	}()
	if !strings.Contains(stderr, "nsview spawn --stop '"+id+"'") {
		t.Errorf("stderr %q does not say how to stop %s", stderr, id)
	}
	if _, stderr, code := runNsview(t, "spawn", "--stop", id); code != 0 {
		t.Errorf("--stop %s: exit %d, %q", id, code, stderr)
	}
}
