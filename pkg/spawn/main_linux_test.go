package spawn_test

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/spawntest"
	"github.com/nsview/nsview/internal/testenv"
	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
)

func TestMain(m *testing.M) {
	// Start re-executes this test binary as the sandbox's init.
	spawn.MaybeRunInit()
	os.Exit(m.Run())
}

// sandbox is a started Sandbox whose output the test reads.
type sandbox struct {
	*spawn.Sandbox
	info spawn.Info
	out  *output
	nss  []spawntest.NS
}

// output collects what the command writes.
type output struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until the output holds s.
func (o *output) waitFor(t *testing.T, s string, d time.Duration) {
	t.Helper()
	if !testenv.Poll(d, func() bool { return bytes.Contains([]byte(o.String()), []byte(s)) }) {
		t.Fatalf("output never showed %q in %v; it is %q", s, d, o.String())
	}
}

// start starts a sandbox with opts, its stdout and stderr going to a pipe
// the test reads, and ends it when the test ends: Close, then a check
// that no process is left in any namespace it created.
func start(t *testing.T, opts spawn.Options) *sandbox {
	t.Helper()
	testenv.NeedRoot(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	opts.Stdout, opts.Stderr = w, w
	sb, err := spawn.Start(opts)
	w.Close()
	if err != nil {
		r.Close()
		t.Fatalf("Start(%+v): %v", opts, err)
	}
	s := &sandbox{Sandbox: sb, info: sb.Info(), out: &output{done: make(chan struct{})}}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			s.out.mu.Lock()
			s.out.buf.Write(buf[:n])
			s.out.mu.Unlock()
			if err != nil {
				break
			}
		}
		r.Close()
		close(s.out.done)
	}()
	// Record what to check for later, while the inits surely live (the
	// command may already have ended): every namespace created.
	for _, pid := range s.info.Inits {
		s.nss = append(s.nss, spawntest.TryNamespaces(pid, nsinfo.PID)...)
	}
	holder := s.info.CommandPID
	if len(s.info.Inits) > 0 {
		holder = s.info.Inits[len(s.info.Inits)-1]
	}
	for _, ns := range s.info.Namespaces {
		if ns.Type != nsinfo.PID {
			s.nss = append(s.nss, spawntest.TryNamespaces(holder, ns.Type)...)
		}
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		spawntest.CheckGone(t, time.Second, s.nss)
	})
	return s
}

// wait waits for the command to end and for all its output.
func (s *sandbox) wait(t *testing.T) (int, string) {
	t.Helper()
	code, err := s.Wait()
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	select {
	case <-s.out.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("output still open 5 s after the command ended")
	}
	return code, s.out.String()
}

// run starts a sandbox, waits for it, and returns its exit code and output.
func run(t *testing.T, opts spawn.Options) (spawn.Info, int, string) {
	t.Helper()
	s := start(t, opts)
	code, out := s.wait(t)
	return s.info, code, out
}

// selfDepth is how many PID namespaces deep the test runs (0 on the host).
func selfDepth(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	st, err := nsinfo.ParseStatus(b)
	if err != nil {
		t.Fatal(err)
	}
	return len(st.NSpid) - 1
}
