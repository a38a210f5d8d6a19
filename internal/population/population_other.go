//go:build !linux

package population

import (
	"context"
	"errors"
	"io"
)

// Start is Linux-only.
func Start(ctx context.Context, cfg Config) (*State, error) { return nil, errors.ErrUnsupported }

// Stop is Linux-only.
func Stop(statePath string, out io.Writer) error { return errors.ErrUnsupported }

// Status is Linux-only.
func Status(statePath string) (alive, total int, err error) { return 0, 0, errors.ErrUnsupported }

// RunInit is Linux-only.
func RunInit(cfg InitConfig) error { return errors.ErrUnsupported }
