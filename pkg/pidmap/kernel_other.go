//go:build !linux

package pidmap

import "errors"

// KernelLevels is Linux-only.
func KernelLevels(procPath string, pid int) ([]Level, error) { return nil, errors.ErrUnsupported }

// KernelFromNS is Linux-only.
func KernelFromNS(nsFD, pid int) (int, error) { return 0, errors.ErrUnsupported }

// KernelToNS is Linux-only.
func KernelToNS(nsFD, pid int) (int, error) { return 0, errors.ErrUnsupported }
