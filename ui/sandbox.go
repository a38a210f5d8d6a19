package ui

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/spawn"
)

// Sandbox is what the UI needs of a running sandbox; *spawn.Sandbox has it.
type Sandbox interface {
	Info() spawn.Info
	Close() error
}

// Parent names an existing PID namespace to create a sandbox in: NS, as
// entered through the process PID (host numbering).
type Parent struct {
	PID int
	NS  nsinfo.ID
}

// Spawner starts sandboxes. Spawn blocks; the UI calls it from a tea.Cmd.
type Spawner interface {
	// Spawn starts a sandbox. With in non-nil its new PID namespace is
	// created inside in.NS instead of the caller's.
	Spawn(opts spawn.Options, in *Parent) (Sandbox, error)
}

// DemoCommand is the sandbox's workload when no command is typed: a shell
// with a few children, one of them a shell with a child of its own.
var DemoCommand = []string{"/bin/sh", "-c", "sleep 1000000 & sleep 1000000 & sh -c 'sleep 1000000 & wait' & wait"}

// sandbox is one sandbox the UI started.
type sandbox struct {
	id      int
	sb      Sandbox
	info    spawn.Info
	command string
	// parent is the id of the sandbox it was spawned in, 0 for none.
	parent   int
	detached bool

	// Owned by Update:
	seen  bool // its command was in a snapshot
	ended bool

	closeOnce sync.Once
	closeErr  error
}

// close ends the sandbox once, however many callers ask.
func (s *sandbox) close() error {
	s.closeOnce.Do(func() { s.closeErr = s.sb.Close() })
	return s.closeErr
}

// innerNS is the sandbox's innermost PID namespace, zero if unknown.
func (s *sandbox) innerNS() nsinfo.ID {
	if n := len(s.info.PIDNamespaces); n > 0 {
		return s.info.PIDNamespaces[n-1]
	}
	return nsinfo.ID{}
}

// Sandboxes are the sandboxes one UI started. Update adds and ends them
// through tea.Cmds; CloseAll, called once the UI is gone (after a quit, a
// signal or a panic), ends every one that was not started detached,
// including any whose start was still under way.
type Sandboxes struct {
	mu       sync.Mutex
	list     []*sandbox
	nextID   int
	closed   bool
	starting sync.WaitGroup
}

// ErrClosing is returned for a sandbox started while the UI was quitting.
var ErrClosing = errors.New("nsview is quitting")

// start runs spawn under the set's control: a start that finishes after
// CloseAll began is ended at once.
func (x *Sandboxes) start(sp Spawner, opts spawn.Options, in *Parent, parentID int, command string) (*sandbox, error) {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return nil, ErrClosing
	}
	x.starting.Add(1)
	x.mu.Unlock()
	defer x.starting.Done()

	sb, err := sp.Spawn(opts, in)
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.nextID++
	s := &sandbox{id: x.nextID, sb: sb, info: sb.Info(), command: command, parent: parentID, detached: opts.Detach}
	x.list = append(x.list, s)
	if x.closed {
		if !s.detached {
			s.close()
		}
		return nil, ErrClosing
	}
	return s, nil
}

// all returns the sandboxes started so far, oldest first.
func (x *Sandboxes) all() []*sandbox {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.list)
}

// byID returns a sandbox.
func (x *Sandboxes) byID(id int) *sandbox {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, s := range x.list {
		if s.id == id {
			return s
		}
	}
	return nil
}

// CloseAll waits for starts under way and ends every sandbox that was not
// started detached, newest (innermost) first. It returns the first error.
func (x *Sandboxes) CloseAll() error {
	x.mu.Lock()
	x.closed = true
	x.mu.Unlock()
	x.starting.Wait()
	var first error
	for _, s := range slices.Backward(x.all()) {
		if s.detached {
			continue
		}
		if err := s.close(); err != nil && first == nil {
			first = fmt.Errorf("end sandbox %d (%s): %w", s.id, s.command, err)
		}
	}
	return first
}

// start calls spawn.Start, keeping a failed start's nil out of the
// interface.
func start(opts spawn.Options) (Sandbox, error) {
	sb, err := spawn.Start(opts)
	if err != nil {
		return nil, err
	}
	return sb, nil
}
