package main

import (
	"fmt"
	"io"

	"github.com/nsview/nsview/pkg/nsinfo"
	"github.com/nsview/nsview/pkg/tree"
)

// loadSnapshot returns the snapshot a command shows: the --input file, or a
// scan of the proc mount reading what opts asks for. It prints the
// snapshot's warnings and a count of what could not be read on stderr.
func loadSnapshot(g *globalOptions, opts tree.Options, stderr io.Writer) (*tree.Snapshot, error) {
	var (
		s   *tree.Snapshot
		err error
	)
	if g.input != "" {
		s, err = tree.LoadSnapshot(g.input)
		if err != nil {
			return nil, err
		}
	} else {
		proc, err := nsinfo.NewProcFS(g.procPath)
		if err != nil {
			return nil, err
		}
		s, err = tree.Scan(proc, opts)
		if err != nil {
			return nil, err
		}
	}
	reportSnapshot(s, stderr)
	return s, nil
}

// reportSnapshot prints what the user must know about a snapshot's
// completeness, one line each.
func reportSnapshot(s *tree.Snapshot, stderr io.Writer) {
	for _, w := range s.Warnings {
		fmt.Fprintln(stderr, "nsview: warning: "+oneLine(w))
	}
	if line := unreadableLine(s.Unreadable); line != "" {
		fmt.Fprintln(stderr, "nsview: "+line)
	}
}

// unreadableLine summarises Unreadable in one line, or "" if all was read.
func unreadableLine(u tree.Unreadable) string {
	if u.Denied == 0 && u.Hidden == 0 && u.Failed == 0 {
		// Processes that exit during a scan are normal on a live system.
		return ""
	}
	msg := ""
	if u.Denied > 0 {
		msg = fmt.Sprintf("%d process(es) partly unreadable (permission denied): shown with ? for what is unknown", u.Denied)
	}
	if u.Hidden > 0 {
		if msg != "" {
			msg += "; "
		}
		msg += fmt.Sprintf("%d process(es) hidden (proc mounted with hidepid): left out", u.Hidden)
	}
	if u.Failed > 0 {
		if msg != "" {
			msg += "; "
		}
		msg += fmt.Sprintf("%d process(es) could not be read", u.Failed)
		if len(u.Errors) > 0 {
			msg += " (first: " + u.Errors[0] + ")"
		}
	}
	return msg
}
