package main

import (
	"github.com/nsview/nsview/pkg/container"
	"github.com/nsview/nsview/pkg/tree"
)

// containerTags returns tree --containers' suffix: the container that a
// process enters (one its parent is not in), by PID in v's numbering.
func containerTags(s *tree.Snapshot, v *tree.View) func(pid int) string {
	entering := container.Entering(s)
	return func(pid int) string {
		e, ok := v.Entry(pid)
		if !ok {
			return ""
		}
		return entering[e.Proc.PID].Tag()
	}
}
