package ui

import (
	"os"
	"time"

	"github.com/nsview/nsview/pkg/tree"
)

// snapshotMsg carries the result of one scan, made in a tea.Cmd.
type snapshotMsg struct {
	snap *tree.Snapshot
	// took is how long the scan ran.
	took time.Duration
	// users names the UIDs of snap's processes (resolved with the scan,
	// so that Update never reads /etc/passwd).
	users map[uint32]string
	err   error
}

// tickMsg says that the refresh interval has passed. gen tells a tick of
// the current schedule from one made before the interval changed.
type tickMsg struct{ gen int }

// fadeMsg says that a highlight of a new process or the dimmed line of a
// vanished one may have expired: time to draw again.
type fadeMsg struct{}

// spawnedMsg is the result of starting a sandbox.
type spawnedMsg struct {
	sb  *sandbox
	err error
}

// sandboxEndedMsg says that a sandbox was closed (by x, or because its
// command ended).
type sandboxEndedMsg struct {
	id  int
	err error
}

// signalMsg is a terminating signal (SIGTERM, SIGHUP, SIGINT) delivered
// to nsview: quit as on q, and exit with 128+n.
type signalMsg struct{ sig os.Signal }
