package nsinfo

import (
	"os"
	"testing"
)

func TestReadNSpid(t *testing.T) {
	chain, err := ReadNSpid(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// The last entry is the PID in the caller's own namespace, which is
	// the one its /proc shows (the test runs with a /proc of its own).
	if len(chain) == 0 || chain[len(chain)-1] != os.Getpid() {
		t.Errorf("ReadNSpid(self) = %v, want a chain ending in %d", chain, os.Getpid())
	}
	// Above pid_max: no such process.
	if _, err := ReadNSpid(1 << 23); !IsVanished(err) {
		t.Errorf("ReadNSpid of no process: %v, want a vanished error", err)
	}
}
