package fakeproc

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/nsview/nsview/pkg/nsinfo"
)

func fixture(t *testing.T) nsinfo.Files {
	root := t.TempDir()
	for _, pid := range []string{"1", "2"} {
		if err := os.MkdirAll(filepath.Join(root, pid, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, pid, "stat"), []byte("0123456789"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("pid:[4026531836]", filepath.Join(root, pid, "ns", "pid")); err != nil {
			t.Fatal(err)
		}
	}
	return nsinfo.OSFiles(root)
}

func TestFaults(t *testing.T) {
	f := Wrap(fixture(t),
		Rule{PID: 1, File: "stat", Fault: Short},
		Rule{PID: 1, File: "ns/*", Fault: EACCES, Times: 1},
		Rule{PID: 2, File: Open, Fault: ESRCH},
		Rule{File: Root, Fault: Empty},
	)
	d, err := f.OpenProc(1)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := d.ReadFile("stat", nil); err != nil || string(b) != "01234" {
		t.Errorf("short stat: %q, %v", b, err)
	}
	if _, err := d.Readlink("ns/pid"); !nsinfo.IsDenied(err) || !errors.Is(err, syscall.EACCES) {
		t.Errorf("first readlink: %v, want EACCES", err)
	}
	if s, err := d.Readlink("ns/pid"); err != nil || s != "pid:[4026531836]" {
		t.Errorf("second readlink (Times 1): %q, %v", s, err)
	}
	d.Close()
	if _, err := f.OpenProc(2); !nsinfo.IsVanished(err) || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("OpenProc(2): %v, want ESRCH", err)
	}
	if names, err := f.ReadDirNames("."); err != nil || len(names) != 0 {
		t.Errorf("root listing: %v, %v; want empty", names, err)
	}
	if s, err := f.Readlink("self"); err == nil {
		t.Errorf("no self in the fixture, got %q", s)
	}
	for _, tc := range []struct {
		pid  int
		name string
		want int
	}{{1, "stat", 1}, {1, "ns/pid", 1}, {2, Open, 1}, {0, Root, 1}, {0, "", 4}, {1, "", 2}} {
		if got := f.Injected(tc.pid, tc.name); got != tc.want {
			t.Errorf("Injected(%d, %q) = %d, want %d", tc.pid, tc.name, got, tc.want)
		}
	}
	for _, fault := range Faults {
		if fault.String() == "" || fault.String()[0] == 'f' {
			t.Errorf("fault %d has no name", fault)
		}
	}
}

func TestWithStatReader(t *testing.T) {
	f := Wrap(fixture(t), Rule{PID: 1, File: "stat", Fault: Short}, Rule{PID: 2, File: Owner, Fault: EACCES})
	sr, ok := f.WithStatReader().(nsinfo.StatReader)
	if !ok {
		t.Fatal("WithStatReader has no ReadStat")
	}
	if b, _, err := sr.ReadStat(1, nil); err != nil || string(b) != "01234" {
		t.Errorf("short stat: %q, %v", b, err)
	}
	if _, _, err := sr.ReadStat(2, nil); !nsinfo.IsDenied(err) {
		t.Errorf("owner denied: %v", err)
	}
	if f.Injected(1, "stat") != 1 || f.Injected(2, Owner) != 1 {
		t.Errorf("injected %d, %d", f.Injected(1, "stat"), f.Injected(2, Owner))
	}
}
