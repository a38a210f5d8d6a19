package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/nsview/nsview/internal/spawntest"
	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"golang.org/x/sys/unix"
)

// ptySession is nsview running on a pseudo-terminal, as its session
// leader and foreground job, as in a terminal window.
type ptySession struct {
	t      *testing.T
	cmd    *exec.Cmd
	ptmx   *os.File
	tty    *os.File
	before *unix.Termios

	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startPTY(t *testing.T, args ...string) *ptySession {
	t.Helper()
	testenv.NeedRoot(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	cmd := nsviewCmd(t, args...)
	cmd.Env = append(cmd.Env, "PS1=nsv> ", "ENV=", "TERM=dumb")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &ptySession{t: t, cmd: cmd, ptmx: ptmx, tty: tty, before: before, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				close(s.done)
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		tty.Close()
		ptmx.Close()
	})
	return s
}

func (s *ptySession) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// expect waits until the output after from holds want, and returns where
// it ends.
func (s *ptySession) expect(from int, want string) int {
	s.t.Helper()
	end := -1
	ok := testenv.Poll(15*time.Second, func() bool {
		out := s.output()
		if from > len(out) {
			return false
		}
		if i := strings.Index(out[from:], want); i >= 0 {
			end = from + i + len(want)
			return true
		}
		return false
	})
	if !ok {
		s.t.Fatalf("terminal never showed %q after offset %d; it shows %q", want, from, s.output())
	}
	return end
}

func (s *ptySession) send(text string) {
	s.t.Helper()
	if _, err := s.ptmx.Write([]byte(text)); err != nil {
		s.t.Fatal(err)
	}
}

// exit waits for nsview to end and returns its exit code.
func (s *ptySession) exit() int {
	s.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- s.cmd.Wait() }()
	select {
	case err := <-errc:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		} else if err != nil {
			s.t.Fatal(err)
		}
		return 0
	case <-time.After(15 * time.Second):
		s.t.Fatalf("nsview did not exit; terminal shows %q", s.output())
	}
	return -1
}

// checkRestored fails unless the terminal's settings and foreground are
// as before nsview started.
func (s *ptySession) checkRestored() {
	s.t.Helper()
	after, err := unix.IoctlGetTermios(int(s.tty.Fd()), unix.TCGETS)
	if err != nil {
		s.t.Fatal(err)
	}
	if *after != *s.before {
		s.t.Errorf("terminal settings not restored:\nbefore %+v\nafter  %+v", *s.before, *after)
	}
}

// sandbox reads the start line: the command's host PID and the innermost
// PID namespace.
func (s *ptySession) sandbox() (int, spawntest.NS) {
	s.t.Helper()
	s.expect(0, ")\r\n")
	m := startLine.FindStringSubmatch(strings.ReplaceAll(s.output(), "\r\n", "\n"))
	if m == nil {
		s.t.Fatalf("no start line in %q", s.output())
	}
	pid, _ := strconv.Atoi(m[4])
	return pid, spawntest.Namespaces(s.t, pid, nsinfo.PID)[0]
}

// An interactive shell in the sandbox: a command runs, Ctrl-C interrupts a
// foreground sleep without ending the shell, exit returns, and the terminal
// is as it was.
func TestSpawnInteractiveShell(t *testing.T) {
	s := startPTY(t, "spawn", "--", "sh", "-i")
	shell, pidns := s.sandbox()
	at := s.expect(0, "nsv> ")
	s.send("echo hi-$((6*7))\n")
	at = s.expect(at, "hi-42")
	at = s.expect(at, "nsv> ")

	s.send("sleep 1000\n")
	var sleeper int
	if !testenv.Poll(15*time.Second, func() bool {
		for _, p := range spawntest.InNamespace(pidns) {
			if p.Comm == "sleep" && p.PPID == shell && p.State != 'Z' {
				sleeper = p.PID
				return true
			}
		}
		return false
	}) {
		t.Fatalf("sleep never started; terminal shows %q", s.output())
	}
	s.send("\x03")
	if !testenv.Poll(15*time.Second, func() bool { return !spawntest.Alive(sleeper) }) {
		t.Fatalf("Ctrl-C did not end the foreground sleep")
	}
	at = s.expect(at, "nsv> ")
	if !spawntest.Alive(shell) {
		t.Fatalf("Ctrl-C ended the shell too")
	}
	s.send("echo alive\n")
	at = s.expect(at, "alive")
	s.send("exit\n")
	if code := s.exit(); code != 0 {
		t.Errorf("exit status %d, want 0; terminal shows %q", code, s.output())
	}
	s.checkRestored()
	spawntest.CheckGone(t, time.Second, []spawntest.NS{pidns})
}

// Ctrl-C on a command that does not catch it ends the sandbox: exit 130,
// terminal restored, nothing left.
func TestSpawnCtrlC(t *testing.T) {
	s := startPTY(t, "spawn", "--depth", "2", "--", "sleep", "1000")
	cmdPID, pidns := s.sandbox()
	if !testenv.Poll(15*time.Second, func() bool { return strings.Contains(wchan(cmdPID), "nanosleep") }) {
		t.Fatalf("sleep never slept")
	}
	s.send("\x03")
	if code := s.exit(); code != exitSIGINT {
		t.Errorf("exit status %d, want 130", code)
	}
	s.checkRestored()
	spawntest.CheckGone(t, time.Second, []spawntest.NS{pidns})
}

// A command that changes the terminal's settings and dies without
// restoring them: nsview restores them.
func TestSpawnRestoresTerminal(t *testing.T) {
	s := startPTY(t, "spawn", "--", "sh", "-c", "stty -echo -icanon raw; echo changed; kill -KILL $$")
	s.expect(0, "changed")
	if code := s.exit(); code != 137 {
		t.Errorf("exit status %d, want 137", code)
	}
	s.checkRestored()
}

func wchan(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/wchan")
	return string(b)
}
