//go:build !linux

package ui

import (
	"errors"

	"github.com/nsview/nsview/pkg/spawn"
)

// SystemSpawner starts sandboxes with pkg/spawn.
func SystemSpawner(exe string) Spawner { return systemSpawner{} }

type systemSpawner struct{}

// Spawn calls spawn.Start; nesting needs Linux.
func (systemSpawner) Spawn(opts spawn.Options, in *Parent) (Sandbox, error) {
	if in != nil {
		return nil, errors.ErrUnsupported
	}
	return start(opts)
}
