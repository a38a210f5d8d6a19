package main

import (
	"os"

	"github.com/nsview/nsview/pkg/spawn"
)

func main() {
	// nsview spawn re-executes this binary as the sandbox's init.
	spawn.MaybeRunInit()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
