package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set by the release build: -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = ""
	commit  = ""
	date    = ""
)

// buildInfo returns version, commit and date: from the release ldflags, else
// from what `go install` or `go build` recorded.
func buildInfo() (ver, rev, when string) {
	ver, rev, when = version, commit, date
	if bi, ok := debug.ReadBuildInfo(); ok {
		if ver == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			ver = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.time":
				if when == "" {
					when = s.Value
				}
			case "vcs.modified":
				if s.Value == "true" && rev != "" && version == "" {
					rev += "-dirty"
				}
			}
		}
	}
	if ver == "" {
		ver = "devel"
	}
	if rev == "" {
		rev = "unknown"
	}
	if when == "" {
		when = "unknown"
	}
	return ver, rev, when
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print nsview's version, commit, build date and Go version",
		Args:    noArgs,
		Example: "  nsview version",
		RunE: func(cmd *cobra.Command, args []string) error {
			ver, rev, when := buildInfo()
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "nsview %s\ncommit: %s\nbuilt: %s\ngo: %s %s/%s\n",
				ver, rev, when, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
