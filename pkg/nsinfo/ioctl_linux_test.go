package nsinfo

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
	"golang.org/x/sys/unix"
)

func TestInspectSelf(t *testing.T) {
	for _, typ := range Types {
		path := "/proc/self/ns/" + typ.String()
		link, err := os.Readlink(path)
		if err != nil {
			t.Fatal(err)
		}
		info, err := Inspect(path)
		if err != nil {
			t.Fatalf("Inspect(%s): %v", path, err)
		}
		if info.ID.String() != link {
			t.Errorf("%s: Inspect says %v, readlink %s", typ, info.ID, link)
		}
		if typ == User && info.OwnerUID < 0 {
			t.Errorf("user namespace without owner UID: %+v", info)
		}
		if typ != User && info.OwnerUID != -1 {
			t.Errorf("%s: owner UID %d, want -1", typ, info.OwnerUID)
		}
		if typ != User && info.Owner.Type != User && !info.Owner.IsZero() {
			t.Errorf("%s: owner %v is not a user namespace", typ, info.Owner)
		}
	}
	var u unix.Utsname
	unix.Uname(&u)
	if rel := unix.ByteSliceToString(u.Release[:]); strings.HasPrefix(rel, "6.18") {
		if info, _ := Inspect("/proc/self/ns/net"); info.KernelID == 0 {
			t.Errorf("Linux %s has NS_GET_ID but no ID was read", rel)
		}
	}
	if _, err := Inspect("/proc/self/stat"); err == nil {
		t.Error("Inspect of a file that is no namespace must fail")
	}
	if _, err := Inspect("/proc/self/ns/nonexistent"); !IsVanished(err) {
		t.Errorf("Inspect of a missing link: %v, want vanished", err)
	}
}

// A real nested PID namespace: its parent is ours, and PIDs translate.
func TestInspectNested(t *testing.T) {
	testenv.NeedRoot(t)
	testenv.NeedTools(t, "unshare")
	cmd := exec.Command("unshare", "--pid", "--fork", "--kill-child", "sleep", "3600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var kid int
	deadline := time.Now().Add(10 * time.Second)
	for kid == 0 {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/" + strconv.Itoa(cmd.Process.Pid) + "/children")
		kid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		if time.Now().After(deadline) {
			t.Fatal("unshare started no child")
		}
		time.Sleep(5 * time.Millisecond)
	}
	path := "/proc/" + strconv.Itoa(kid) + "/ns/pid"
	info, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	own, err := Inspect("/proc/self/ns/pid")
	if err != nil {
		t.Fatal(err)
	}
	if info.Parent != own.ID || info.ID == own.ID {
		t.Errorf("nested %v has parent %v, want %v", info.ID, info.Parent, own.ID)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	inner, err := PIDInNS(fd, kid, false)
	if err == ErrNoKernelTranslation {
		t.Skip(err)
	}
	if err != nil || inner != 1 {
		t.Errorf("PIDInNS(%d) = %d, %v; want 1", kid, inner, err)
	}
	if outer, err := PIDFromNS(fd, 1, false); err != nil || outer != kid {
		t.Errorf("PIDFromNS(1) = %d, %v; want %d", outer, err, kid)
	}
	if _, err := PIDInNS(fd, os.Getpid(), false); err == nil {
		t.Error("our own PID has no number in a child namespace")
	}
}
