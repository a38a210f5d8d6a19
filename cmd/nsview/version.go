package main

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"time"

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
	bi, _ := debug.ReadBuildInfo()
	return resolveBuildInfo(version, commit, date, bi)
}

// pseudoVersion matches the tail of a Go pseudo-version
// (v0.0.0-20261128134400-3d3f110abcde, v1.2.4-0.2026..., v1.2.3-pre.0.2026...),
// which is what `go install ...@latest` records for an untagged commit.
var pseudoVersion = regexp.MustCompile(`[-.](\d{14})-([0-9a-f]{12})(\+incompatible)?$`)

// resolveBuildInfo picks each of version, commit and date from the first
// source that has it: the ldflags of a release build, the module version and
// VCS stamp that the go command records (bi may be nil), else a placeholder.
func resolveBuildInfo(ldVersion, ldCommit, ldDate string, bi *debug.BuildInfo) (ver, rev, when string) {
	ver, rev, when = ldVersion, ldCommit, ldDate
	if bi != nil {
		modVersion := bi.Main.Version
		if modVersion == "(devel)" {
			modVersion = ""
		}
		if ver == "" {
			ver = modVersion
		}
		var vcsRev, vcsTime string
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				vcsRev = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if vcsRev != "" && dirty {
			vcsRev += "-dirty"
		}
		// `go install module@version` records no VCS stamp, but a
		// pseudo-version carries the commit and its time.
		if m := pseudoVersion.FindStringSubmatch(modVersion); m != nil {
			if vcsRev == "" {
				vcsRev = m[2]
			}
			if t, err := time.Parse("20060102150405", m[1]); err == nil && vcsTime == "" {
				vcsTime = t.UTC().Format(time.RFC3339)
			}
		}
		if rev == "" {
			rev = vcsRev
		}
		if when == "" {
			when = vcsTime
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
		Use:   "version",
		Short: "Print nsview's version, commit, build date and Go version",
		Long: `Print nsview's version, the commit it was built from, the build date, and
the Go version and platform it was built with.

A release build has all three stamped in. A binary from
'go install github.com/nsview/nsview/cmd/nsview@latest' shows the module
version (and, for an untagged commit, the commit and its date); one built
with go build in a git checkout shows the version Go derives from it (a tag,
or a pseudo-version) and the checkout's commit and its date.`,
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
