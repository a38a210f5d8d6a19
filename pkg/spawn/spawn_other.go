//go:build !linux

package spawn

import "time"

// Namespaces are Linux's: elsewhere nothing can be spawned.

func start(Options) (*Sandbox, error) { return nil, ErrUnsupported }

func maybeRunInit() {}

func stop(string, time.Duration) (int, error) { return 0, ErrUnsupported }

func list() ([]Running, error) { return nil, ErrUnsupported }
