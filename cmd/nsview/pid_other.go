//go:build !linux

package main

import (
	"errors"

	"github.com/nsview/nsview/pkg/pidmap"
	"github.com/nsview/nsview/pkg/tree"
)

func kernelTranslate(s *tree.Snapshot, t pidmap.Target, pid int, inward bool) (int, error) {
	return 0, errors.ErrUnsupported
}
