package ui

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
)

// SignalError says that a signal ended the UI; nsview exits 128+n.
type SignalError struct{ Sig syscall.Signal }

func (e SignalError) Error() string { return "terminated by " + e.Sig.String() }

// Run shows the UI on the terminal until the user quits, a signal (SIGTERM,
// SIGHUP, SIGINT) arrives, or something panics, and restores the terminal
// in every case: Bubble Tea restores it after a quit and after a panic in
// Update or in a tea.Cmd (the scans run in one, and a scan re-raises a
// panic of its reading goroutines there); signals are turned into a quit.
// Then it ends the sandboxes the UI started, except detached ones.
func Run(o Options, progOpts ...tea.ProgramOption) (err error) {
	if o.Sandboxes == nil {
		o.Sandboxes = &Sandboxes{}
	}
	// However Run ends, even by a panic outside the program, nothing the
	// UI spawned survives it.
	defer func() {
		if cerr := o.Sandboxes.CloseAll(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if c, ok := o.Source.(io.Closer); ok {
		defer c.Close()
	}
	m := New(o)
	// 30 frames a second: keys still answer within a frame, and an idle
	// UI wakes half as often as at Bubble Tea's default 60.
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithoutSignalHandler(), tea.WithFPS(30)}, progOpts...)...)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			p.Send(signalMsg{sig: s})
		case <-done:
		}
	}()
	_, err = p.Run()
	close(done)
	signal.Stop(sigs)
	if err != nil {
		if errors.Is(err, tea.ErrProgramPanic) {
			return fmt.Errorf("terminal UI: %w (terminal restored; the stack is above)", err)
		}
		return fmt.Errorf("terminal UI: %w", err)
	}
	if s, ok := m.Signal().(syscall.Signal); ok {
		return SignalError{Sig: s}
	}
	return nil
}
