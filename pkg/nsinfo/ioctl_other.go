//go:build !linux

package nsinfo

import "errors"

// ErrNoKernelTranslation is returned where the kernel cannot translate PIDs.
var ErrNoKernelTranslation = errors.New("kernel cannot translate PIDs between namespaces")

// Inspect is Linux-only.
func Inspect(path string) (Info, error) { return Info{OwnerUID: -1}, errors.ErrUnsupported }

// InspectFD is Linux-only.
func InspectFD(fd int) (Info, error) { return Info{OwnerUID: -1}, errors.ErrUnsupported }

// PIDFromNS is Linux-only.
func PIDFromNS(pidnsFD, pid int, thread bool) (int, error) { return 0, errors.ErrUnsupported }

// PIDInNS is Linux-only.
func PIDInNS(pidnsFD, pid int, thread bool) (int, error) { return 0, errors.ErrUnsupported }
