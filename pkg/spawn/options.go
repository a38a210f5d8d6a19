package spawn

import (
	"fmt"
	"os"
)

// normalize fills in Options' defaults and rejects what can never work.
func normalize(opts Options) (Options, error) {
	if opts.Depth == 0 {
		opts.Depth = 1
	}
	if opts.Depth < 1 || opts.Depth > MaxDepth {
		return opts, fmt.Errorf("%w: depth %d: PID namespaces nest 1 to %d deep", ErrBadOptions, opts.Depth, MaxDepth)
	}
	if len(opts.Command) == 0 {
		shell := os.Getenv("SHELL")
		if shell == "" {
			shell = "/bin/sh"
		}
		opts.Command = []string{shell}
	}
	if opts.Command[0] == "" {
		return opts, fmt.Errorf("%w: empty command name", ErrBadOptions)
	}
	if opts.Hostname != "" {
		if len(opts.Hostname) > 64 {
			return opts, fmt.Errorf("%w: hostname %q is longer than 64 bytes", ErrBadOptions, opts.Hostname)
		}
		opts.UTS = true
	}
	if opts.Detach && opts.NoInit && opts.Depth == 1 {
		// Stop recognises a sandbox by nsview's init; with the command
		// itself as the only PID 1 there would be nothing to recognise.
		return opts, fmt.Errorf("%w: a detached sandbox needs nsview's init to be found again by Stop: drop no-init, or use depth 2 or more", ErrBadOptions)
	}
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	return opts, nil
}
