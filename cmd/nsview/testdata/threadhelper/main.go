// Command threadhelper is a multi-threaded process for nsview's integration
// test: it names itself HELPER_COMM and starts one thread per name in
// HELPER_THREADS (comma-separated), each named so with prctl, then sleeps
// until killed. GC is off and GOMAXPROCS 1, so its thread count settles.
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func init() { runtime.LockOSThread() } // main runs on the main thread

func setName(name string) {
	b := append([]byte(name), 0)
	_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafePointer(b)), 0, 0, 0)
}

func main() {
	runtime.GOMAXPROCS(1)
	debug.SetGCPercent(-1)
	if c := os.Getenv("HELPER_COMM"); c != "" {
		setName(c)
	}
	block := make(chan struct{})
	ready := make(chan struct{})
	for _, n := range strings.Split(os.Getenv("HELPER_THREADS"), ",") {
		if n == "" {
			continue
		}
		go func() {
			runtime.LockOSThread()
			setName(n)
			ready <- struct{}{}
			<-block
		}()
		<-ready
	}
	for {
		time.Sleep(time.Hour)
	}
}
